-- Which of `wanted_story_ids` are, or were, a story's id.
SELECT story_id FROM articles WHERE story_id IN (SELECT id FROM wanted_story_ids)
UNION
SELECT story_id FROM story_merges WHERE story_id IN (SELECT id FROM wanted_story_ids)
