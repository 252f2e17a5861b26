-- How many stored articles the story index holds, leaving out `excluded_ids`.
SELECT count(*) FROM articles
WHERE story_id IS NOT NULL AND article_id NOT IN (SELECT id FROM excluded_ids)
