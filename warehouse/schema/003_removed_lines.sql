-- Every line the cleaner removed from an article, and why: each decision can be queried.

CREATE TABLE removed_lines (
    article_id  VARCHAR NOT NULL,
    line_no     INTEGER NOT NULL,   -- 1-based line of the text the cleaner read: the scraped text, or trafilatura's output for HTML
    text        VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,   -- residue_phrase | prompt | tag_list | repeated_title | ...
    run_id      VARCHAR NOT NULL
);
