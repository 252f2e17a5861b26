-- Articles per site and day (published, else fetched, which for a file with no fetch time of its own is
-- the day of the YYYY-MM-DD folder it was filed in; NULL for an undated article).
-- `stories` counts duplicate clusters, so a site's reprint of a wire story it already ran counts once.
CREATE OR REPLACE VIEW articles_per_site_day AS
SELECT site,
       coalesce(published_at, fetched_at)::DATE AS day,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS stories,
       sum(word_count)::BIGINT AS words
FROM articles
GROUP BY ALL;
