-- The content hashes of the stored articles of `replacing_ids`.
SELECT DISTINCT content_hash FROM articles WHERE article_id IN (SELECT id FROM replacing_ids)
