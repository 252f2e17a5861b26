-- Articles per month (`month`: its first day), all sites together; `stories` counts each
-- duplicate cluster once a month, which adding up `articles_per_day` would not.
SELECT date_trunc('month', day)::DATE AS month,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories
FROM article_days
GROUP BY ALL;
