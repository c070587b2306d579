"""The embedded store: every paper ever seen, when it was first seen, cached keywords, themes.

One SQLite file (standard library), one transaction per run, and a lock file so that two builds
never interleave. A store that should exist but does not, or that SQLite cannot read, is a loud
error: a silent fresh start would announce every paper again as new.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from digest.errors import DigestError
from digest.model import Author, Keyword, Paper, Placement, Theme
from digest.sources.merge import merge_two

SCHEMA_VERSION = 2
APPLICATION_ID = 0x44474553  # "DGES": marks the file as a digest store, not any SQLite file.


class StoreError(DigestError):
    """The store is missing, corrupt, locked, or of a schema this version cannot use."""


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE papers (
    key TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    version INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX papers_first_seen ON papers (first_seen);
CREATE TABLE keyword_cache (
    text_hash TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    keywords TEXT NOT NULL,
    PRIMARY KEY (text_hash, settings_hash)
);
CREATE TABLE themes (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    keywords TEXT NOT NULL,
    members TEXT NOT NULL,
    is_other INTEGER NOT NULL
);
CREATE TABLE entries (key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""
# Migrations from version N to N+1, applied in order inside the run's transaction.
_MIGRATIONS: dict[int, str] = {
    # 2: each published paper's keywords and themes, and the grouping's vector space.
    1: """
CREATE TABLE entries (key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL);
""",
}


#: A published paper's keywords and placements, carried to the next build.
Carried = tuple[tuple[Keyword, ...], tuple[Placement, ...]]


@dataclass(frozen=True)
class StoredPaper:
    """A paper as the store knows it, with the date it was first seen."""

    paper: Paper
    first_seen: datetime
    last_changed: datetime


@dataclass(frozen=True)
class Upsert:
    """What one run changed: papers seen for the first time, papers whose record changed."""

    new: tuple[str, ...]
    changed: tuple[str, ...]


class Store:
    """An open store, locked for this process, inside one transaction until commit."""

    def __init__(self, path: Path, connection: sqlite3.Connection, lock: BinaryIO) -> None:
        self.path = path
        self._db = connection
        self._lock = lock
        #: The entries rows as read (JSON), so that saving writes only what changed.
        self._entry_rows: dict[str, str] | None = None

    # -- papers ---------------------------------------------------------------------------
    def upsert(self, papers: Iterable[Paper], seen: datetime) -> Upsert:
        """Insert new papers as first seen at ``seen``; update changed ones in place.

        A newer version, or a changed record of the same version, replaces the stored record but
        keeps its first-seen date, so its feed item and issue never move.
        """
        new: list[str] = []
        changed: list[str] = []
        stamp = seen.isoformat()
        incoming = list(papers)
        stored_rows = self._rows([p.key for p in incoming])
        inserts: list[tuple[object, ...]] = []
        updates: list[tuple[object, ...]] = []
        for paper in incoming:
            data = stored_rows.get(paper.key)
            if data is None:
                dumped = _dump_paper(paper)
                inserts.append((paper.key, stamp, stamp, paper.version, dumped))
                stored_rows[paper.key] = dumped
                new.append(paper.key)
                continue
            stored = _load_paper(data)
            merged = _newer(stored, paper)
            if merged != stored:
                dumped = _dump_paper(merged)
                updates.append((dumped, merged.version, stamp, paper.key))
                stored_rows[paper.key] = dumped
                # Another source listing the same paper is not news; new text or a version is.
                if _content(merged) != _content(stored):
                    changed.append(paper.key)
        # One statement each, many rows: per-row round trips dominated large backfills.
        self._db.executemany("INSERT INTO papers VALUES (?, ?, ?, ?, ?)", inserts)
        self._db.executemany(
            "UPDATE papers SET data = ?, version = ?, last_changed = ? WHERE key = ?", updates
        )
        return Upsert(tuple(new), tuple(changed))

    def _rows(self, keys: Sequence[str]) -> dict[str, str]:
        """Return the stored records (JSON) of those ``keys`` that are stored."""
        found: dict[str, str] = {}
        unique = sorted(set(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, data FROM papers WHERE key IN ({marks})"  # only "?" marks
            found.update(self._db.execute(query, chunk).fetchall())
        return found

    def papers(self) -> list[StoredPaper]:
        """Return every stored paper, oldest first, then by input order."""
        rows = self._db.execute("SELECT data, first_seen, last_changed FROM papers").fetchall()
        stored = [
            StoredPaper(_load_paper(d), datetime.fromisoformat(f), datetime.fromisoformat(c))
            for d, f, c in rows
        ]
        return sorted(stored, key=lambda s: (s.first_seen, s.paper.order, s.paper.key))

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def content_hash(self) -> str:
        """Hash every stored paper with its dates: what the site is built from."""
        h = hashlib.sha256()
        rows = self._db.execute(
            "SELECT key, first_seen, last_changed, data FROM papers ORDER BY key"
        )
        for row in rows:
            h.update("\x1f".join(row).encode("utf-8") + b"\x1e")
        return h.hexdigest()

    # -- metadata ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        if self.get_meta(key) != value:  # An unchanged value is no change to commit.
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- keyword cache --------------------------------------------------------------------
    def cached_keywords(self, settings_hash: str, text_hashes: Sequence[str]) -> dict[str, Any]:
        """Return cached raw keywords by text hash, for the hashes that are cached."""
        found: dict[str, Any] = {}
        for start in range(0, len(text_hashes), 500):
            chunk = list(text_hashes[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                # Only "?" placeholders are interpolated; values are bound parameters.
                f"SELECT text_hash, keywords FROM keyword_cache "
                f"WHERE settings_hash = ? AND text_hash IN ({marks})",
                [settings_hash, *chunk],
            )
            found.update((h, json.loads(k)) for h, k in rows)
        return found

    def cache_keywords(self, settings_hash: str, entries: Iterable[tuple[str, Any]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO keyword_cache VALUES (?, ?, ?)",
            ((h, settings_hash, json.dumps(k, separators=(",", ":"))) for h, k in entries),
        )

    # -- themes ---------------------------------------------------------------------------
    def themes(self) -> list[Theme]:
        """Return the themes the previous build published: the basis of slug stability."""
        rows = self._db.execute("SELECT slug, name, keywords, members, is_other FROM themes")
        themes = (
            Theme(s, n, tuple(json.loads(k)), tuple(json.loads(m)), bool(o))
            for s, n, k, m, o in rows
        )
        return sorted(themes, key=lambda t: t.slug)

    def save_themes(self, themes: Iterable[Theme]) -> None:
        themes = sorted(themes, key=lambda t: t.slug)
        if themes == self.themes():
            return  # unchanged: leave the rows, so that an idle run writes nothing
        self._db.execute("DELETE FROM themes")
        self._db.executemany(
            "INSERT INTO themes VALUES (?, ?, ?, ?, ?)",
            (
                (t.slug, t.name, json.dumps(t.keywords), json.dumps(t.paper_keys), t.is_other)
                for t in themes
            ),
        )

    # -- published entries ----------------------------------------------------------------
    def entries(self) -> dict[str, Carried]:
        """Return each published paper's keywords and placements, by paper key."""
        found: dict[str, Carried] = {}
        self._entry_rows = dict(self._db.execute("SELECT key, data FROM entries").fetchall())
        try:
            # One parse of every row (in C) rather than one call per row: 10,000 rows a build.
            parsed = json.loads("[" + ",".join(self._entry_rows.values()) + "]")
            rows: list[tuple[str, Any]] = list(zip(self._entry_rows, parsed, strict=True))
        except ValueError:
            rows = [(key, _parsed(data)) for key, data in self._entry_rows.items()]
        for key, value in rows:
            try:
                keywords, placements = value
                found[key] = (
                    tuple(Keyword(str(k), str(t), float(s)) for k, t, s in keywords),
                    tuple(Placement(str(slug), tuple(map(str, why))) for slug, why in placements),
                )
            except (ValueError, TypeError):
                continue  # Not carried: the paper is placed again.
        return found

    def save_entries(self, entries: Iterable[tuple[str, Carried]]) -> None:
        """Record the published entries, writing only the rows that changed."""
        if self._entry_rows is None:
            self.entries()
        assert self._entry_rows is not None
        rows = []
        seen = set()
        for key, (keywords, placements) in entries:
            data = json.dumps(
                [
                    [[k.key, k.text, k.score] for k in keywords],
                    [[p.theme_slug, list(p.because)] for p in placements],
                ],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            seen.add(key)
            if self._entry_rows.get(key) != data:
                rows.append((key, data))
                self._entry_rows[key] = data
        self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", rows)
        gone = [(k,) for k in self._entry_rows if k not in seen]
        self._db.executemany("DELETE FROM entries WHERE key = ?", gone)
        for (key,) in gone:
            del self._entry_rows[key]

    def get_blob(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM blobs WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def set_blob(self, key: str, value: bytes) -> None:
        if self.get_blob(key) != value:
            self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (key, value))

    # -- transaction ----------------------------------------------------------------------
    def commit(self) -> None:
        """Commit the run; a run that changed no row leaves the file byte for byte as it was.

        (SQLite stamps every commit into the file header: a scheduled job that keeps the store
        in git would otherwise commit a new store every day with nothing new in it.)
        """
        if self._db.total_changes == 0:
            self._db.rollback()
            return
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()


@contextmanager
def open_store(path: Path, *, create: bool) -> Iterator[Store]:
    """Lock and open the store at ``path`` inside one write transaction.

    ``create`` allows making a new store where none exists; the caller decides when a missing
    store is expected. The transaction is rolled back unless the caller commits.
    """
    if not path.exists() and not create:
        raise StoreError(
            f"The store '{path}' is missing, but a site was already built from one. Starting "
            "afresh would announce every paper again as new: restore the store, or pass "
            "--new-store to start a new one on purpose"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _acquire_lock(path)
    try:
        fresh = not path.exists() or path.stat().st_size == 0
        db = _connect(path)
        try:
            db.execute("BEGIN IMMEDIATE")
            if fresh:
                _create(db)
            else:
                _check_schema(db, path)
            store = Store(path, db, lock)
            try:
                yield store
            except sqlite3.Error as exc:
                # "database or disk is full", "attempt to write a readonly database"...
                raise StoreError(
                    f"Cannot write the store '{path}': {exc}; its last committed state is kept"
                ) from exc
            finally:
                if db.in_transaction:
                    db.rollback()
        finally:
            db.close()
    finally:
        lock.close()


def _acquire_lock(path: Path) -> BinaryIO:
    name = path.with_name(path.name + ".lock")
    try:
        lock = open(name, "ab")  # noqa: SIM115 (held until close)
    except OSError as exc:
        raise StoreError(f"Cannot open the store's lock file '{name}': {exc.strerror}") from exc
    try:
        # A POSIX record lock belongs to this process alone: keyword workers forked later do
        # not inherit it, so a worker outliving a killed build never holds the store.
        fcntl.lockf(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise StoreError(
            f"The store '{path}' is locked by another build; try again when it ends"
        ) from None
    return lock


def _connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=10)
        # WAL is not used: a single-file store is what users commit to their repository.
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA synchronous = FULL")
        return db
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The store '{path}' is corrupt or not a digest store: {exc}") from exc


def _create(db: sqlite3.Connection) -> None:
    # Not executescript(): it commits first, which would end the run's transaction and leave
    # every later statement of a first run to commit on its own.
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in _SCHEMA.strip().split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    try:
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("SELECT count(*) FROM papers").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The store '{path}' is corrupt or not a digest store: {exc}") from exc
    if app != APPLICATION_ID:
        raise StoreError(f"'{path}' is an SQLite file but not a digest store")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The store '{path}' has schema version {version}, newer than this digest "
            f"understands ({SCHEMA_VERSION}): upgrade digest"
        )
    while version < SCHEMA_VERSION:
        script = _MIGRATIONS.get(version)
        if script is None:
            raise StoreError(
                f"The store '{path}' has schema version {version}, which this digest cannot "
                f"migrate to {SCHEMA_VERSION}"
            )
        for statement in script.split(";"):
            if statement.strip():
                db.execute(statement)
        version += 1
        db.execute(f"PRAGMA user_version = {version}")


def _parsed(data: str) -> object:
    """Parse one stored JSON value; a damaged one reads as None."""
    try:
        return json.loads(data)
    except ValueError:
        return None


def _newer(stored: Paper, incoming: Paper) -> Paper:
    """Return the record to keep: merged, the higher version's text winning, first order kept."""
    return replace(merge_two(stored, incoming), order=stored.order)


def _content(paper: Paper) -> tuple[object, ...]:
    return (paper.title, paper.abstract, paper.version)


_PAPER_FIELDS = fields(Paper)
_AUTHOR_FIELDS = fields(Author)


def _dump_paper(paper: Paper) -> str:
    # What dataclasses.asdict gives, without its deep copy of every field (a third of a
    # first build's time to fill the store).
    data: dict[str, Any] = {f.name: getattr(paper, f.name) for f in _PAPER_FIELDS}
    data["authors"] = [{f.name: getattr(a, f.name) for f in _AUTHOR_FIELDS} for a in paper.authors]
    for name in ("published", "updated"):
        value = getattr(paper, name)
        data[name] = value.isoformat() if value else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _load_paper(text: str) -> Paper:
    data = json.loads(text)
    values: dict[str, Any] = {}
    for f in _PAPER_FIELDS:
        value = data.get(f.name)
        if f.name in ("published", "updated"):
            value = datetime.fromisoformat(value) if value else None
        elif f.name == "authors":
            value = tuple(Author(**a) for a in value or ())
        elif isinstance(value, list):
            value = tuple(value)
        if f.name in data:
            values[f.name] = value
    return Paper(**values)
