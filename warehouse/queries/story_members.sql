-- Every stored article of the stories in `wanted_stories` with its features, on days from
-- $first to $last, leaving out `excluded_ids`: the story stage groups their clusters anew
-- with the batch's; a story's articles on other days stay in it. One row an article, its
-- features and their occurrences as lists in the features' order (fetching a row a feature
-- took longer than the query itself).
SELECT a.cluster_id, a.article_id, a.is_canonical, a.story_id, t.day,
       list(t.feature ORDER BY t.feature), list(t.occurrences ORDER BY t.feature)
FROM articles a JOIN story_terms t USING (article_id)
WHERE a.story_id IN (SELECT id FROM wanted_stories) AND a.article_id NOT IN (SELECT id FROM excluded_ids)
  AND t.day BETWEEN $first AND $last
GROUP BY ALL
ORDER BY a.article_id
