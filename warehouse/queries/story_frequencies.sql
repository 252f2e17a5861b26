-- How many stored articles have each feature of `wanted_features`, leaving out `excluded_ids`.
SELECT feature, count(*) FROM story_terms
WHERE feature IN (SELECT id FROM wanted_features) AND article_id NOT IN (SELECT id FROM excluded_ids)
GROUP BY feature
