-- Every stored member of the clusters the articles of `of_articles` are in, leaving out `excluded_ids`.
SELECT article_id, content_hash, published_at, word_count, cluster_id, is_canonical FROM articles
WHERE cluster_id IN (SELECT cluster_id FROM articles WHERE article_id IN (SELECT id FROM of_articles))
  AND article_id NOT IN (SELECT id FROM excluded_ids)
