-- The stored MinHash signatures of the articles of `signature_ids`.
SELECT article_id, signature, shingles FROM minhashes WHERE article_id IN (SELECT id FROM signature_ids)
