-- Every article with its day: the day it was published, else fetched (for a file with no fetch
-- time of its own, the day of the YYYY-MM-DD folder it was filed in); NULL for an undated article.
-- The views that count by day read it, so the rule is written once.
SELECT *, coalesce(published_at, fetched_at)::DATE AS day
FROM articles;
