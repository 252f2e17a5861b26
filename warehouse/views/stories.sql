-- One row per story: the articles of every outlet on one real-world event. Its headline is
-- the title of its most representative article: the canonical member of its largest
-- duplicate cluster (ties: the earliest, then the lowest article_id), else the first title
-- it has. `first_seen` and `last_seen` are the first and last story days of its articles;
-- `distinct_articles` counts its duplicate clusters, `sites` the sites that carried it
-- (articles with no site count in none), `languages` lists its articles' languages.
SELECT story_id,
       coalesce(
           first(title ORDER BY copies DESC, story_day, article_id) FILTER (WHERE is_canonical),
           first(title ORDER BY story_day, article_id) FILTER (WHERE title IS NOT NULL)
       ) AS headline,
       min(story_day) AS first_seen,
       max(story_day) AS last_seen,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       count(DISTINCT site) AS sites,
       list_sort(list(DISTINCT language)) AS languages
FROM story_articles
GROUP BY story_id;
