-- source_file, sha256, records as last ingested, for the files of `wanted_files` ever ingested.
SELECT source_file, sha256, records FROM sources WHERE source_file IN (SELECT id FROM wanted_files)
