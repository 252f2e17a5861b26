-- How much of each site is copies: an article is a duplicate when another member of its
-- cluster is canonical (the earliest published, then the longest).
SELECT site,
       count(*) AS articles,
       count(*) FILTER (WHERE NOT is_canonical) AS duplicates,
       round(count(*) FILTER (WHERE NOT is_canonical) / count(*), 4) AS duplicate_rate
FROM articles
GROUP BY ALL;
