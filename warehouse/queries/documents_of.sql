-- The stored documents of the files of `of_files`.
SELECT doc_id FROM documents WHERE source_file IN (SELECT id FROM of_files) ORDER BY 1
