-- Learned site templates. Each article's short lines are sighted under its template
-- group (its site, else the folder of its file); lines sighted in enough of a group's
-- articles are that group's template, kept in site_templates and removed when cleaning.

ALTER TABLE articles ADD COLUMN template_group VARCHAR;

CREATE TABLE template_sightings (
    article_id      VARCHAR NOT NULL,
    template_group  VARCHAR NOT NULL,
    line_key        VARCHAR NOT NULL,   -- the line, case and punctuation folded, hashed
    line            VARCHAR NOT NULL
);

CREATE TABLE site_templates (
    template_group  VARCHAR NOT NULL,
    line_key        VARCHAR NOT NULL,
    line            VARCHAR NOT NULL,
    articles        INTEGER NOT NULL,   -- distinct article texts of the group holding the line
    group_articles  INTEGER NOT NULL,   -- distinct article texts of the group
    run_id          VARCHAR NOT NULL,   -- the run that last updated the group
    PRIMARY KEY (template_group, line_key)
);
