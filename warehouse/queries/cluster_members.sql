-- The stored articles whose content hash is among `wanted_hashes`, leaving out `replacing_ids`.
SELECT article_id, content_hash, published_at, word_count, cluster_id, is_canonical FROM articles
WHERE content_hash IN (SELECT id FROM wanted_hashes)
  AND article_id NOT IN (SELECT id FROM replacing_ids)
