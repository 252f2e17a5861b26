-- Articles per day (`article_days.day`), all sites together. `stories` counts duplicate
-- clusters, so one wire story printed by ten sites on a day counts once that day.
SELECT day,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories
FROM article_days
GROUP BY ALL;
