-- The warehouse in figures, in one row: articles, distinct articles (duplicate clusters),
-- stories, duplicates, undated articles, rejected records, and the entities the articles mention.
SELECT count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT story_id) AS stories,
       count(*) FILTER (WHERE NOT is_canonical) AS duplicates,
       count(*) FILTER (WHERE day IS NULL) AS undated,
       (SELECT count(*) FROM rejects) AS rejects,
       (SELECT count(DISTINCT entity_id) FROM mentions WHERE article_id IN (SELECT article_id FROM articles)) AS entities
FROM article_days;
