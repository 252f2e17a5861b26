-- The warehouse's tables. Every input record is one row of `documents`, and exactly
-- one row of either `articles` or `rejects` with the same doc_id.

CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,   -- sortable: start time (UTC) and a random suffix
    flow_run_id       VARCHAR,               -- the Prefect flow run that did the work
    started_at        TIMESTAMP NOT NULL,    -- UTC
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,      -- running | completed | failed
    documents_seen    INTEGER,               -- input records found
    documents_loaded  INTEGER,               -- new or changed records processed and loaded
    articles          INTEGER,
    rejects           INTEGER,
    duplicates        INTEGER,               -- loaded articles that are not their cluster's canonical member
    mentions          INTEGER,
    seconds           DOUBLE
);

CREATE TABLE documents (
    doc_id       VARCHAR PRIMARY KEY,        -- derived from source_uri: stable across runs
    source_uri   VARCHAR NOT NULL UNIQUE,    -- absolute path of the file
    format       VARCHAR NOT NULL,           -- txt | html | unknown
    sha256       VARCHAR,                    -- of the raw bytes; NULL when the file could not be read
    bytes        BIGINT,
    run_id       VARCHAR NOT NULL            -- the run that last loaded this record
);

CREATE TABLE articles (
    article_id     VARCHAR PRIMARY KEY,      -- equal to the doc_id of the document it came from
    doc_id         VARCHAR NOT NULL UNIQUE,
    source_uri     VARCHAR NOT NULL,
    url            VARCHAR,                  -- the page's canonical URL when it declares one
    site           VARCHAR,                  -- registered domain of url
    title          VARCHAR,
    byline         VARCHAR,
    published_at   TIMESTAMP,
    language       VARCHAR NOT NULL,         -- ISO 639-1, or 'und' when undetermined
    language_prob  DOUBLE NOT NULL,
    text           VARCHAR NOT NULL,         -- cleaned body, one paragraph per line
    word_count     INTEGER NOT NULL,
    content_hash   VARCHAR NOT NULL,         -- equal for texts that differ only in case, punctuation, spacing
    cluster_id     VARCHAR NOT NULL,         -- equal for all duplicates; the article_id of one member
    is_canonical   BOOLEAN NOT NULL,         -- the one member that represents its cluster
    run_id         VARCHAR NOT NULL
);

CREATE TABLE entities (
    entity_id  VARCHAR PRIMARY KEY,          -- derived from label and name
    name       VARCHAR NOT NULL,
    label      VARCHAR NOT NULL              -- spaCy's label: PERSON, ORG, GPE, LOC, NORP, ...
);

CREATE TABLE mentions (
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    surface     VARCHAR NOT NULL,            -- text exactly as it stands in the article
    start_char  INTEGER NOT NULL,            -- substring(text, start_char + 1, end_char - start_char) = surface
    end_char    INTEGER NOT NULL,
    label       VARCHAR NOT NULL
);

CREATE TABLE rejects (
    doc_id      VARCHAR PRIMARY KEY,
    source_uri  VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,            -- empty | binary | undecodable | unreadable | unsupported_format | no_text
    detail      VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL
);
