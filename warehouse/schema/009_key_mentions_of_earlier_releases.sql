-- Mentions stored before 006 have no name key (006 gave them the name of their entity).
-- They get their keys here, and the keys their groups, each key marked unresolved (an
-- empty entity_id); the entities of those releases, which no key leads to, go. The writer
-- resolves the marked groups when it next opens the warehouse, right after migrating
-- (warehouse/entities.py: resolution needs more than a SQL function). `name_key` and
-- `key_group` are the pipeline's rules, transforms/entities.py, lent by warehouse/schema.py.
CREATE TEMP TABLE earlier_names AS
SELECT name, name_key(name) AS name_key FROM (SELECT DISTINCT name FROM mentions WHERE name_key IS NULL);

UPDATE mentions SET name_key = e.name_key
FROM earlier_names AS e
WHERE mentions.name = e.name AND mentions.name_key IS NULL;

INSERT INTO entity_keys
SELECT DISTINCT name_key, key_group(name_key), '' FROM earlier_names
ON CONFLICT (name_key) DO UPDATE SET entity_id = '';

DELETE FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM entity_keys);

DROP TABLE earlier_names;
