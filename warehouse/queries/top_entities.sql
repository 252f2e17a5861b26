-- (name, label, mentions, articles) of the entities a run's articles mention most.
-- Parameters: the run_id, then how many entities.
SELECT e.name, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
FROM mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
WHERE a.run_id = ? GROUP BY ALL ORDER BY mentions DESC, e.name LIMIT ?
