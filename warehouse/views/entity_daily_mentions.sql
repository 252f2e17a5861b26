-- Mentions of each entity per day (`article_days.day`). `distinct_articles` counts duplicate
-- clusters, so one wire article printed by ten sites counts once; `stories` counts stories.
SELECT day, entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT story_id) AS stories
FROM article_entities
GROUP BY ALL;
