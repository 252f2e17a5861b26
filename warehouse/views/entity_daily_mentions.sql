-- Mentions of each entity per day (`article_days.day`).
-- `stories` counts duplicate clusters, so one wire story printed by ten sites counts once.
SELECT day, entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories
FROM article_entities
GROUP BY ALL;
