-- For each (template_group, line_key) of `wanted_lines`, the distinct article texts of the
-- group sighted holding the line, leaving out `excluded_ids`.
SELECT s.template_group, s.line_key, count(DISTINCT a.content_hash)
FROM template_sightings s
JOIN wanted_lines w ON w.template_group = s.template_group AND w.line_key = s.line_key
JOIN articles a ON a.article_id = s.article_id
WHERE s.article_id NOT IN (SELECT id FROM excluded_ids)
GROUP BY ALL
