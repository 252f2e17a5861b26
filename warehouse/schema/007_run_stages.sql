-- Where a run's time went: per stage, the items it handled and its seconds, in pipeline
-- order (view `run_stages` has one row per run and stage).
ALTER TABLE runs ADD COLUMN stages STRUCT(stage VARCHAR, items BIGINT, seconds DOUBLE)[];
