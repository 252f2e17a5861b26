-- Mentions of each entity per month (`month`: its first day), as `entity_daily_mentions` per day;
-- `distinct_articles` counts each duplicate cluster once a month, `stories` each story.
SELECT date_trunc('month', day)::DATE AS month, entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT story_id) AS stories
FROM article_entities
GROUP BY ALL;
