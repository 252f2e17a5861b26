-- Every run: what it found, what it loaded, and how fast.
SELECT run_id, flow_run_id, started_at, finished_at, status,
       documents_seen, documents_loaded, articles, rejects, duplicates, mentions, seconds,
       round(documents_loaded / nullif(seconds, 0), 1) AS documents_per_second
FROM runs;
