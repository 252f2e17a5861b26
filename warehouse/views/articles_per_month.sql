-- Articles per month (`month`: its first day), all sites together; `distinct_articles` counts
-- each duplicate cluster once a month, and `stories` each story, which adding up
-- `articles_per_day` would not.
SELECT date_trunc('month', day)::DATE AS month,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT story_id) AS stories
FROM article_days
GROUP BY ALL;
