-- Each entity over all its articles: its mentions, the articles and the distinct stories
-- (duplicate clusters) it is mentioned in.
SELECT entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories
FROM article_entities
GROUP BY ALL;
