-- Each story day by day: its articles and the sites that carried it on each story day.
SELECT story_id, story_day AS day,
       count(*) AS articles,
       count(DISTINCT site) AS sites
FROM story_articles
GROUP BY ALL;
