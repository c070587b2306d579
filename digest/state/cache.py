"""The cache: what a build can compute again from the kept state, kept to save time.

```
.digest-cache/
  keywords.sqlite     raw keywords by text hash and extraction settings; paper cards' HTML
                      by a hash of everything the card shows (digest.writers.cards); each
                      issue's headings by a hash of its papers and themes (digest.gather)
  arrays/<key>.npz    numeric results (a grouping's vector space, ...) by a hash of their inputs
```

Every entry is keyed by a hash of what it was made from (text, settings, versions), so a stale
entry is never used: it is simply not found. Losing the folder costs time, never a different
page (tests/test_state.py builds with and without it and compares the sites byte for byte).
A damaged entry reads as missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.errors import StateError

if TYPE_CHECKING:
    from numpy.typing import NDArray

_KEYWORDS = "keywords.sqlite"
_ARRAYS = "arrays"


class Cache:
    """A cache folder: keyword lists in SQLite, arrays in ``.npz`` files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.root / _KEYWORDS, isolation_level=None)
                # A cache needs no commit on disk before the build goes on: with a write-ahead
                # log, a commit waits for no fsync (SQLite's default journal waited for three:
                # 17 ms a commit here, a daily build commits a page's new cards a hundred
                # times) and the file stays whole after a kill or a power cut; the commits
                # a power cut loses cost the next build time, as a missing cache does.
                with contextlib.suppress(sqlite3.Error):  # A read-only cache: as it is.
                    if db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                        db.execute("PRAGMA synchronous=NORMAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS keywords (text_hash TEXT, settings_hash TEXT, "
                    "keywords TEXT NOT NULL, PRIMARY KEY (text_hash, settings_hash))"
                )
                for table in ("rendered", "headings"):
                    db.execute(
                        f"CREATE TABLE IF NOT EXISTS {table} "
                        "(key TEXT PRIMARY KEY, text TEXT NOT NULL)"
                    )
            except (OSError, sqlite3.Error) as exc:
                raise StateError(f"Cannot open the cache '{self.root}': {exc}") from exc
            self._db = db
        return self._db

    def cached_keywords(self, settings_hash: str, text_hashes: Sequence[str]) -> dict[str, Any]:
        """Return cached keyword lists by text hash, for the hashes that are cached."""
        found: dict[str, Any] = {}
        query = "SELECT text_hash, keywords FROM keywords WHERE settings_hash = ? AND text_hash"
        for text_hash, data in self._rows_in(query, text_hashes, settings_hash):
            with contextlib.suppress(ValueError):
                found[text_hash] = json.loads(data)
        return found

    def _rows_in(self, query: str, keys: Sequence[str], *params: str) -> list[tuple[str, str]]:
        """Return the rows of ``query`` ``IN`` ``keys``, 500 keys a statement (SQLite's bound
        on parameters); a damaged cache reads as the rows found so far."""
        db = self._connect()
        rows: list[tuple[str, str]] = []
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            try:
                # Only "?" placeholders are interpolated; values are bound parameters.
                rows += db.execute(f"{query} IN ({marks})", [*params, *chunk]).fetchall()
            except sqlite3.DatabaseError:
                break
        return rows

    def cache_keywords(self, settings_hash: str, entries: Iterable[tuple[str, Any]]) -> None:
        """Remember keyword lists by text hash (at once: a kill keeps all or none of them).
        A failure leaves the build going: the keywords are in memory, the next build pays."""
        rows = [(h, settings_hash, json.dumps(k, separators=(",", ":"))) for h, k in entries]
        self._write(
            "keyword",
            lambda db: db.executemany("INSERT OR REPLACE INTO keywords VALUES (?, ?, ?)", rows),
        )

    def rendered(self, keys: Sequence[str]) -> dict[str, str]:
        """Return the rendered texts cached under ``keys`` (those that are cached)."""
        return dict(self._rows_in("SELECT key, text FROM rendered WHERE key", keys))

    def keep_rendered(self, texts: Mapping[str, str]) -> None:
        """Remember rendered texts by key (at once: a kill keeps all or none of them)."""
        self._write(
            "rendered",
            lambda db: db.executemany(
                "INSERT OR REPLACE INTO rendered VALUES (?, ?)", texts.items()
            ),
        )

    def forget_rendered(self, used: Collection[str]) -> None:
        """Forget the rendered texts not in ``used`` (every key a build asked for) once they
        outnumber those, so the table stays about the size of one site."""

        def prune(db: sqlite3.Connection) -> None:
            (count,) = db.execute("SELECT COUNT(*) FROM rendered").fetchone()
            if count > 2 * len(used):
                _forget_unused(db, "rendered", used)

        self._write("rendered", prune)

    def headings(self, keys: Sequence[str]) -> dict[str, str]:
        """Return the issue headings (JSON) cached under ``keys`` (those that are cached)."""
        return dict(self._rows_in("SELECT key, text FROM headings WHERE key", keys))

    def keep_headings(self, found: Mapping[str, str], used: Collection[str]) -> None:
        """Remember issue headings by key and forget those of keys not ``used`` (every key
        this build asked for: one an issue, so the table stays the size of the archive)."""

        def change(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO headings VALUES (?, ?)", found.items())
            _forget_unused(db, "headings", used)

        self._write("headings", change)

    def _write(self, what: str, change: Callable[[sqlite3.Connection], object]) -> None:
        """Make ``change`` in one transaction; a failure costs the next build time, no more."""
        db = self._connect()
        try:
            with db:
                db.execute("BEGIN")
                change(db)
        except sqlite3.Error as exc:
            from digest.diagnostics import log

            log.debug("Cannot write the %s cache: %s", what, exc)

    def arrays(self, key: str) -> dict[str, NDArray[Any]] | None:
        """Return the arrays stored under ``key``, None when missing or unreadable."""
        # numpy loads when arrays are read or kept, not with the state: a build with nothing
        # new opens the state and stops (bench/versus.py, "warm rebuild").
        import numpy as np

        path = self.root / _ARRAYS / f"{key}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError, EOFError):
            return None

    def keep_arrays(self, key: str, arrays: dict[str, NDArray[Any]]) -> None:
        """Store ``arrays`` under ``key`` (written aside and renamed: never half a file)."""
        import numpy as np  # See arrays().

        folder = self.root / _ARRAYS
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        except OSError:
            return  # Only time is lost.
        try:
            # Straight into the file: made in memory first, the arrays were held twice more
            # (the buffer and its copy), hundreds of MB at 100,000 papers (bench/README.md).
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, folder / f"{key}.npz")
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _forget_unused(db: sqlite3.Connection, table: str, used: Collection[str]) -> None:
    """Delete the rows of ``table`` (one of the cache's own) whose key is not in ``used``."""
    db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in used))
    db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM used)")
    db.execute("DROP TABLE used")
