-- Every story ranked: by the sites that carried it, then its articles, then the latest
-- seen, then its id. "Recent" is a filter on `last_seen` (`newsmill stories --since`
-- counts only the articles dated since then).
SELECT row_number() OVER (ORDER BY sites DESC, articles DESC, last_seen DESC NULLS LAST, story_id) AS rank,
       *
FROM stories;
