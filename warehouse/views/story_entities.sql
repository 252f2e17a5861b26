-- The entities each story's articles mention: mentions, articles, and distinct articles
-- (duplicate clusters) of the story that mention them.
SELECT story_id, entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles
FROM article_entities
WHERE story_id IS NOT NULL
GROUP BY ALL;
