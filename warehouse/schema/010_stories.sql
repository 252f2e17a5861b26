-- Stories: the articles of every outlet about one real-world event. Each duplicate cluster
-- belongs to one story, and `articles.story_id` is its cluster's story (flows/ingest.py,
-- stage "stories"; transforms/stories.py). The articles stored before this release have no
-- story (NULL) until they are read again: `newsmill ingest --force`.
ALTER TABLE articles ADD COLUMN story_id VARCHAR;

-- What the story stage compares an article with: its features (word stems, entity name keys,
-- numbers), how often it has each, and its story day (published, else fetched, else the
-- day its run began). A new article is compared only with the stored articles that share a
-- distinctive feature with it around its day, so the cost follows the new articles.
CREATE TABLE story_terms (
    article_id  VARCHAR NOT NULL,
    feature     VARCHAR NOT NULL,
    occurrences INTEGER NOT NULL,
    day         DATE NOT NULL
);

-- Two stories found to be one: `story_id` merged into the older `merged_into`, so an id once
-- seen still resolves (follow the chain: a story merged into may itself merge later).
CREATE TABLE story_merges (
    story_id     VARCHAR PRIMARY KEY,
    merged_into  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    merged_at    TIMESTAMP NOT NULL
);
