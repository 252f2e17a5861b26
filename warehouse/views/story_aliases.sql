-- Every story id ever given out, and the story it is now: a story merged into an older one
-- (`story_merges`) resolves to the end of its chain of merges; a story that stands resolves
-- to itself (`merges` 0). So a saved id is a join on `alias`.
WITH RECURSIVE chain AS (
    SELECT story_id AS alias, merged_into AS story_id, 1 AS merges FROM story_merges
    UNION ALL
    SELECT c.alias, m.merged_into, c.merges + 1
    FROM chain AS c JOIN story_merges AS m ON m.story_id = c.story_id
    WHERE c.merges < 1000  -- merges go from the younger into the older, so there is no cycle; in case
)
SELECT alias, arg_max(story_id, merges) AS story_id, max(merges) AS merges
FROM chain
GROUP BY alias
UNION ALL
SELECT DISTINCT story_id AS alias, story_id, 0 AS merges
FROM articles
WHERE story_id IS NOT NULL AND story_id NOT IN (SELECT story_id FROM story_merges);
