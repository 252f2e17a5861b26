-- Stored files whose path matches one of the regular expressions of `scope_expressions`
-- and that are not among `found_files`.
SELECT source_file FROM sources
WHERE EXISTS (SELECT 1 FROM scope_expressions WHERE regexp_matches(source_file, id))
  AND source_file NOT IN (SELECT id FROM found_files)
ORDER BY 1
