-- The entities each article mentions, with how often it mentions them, and the article's day.
SELECT m.article_id, a.title, a.cluster_id, a.story_id, a.is_canonical, a.day,
       e.entity_id, e.name, e.label,
       count(*) AS mentions
FROM mentions AS m
JOIN entities AS e USING (entity_id)
JOIN article_days AS a USING (article_id)
GROUP BY ALL;
