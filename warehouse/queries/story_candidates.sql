-- The stories of the stored articles most like each new one: those sharing the most of its
-- distinctive features (`story_queries`: article_id, feature, weight, day) within $window
-- days of its day, at most $per_article articles each, leaving out `excluded_ids`.
WITH shared AS (
    SELECT q.article_id AS new_id, t.article_id AS stored_id, sum(q.weight) AS score
    FROM story_queries q
    JOIN story_terms t ON t.feature = q.feature
     AND t.day BETWEEN q.day - to_days($window) AND q.day + to_days($window)
    WHERE t.article_id NOT IN (SELECT id FROM excluded_ids)
    GROUP BY ALL
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY new_id ORDER BY score DESC, stored_id) AS place FROM shared
)
SELECT DISTINCT a.story_id FROM ranked r JOIN articles a ON a.article_id = r.stored_id
WHERE r.place <= $per_article AND a.story_id IS NOT NULL
ORDER BY 1
