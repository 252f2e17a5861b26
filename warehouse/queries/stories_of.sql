-- The story of each stored article of `of_articles`, and of every article of the clusters in `of_clusters`.
SELECT article_id, story_id FROM articles
WHERE (article_id IN (SELECT id FROM of_articles) OR cluster_id IN (SELECT id FROM of_clusters))
  AND story_id IS NOT NULL
ORDER BY 1
