-- Articles per site and day (`article_days.day`).
-- `stories` counts duplicate clusters, so a site's reprint of a wire story it already ran counts once.
SELECT site, day,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories,
       sum(word_count)::BIGINT AS words
FROM article_days
GROUP BY ALL;
