-- The mentions stored for the articles of `mention_ids`: an article with none gives one row
-- of NULLs, so that it is known to have none.
SELECT a.article_id, m.start_char, m.end_char, m.surface, m.label, m.name
FROM articles a LEFT JOIN mentions m USING (article_id)
WHERE a.article_id IN (SELECT id FROM mention_ids) ORDER BY 1, 2
