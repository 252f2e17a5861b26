-- Whether each stored article of `standing_ids` is its cluster's canonical member.
SELECT article_id, is_canonical FROM articles WHERE article_id IN (SELECT id FROM standing_ids)
