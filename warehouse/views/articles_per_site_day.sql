-- Articles per site and day (`article_days.day`). `distinct_articles` counts duplicate
-- clusters, so a site's reprint of a wire article it already ran counts once.
SELECT site, day,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       sum(word_count)::BIGINT AS words
FROM article_days
GROUP BY ALL;
