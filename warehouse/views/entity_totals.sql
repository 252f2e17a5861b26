-- Each entity over all its articles: its mentions, the articles, the distinct articles
-- (duplicate clusters) and the stories it is mentioned in.
SELECT entity_id, name, label,
       sum(mentions)::BIGINT AS mentions,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT story_id) AS stories
FROM article_entities
GROUP BY ALL;
