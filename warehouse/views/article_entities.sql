-- The entities each article mentions, with how often it mentions them. `day`: published, else fetched
-- (for a file with no fetch time of its own, the day of the YYYY-MM-DD folder it was filed in).
CREATE OR REPLACE VIEW article_entities AS
SELECT m.article_id, a.title, a.cluster_id, a.is_canonical,
       coalesce(a.published_at, a.fetched_at)::DATE AS day,
       e.entity_id, e.name, e.label,
       count(*) AS mentions
FROM mentions AS m
JOIN entities AS e USING (entity_id)
JOIN articles AS a USING (article_id)
GROUP BY ALL;
