-- Files are registered as sources, so an unchanged file is skipped without reading
-- its records; records remember the file they came from and what their container said.

CREATE TABLE sources (
    source_file  VARCHAR PRIMARY KEY,        -- absolute path of the file
    sha256       VARCHAR NOT NULL,           -- of the file's bytes as last ingested
    bytes        BIGINT NOT NULL,
    records      INTEGER NOT NULL,           -- input records found in it
    run_id       VARCHAR NOT NULL
);

ALTER TABLE documents ADD COLUMN source_file VARCHAR;
UPDATE documents SET source_file = source_uri;

INSERT INTO sources
SELECT source_file, sha256, bytes, 1, run_id FROM documents WHERE sha256 IS NOT NULL;

ALTER TABLE articles ADD COLUMN fetched_at TIMESTAMP;          -- when the crawler fetched the page (WARC-Date, a JSON Lines field); else, since 008, its folder's day
ALTER TABLE articles ADD COLUMN declared_language VARCHAR;     -- the language the page or record declared
