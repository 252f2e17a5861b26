-- Rejected records per reason, with one example to look at.
SELECT reason,
       count(*) AS rejects,
       min(source_uri) AS example_uri,
       arg_min(detail, source_uri) AS example_detail
FROM rejects
GROUP BY ALL;
