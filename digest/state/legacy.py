"""Read the SQLite store of digest 0.1 (``digest.sqlite``) once, to start a state folder from it.

The store held every paper with its first-seen date, the published themes and each published
paper's placements; everything else in it (cached keywords, a vector space) is cache and is
left behind. tests/data/legacy-store/ holds a store written by digest 0.1.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.errors import StateError
from digest.model import Theme
from digest.state.records import RecordError, StoredPaper, load_record

#: Marks an SQLite file as a digest 0.1 store.
APPLICATION_ID = 0x44474553
SCHEMA_VERSIONS = (1, 2)


@dataclass(frozen=True)
class LegacyStore:
    """What a digest 0.1 store kept: papers, and the themes as last published."""

    papers: tuple[StoredPaper, ...]
    themes: tuple[Theme, ...]
    #: Each published paper's theme slugs, primary first.
    placed: dict[str, tuple[str, ...]]


def read_store(path: Path) -> LegacyStore:
    """Read a digest 0.1 store; raise StateError naming what is wrong with it."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StateError(f"Cannot open the store '{path}': {exc}") from exc
    try:
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if app != APPLICATION_ID:
            raise StateError(f"'{path}' is an SQLite file but not a digest store")
        if version not in SCHEMA_VERSIONS:
            raise StateError(f"The store '{path}' has schema version {version}, unknown to digest")
        papers = tuple(_papers(db, path))
        themes = tuple(
            Theme(s, n, tuple(json.loads(k)), tuple(json.loads(m)), bool(o))
            for s, n, k, m, o in db.execute(
                "SELECT slug, name, keywords, members, is_other FROM themes ORDER BY slug"
            )
        )
        placed = _placed(db) if version >= 2 else {}
    except sqlite3.DatabaseError as exc:
        raise StateError(f"The store '{path}' is corrupt or not a digest store: {exc}") from exc
    finally:
        db.close()
    return LegacyStore(papers, themes, placed)


def _papers(db: sqlite3.Connection, path: Path) -> list[StoredPaper]:
    found = []
    for key, first_seen, data in db.execute("SELECT key, first_seen, data FROM papers"):
        record: dict[str, Any] = json.loads(data)
        # 0.1 kept every field, authors as objects; a state record lists names.
        record["authors"] = [a["name"] for a in record.get("authors") or ()]
        record = {k: v for k, v in record.items() if v not in (None, [], "")}
        record["seen"] = first_seen
        try:
            found.append(load_record(json.dumps(record)))
        except RecordError as exc:
            raise StateError(f"The store '{path}': paper {key!r}: {exc}") from None
    return sorted(found, key=lambda s: (s.first_seen, s.paper.order, s.paper.key))


def _placed(db: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    placed = {}
    for key, data in db.execute("SELECT key, data FROM entries ORDER BY key"):
        try:
            _, placements = json.loads(data)
            placed[key] = tuple(str(slug) for slug, _ in placements)
        except (ValueError, TypeError):
            continue  # A damaged row: the first build regroups the paper.
    return placed
