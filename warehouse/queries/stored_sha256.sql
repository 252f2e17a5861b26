-- doc_id -> sha256 of the content last loaded, for the documents of `lookup_ids` the warehouse holds.
SELECT doc_id, sha256 FROM documents WHERE doc_id IN (SELECT id FROM lookup_ids)
