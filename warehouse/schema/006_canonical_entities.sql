-- Entities become one row per real-world thing rather than one per spelling and label.
-- Each mention keeps the name it stands for in its article ("Putin" -> "Vladimir Putin")
-- and that name's key (spellings folded: "Zelenskyy" -> "zelensky"); `entity_keys` maps
-- every key to its entity. Keys are grouped by their last word, and the writer re-resolves
-- a whole group whenever a mention with a key in it arrives or leaves.

ALTER TABLE mentions ADD COLUMN name VARCHAR;      -- the name it refers to, as its article gives it
ALTER TABLE mentions ADD COLUMN name_key VARCHAR;  -- transforms.entities.name_key(name)

ALTER TABLE entities ADD COLUMN aliases VARCHAR[];        -- surface forms, most used first
ALTER TABLE entities ADD COLUMN mention_count INTEGER;
ALTER TABLE entities ADD COLUMN article_count INTEGER;

CREATE TABLE entity_keys (
    name_key   VARCHAR PRIMARY KEY,
    key_group  VARCHAR NOT NULL,   -- transforms.entities.key_group(name_key)
    entity_id  VARCHAR NOT NULL
);

-- Mentions written before this release: their name was their entity's; the writer
-- computes the keys and resolves the entities when it first opens the warehouse.
UPDATE mentions SET name = e.name FROM entities AS e WHERE mentions.entity_id = e.entity_id;
UPDATE mentions SET name = surface WHERE name IS NULL;  -- its entity row was lost: keep what it says

DROP VIEW IF EXISTS entity_mentions;
