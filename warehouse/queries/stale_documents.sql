-- Stored documents of the files in `seen_documents` (source_file, doc_id read from it now)
-- that the files no longer hold.
SELECT doc_id FROM documents
WHERE source_file IN (SELECT DISTINCT source_file FROM seen_documents)
  AND doc_id NOT IN (SELECT doc_id FROM seen_documents)
ORDER BY doc_id
