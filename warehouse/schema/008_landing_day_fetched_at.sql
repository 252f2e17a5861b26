-- articles.fetched_at: when the crawler fetched the page (WARC-Date, a JSON Lines field),
-- else, for a record that gives no fetch time (every text and HTML file), midnight UTC of
-- the day its file was filed under: the nearest folder around it named YYYY-MM-DD, as in
-- LANDING/2024-05-01/reuters/0001.html. Such articles count on that day in the per-day
-- views. The articles stored before this release get that day here, as ingesting them
-- now gives it: their unchanged files are skipped, so no run would fill it in. (`folder_day`
-- is the reader's rule, transforms/read/days.py, which warehouse/schema.py lends migrations.)
UPDATE articles SET fetched_at = folder_day(d.source_file)
FROM documents AS d
WHERE articles.doc_id = d.doc_id AND articles.fetched_at IS NULL;
