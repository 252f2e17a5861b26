-- One row per run and stage: what each stage of each run handled, and how long it took.
SELECT run_id, started_at, status, s.stage, s.items, s.seconds,
       round(s.items / nullif(s.seconds, 0), 1) AS items_per_second
FROM (SELECT run_id, started_at, status, unnest(stages) AS s FROM runs);
