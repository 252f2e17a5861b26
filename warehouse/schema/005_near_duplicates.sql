-- Near-duplicate detection across runs: each article's MinHash signature and its LSH
-- band keys. A new article is compared only with the stored articles that share a band
-- key with it, so the cost follows the new articles, not the size of the warehouse.

CREATE TABLE minhashes (
    article_id  VARCHAR PRIMARY KEY,
    signature   BLOB NOT NULL,       -- 128 little-endian uint32 minimums (transforms/neardup.py)
    shingles    INTEGER NOT NULL     -- distinct word 4-grams of the text
);

CREATE TABLE lsh_bands (
    article_id  VARCHAR NOT NULL,
    band        SMALLINT NOT NULL,   -- 0-41: MinHash bands; 42: the text's opening words
    key         BIGINT NOT NULL
);
