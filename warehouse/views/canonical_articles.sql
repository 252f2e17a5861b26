-- One row per distinct article: the canonical member of each duplicate cluster,
-- with how many copies of it the warehouse holds.
SELECT a.*, c.copies
FROM articles AS a
JOIN (SELECT cluster_id, count(*) AS copies FROM articles GROUP BY cluster_id) AS c USING (cluster_id)
WHERE a.is_canonical;
