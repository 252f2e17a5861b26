-- Each entity with how often, and in how many articles, it is mentioned.
CREATE OR REPLACE VIEW entity_mentions AS
SELECT e.entity_id, e.name, e.label,
       count(*) AS mentions,
       count(DISTINCT m.article_id) AS articles
FROM entities AS e
JOIN mentions AS m USING (entity_id)
GROUP BY ALL;
