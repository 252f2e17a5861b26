-- Pairs of entities mentioned in the same article, per day, in both directions, so
-- "who appears alongside Zelensky" is a filter on `name`. `distinct_articles` counts
-- duplicate clusters once.
SELECT a.day, a.entity_id, a.name, a.label,
       b.entity_id AS other_entity_id, b.name AS other_name, b.label AS other_label,
       count(*) AS articles,
       count(DISTINCT a.cluster_id) AS distinct_articles
FROM article_entities AS a
JOIN article_entities AS b ON a.article_id = b.article_id AND a.entity_id <> b.entity_id
GROUP BY ALL;
