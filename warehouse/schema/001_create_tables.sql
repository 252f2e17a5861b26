-- The warehouse's tables. Every input record is one row of `documents`, and exactly
-- one row of either `articles` or `rejects` with the same doc_id.
-- What each column holds, as the later migrations and the pipeline have made it (formats,
-- reject reasons, how ids are derived, what `source_uri` holds): README.md, section Schema,
-- which tests/test_readme_queries.py checks against a real warehouse. A migration is recorded
-- as applied by its file name alone (`schema_migrations.version`), so its comments may be
-- corrected; its SQL never changes (tests/test_views.py).

CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,
    documents_seen    INTEGER,
    documents_loaded  INTEGER,
    articles          INTEGER,
    rejects           INTEGER,
    duplicates        INTEGER,
    mentions          INTEGER,
    seconds           DOUBLE
);

CREATE TABLE documents (
    doc_id       VARCHAR PRIMARY KEY,
    source_uri   VARCHAR NOT NULL UNIQUE,
    format       VARCHAR NOT NULL,
    sha256       VARCHAR,
    bytes        BIGINT,
    run_id       VARCHAR NOT NULL
);

CREATE TABLE articles (
    article_id     VARCHAR PRIMARY KEY,
    doc_id         VARCHAR NOT NULL UNIQUE,
    source_uri     VARCHAR NOT NULL,
    url            VARCHAR,
    site           VARCHAR,
    title          VARCHAR,
    byline         VARCHAR,
    published_at   TIMESTAMP,
    language       VARCHAR NOT NULL,
    language_prob  DOUBLE NOT NULL,
    text           VARCHAR NOT NULL,
    word_count     INTEGER NOT NULL,
    content_hash   VARCHAR NOT NULL,
    cluster_id     VARCHAR NOT NULL,
    is_canonical   BOOLEAN NOT NULL,
    run_id         VARCHAR NOT NULL
);

CREATE TABLE entities (
    entity_id  VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    label      VARCHAR NOT NULL
);

CREATE TABLE mentions (
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    surface     VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    label       VARCHAR NOT NULL
);

CREATE TABLE rejects (
    doc_id      VARCHAR PRIMARY KEY,
    source_uri  VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL
);
