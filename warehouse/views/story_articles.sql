-- Every article that belongs to a story, with its story day: the day it was published, else
-- fetched (`article_days.day`), else the day the run that loaded it began, as the stories
-- stage files it; and `copies`, the articles of its duplicate cluster. Articles stored
-- before stories have no story, and are not here.
SELECT a.*,
       coalesce(a.day, r.started_at::DATE) AS story_day,
       count(*) OVER (PARTITION BY a.cluster_id) AS copies
FROM article_days AS a
LEFT JOIN runs AS r USING (run_id)
WHERE a.story_id IS NOT NULL;
