-- Articles per day (`article_days.day`), all sites together. `distinct_articles` counts
-- duplicate clusters, so one wire article printed by ten sites on a day counts once that day;
-- `stories` counts stories (`articles.story_id`): every outlet's article on one event, once.
SELECT day,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT story_id) AS stories
FROM article_days
GROUP BY ALL;
