-- Distinct article texts of each template group of `wanted_lines`, leaving out `excluded_ids`.
SELECT template_group, count(DISTINCT content_hash) FROM articles
WHERE template_group IN (SELECT DISTINCT template_group FROM wanted_lines)
  AND article_id NOT IN (SELECT id FROM excluded_ids)
GROUP BY ALL
