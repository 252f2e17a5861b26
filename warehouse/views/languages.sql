-- Articles per detected language, and how sure the detector was on average.
SELECT language,
       count(*) AS articles,
       count(DISTINCT cluster_id) AS distinct_articles,
       round(count(*) / sum(count(*)) OVER (), 4) AS share,
       round(avg(language_prob), 4) AS mean_probability
FROM articles
GROUP BY ALL;
