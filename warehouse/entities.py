"""Entity resolution over everything the warehouse holds: whenever a mention with a name key
arrives or leaves, every entity of that key's group is resolved anew from all the group's
mentions, so entities depend on what the warehouse holds, not on the order it arrived in.

A key in `entity_keys` with an empty entity_id is one whose group has not been resolved
since the key came: the writer resolves it in the same transaction, and a migration that
keys stored mentions (009) leaves its keys so for the writer's next open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transforms import entities as names
from warehouse.rows import ENTITY_KEYS, RESOLVED_ENTITIES, RESOLVED_KEYS, arrow

if TYPE_CHECKING:
    from warehouse.session import Session

UNRESOLVED = ""  # the entity_id of a key, or a mention, whose group is yet to be resolved


def resolve(session: Session, keys: set[str]) -> None:
    """Register these name keys (those the mentions now hold, and those of the mentions
    just deleted) and resolve every group they belong to. Inside the caller's transaction."""
    groups = {names.key_group(k) for k in keys}
    if not groups:
        return
    new_keys = arrow(ENTITY_KEYS, ((k, names.key_group(k), UNRESOLVED) for k in keys))
    with session.table("new_keys", new_keys):
        session.con.execute("INSERT INTO entity_keys SELECT * FROM new_keys ON CONFLICT DO NOTHING")
    _resolve_groups(session, groups)


def resolve_unresolved(session: Session) -> None:
    """Resolve the groups of the keys left unresolved, in a transaction of its own; mostly
    there are none."""
    groups = {
        row[0]
        for row in session.con.execute(
            "SELECT DISTINCT key_group FROM entity_keys WHERE entity_id = ?", [UNRESOLVED]
        ).fetchall()
    }
    if groups:
        with session.transaction():
            _resolve_groups(session, groups)


def _resolve_groups(session: Session, groups: set[str]) -> None:
    con = session.con
    with session.ids("key_groups", groups):
        con.execute(
            """DELETE FROM entities WHERE entity_id IN
               (SELECT entity_id FROM entity_keys WHERE key_group IN (SELECT id FROM key_groups))"""
        )
        con.execute(
            """DELETE FROM entity_keys k WHERE key_group IN (SELECT id FROM key_groups)
               AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.name_key = k.name_key)"""
        )
        uses = con.execute(
            """SELECT k.key_group, m.name_key, m.label, m.name, m.surface, count(*)
               FROM mentions m JOIN entity_keys k USING (name_key)
               WHERE k.key_group IN (SELECT id FROM key_groups) GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
    by_group: dict[str, list[names.NameUse]] = {}
    for group, *use in uses:
        by_group.setdefault(group, []).append(names.NameUse(*use))
    resolved = [entity for group_uses in by_group.values() for entity in names.resolve_entities(group_uses)]
    key_ids = arrow(RESOLVED_KEYS, ((key, e.entity_id) for e in resolved for key in e.keys))
    with (
        session.table("resolved_keys", key_ids),
        session.table(
            "resolved", arrow(RESOLVED_ENTITIES, ((e.entity_id, e.name, e.label, list(e.aliases)) for e in resolved))
        ),
    ):
        con.execute(
            "UPDATE entity_keys SET entity_id = r.entity_id FROM resolved_keys r WHERE entity_keys.name_key = r.name_key"
        )
        con.execute(
            """UPDATE mentions SET entity_id = r.entity_id FROM resolved_keys r
               WHERE mentions.name_key = r.name_key AND mentions.entity_id <> r.entity_id"""
        )
        con.execute(
            """INSERT INTO entities (entity_id, name, label, aliases, mention_count, article_count)
               SELECT r.entity_id, r.name, r.label, r.aliases, count(*), count(DISTINCT m.article_id)
               FROM resolved r JOIN mentions m USING (entity_id) GROUP BY ALL"""
        )
