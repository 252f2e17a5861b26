-- (new article_id, stored article_id) for every stored article sharing an LSH band key with
-- one of `new_bands`, leaving out `excluded_ids`.
SELECT DISTINCT n.article_id, s.article_id
FROM new_bands n JOIN lsh_bands s ON s.band = n.band AND s.key = n.key
WHERE s.article_id NOT IN (SELECT id FROM excluded_ids)
ORDER BY 1, 2
