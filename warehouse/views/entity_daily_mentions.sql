-- Mentions of each entity per day (the day an article was published, else fetched: `article_entities.day`).
-- `stories` counts duplicate clusters, so one wire story printed by ten sites counts once.
CREATE OR REPLACE VIEW entity_daily_mentions AS
SELECT day, entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories
FROM article_entities
GROUP BY ALL;
