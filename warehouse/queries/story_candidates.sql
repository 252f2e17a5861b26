-- The stories of the stored articles most like each new one: of those sharing at least two
-- of its distinctive features (`story_queries`: article_id, feature, weight, day) within
-- $window days of its day, and at least $least_share of their weight, the $per_article
-- sharing the most weight; leaving out `excluded_ids`. $first and $last bound every query's
-- days, so the index is read only on those days.
WITH totals AS (
    SELECT article_id, sum(weight) AS total FROM story_queries GROUP BY article_id
), shared AS (
    SELECT q.article_id AS new_id, t.article_id AS stored_id, sum(q.weight) AS score, count(*) AS features
    FROM story_queries q
    JOIN story_terms t ON t.feature = q.feature
     AND t.day BETWEEN q.day - to_days($window) AND q.day + to_days($window)
    WHERE t.day BETWEEN $first AND $last AND t.article_id NOT IN (SELECT id FROM excluded_ids)
    GROUP BY ALL
), ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.new_id ORDER BY s.score DESC, s.stored_id) AS place
    FROM shared s JOIN totals t ON t.article_id = s.new_id
    WHERE s.features >= 2 AND s.score >= $least_share * t.total
)
SELECT DISTINCT a.story_id FROM ranked r JOIN articles a ON a.article_id = r.stored_id
WHERE r.place <= $per_article AND a.story_id IS NOT NULL
ORDER BY 1
