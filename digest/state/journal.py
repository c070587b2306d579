"""Change several files of a folder as one: a kill leaves them as they were or as they will be.

The changes (appends, whole-file replacements, deletions) are first written to a journal file,
which appears atomically (written aside, synced, renamed). Only then are they applied; the
journal is removed last. A process killed while applying leaves the journal behind, and the
next :func:`recover` applies it again: an append first truncates its file to the length it had
before, so no line is ever written twice or left half written (tests/test_state.py,
tests/test_faults.py).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from digest.atomic import write_chunks, write_file

JOURNAL = ".journal"
#: The data field of a journal entry, as json.dumps writes it empty.
_DATA_FIELD = b'"data": ""'
#: Bytes of a file encoded at a time in the journal (whole groups of three bytes).
_PIECE = 3 * 1024 * 1024


@dataclass
class Changes:
    """Changes to files of one folder, by path relative to it, applied together."""

    #: Growing buffers: a first build appends every paper's line to one month's file, and
    #: adding bytes to bytes copied all of them each time (bench/state_append.py: 10,000
    #: lines took 39 s, 20,000 128 s).
    appends: dict[str, bytearray] = field(default_factory=dict)
    replaces: dict[str, bytes] = field(default_factory=dict)
    deletes: set[str] = field(default_factory=set)

    def append(self, path: str, data: bytes) -> None:
        if data:
            self.appends.setdefault(path, bytearray()).extend(data)

    def __bool__(self) -> bool:
        return bool(self.appends or self.replaces or self.deletes)


def commit(root: Path, changes: Changes) -> None:
    """Apply ``changes`` to the files under ``root`` all at once, or (if killed) not yet."""
    if not changes:
        return
    sizes = {path: _size(root / path) for path in changes.appends}
    write_chunks(root / JOURNAL, _journal(changes, sizes))
    _sync_dir(root)
    # What the journal says is what is in memory: it is applied from there, as recover() would
    # apply it. Made as one JSON text and read back, a cold build's journal (its papers' lines
    # in base64) was held four times over at once: +441 MB at the end of a 100,000-paper
    # build (bench/README.md, "the peak of a 100,000-paper build").
    for path, added in sorted(changes.appends.items()):
        _append(root / path, sizes[path], added)
    for path, data in sorted(changes.replaces.items()):
        write_file(root / path, data)
    for path in sorted(changes.deletes):
        with contextlib.suppress(FileNotFoundError):
            (root / path).unlink()
    (root / JOURNAL).unlink()
    _sync_dir(root)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _journal(changes: Changes, sizes: Mapping[str, int]) -> Iterator[bytes]:
    """Yield the journal of ``changes`` a piece at a time: the JSON list of its entries that
    :func:`recover` reads, each file's bytes in base64 (appends, then replacements, then
    deletions, each by path)."""
    entries: list[tuple[dict[str, object], bytes | bytearray | None]] = []
    entries += [
        ({"append": path, "size": sizes[path]}, added)
        for path, added in sorted(changes.appends.items())
    ]
    entries += [({"replace": path}, data) for path, data in sorted(changes.replaces.items())]
    entries += [({"delete": path}, None) for path in sorted(changes.deletes)]
    yield b"["
    for number, (fields, data) in enumerate(entries):
        if number:
            yield b", "
        if data is None:
            yield json.dumps(fields, sort_keys=True).encode("utf-8")
            continue
        # Split around the empty data field (a quote inside a path is escaped, so the one
        # match is the field), the data encoded between in pieces of whole base64 groups.
        text = json.dumps({**fields, "data": ""}, sort_keys=True).encode("utf-8")
        before, after = text.split(_DATA_FIELD)
        yield before + _DATA_FIELD[:-1]
        view = memoryview(data)
        for start in range(0, len(view), _PIECE):
            yield base64.b64encode(view[start : start + _PIECE])
        yield b'"' + after
    yield b"]"


def recover(root: Path) -> bool:
    """Apply a journal left by a killed :func:`commit`; return whether there was one."""
    journal = root / JOURNAL
    if not journal.exists():
        return False
    entries = json.loads(journal.read_bytes())
    for entry in entries:
        if "append" in entry:
            _append(root / entry["append"], int(entry["size"]), _decode(entry["data"]))
        elif "replace" in entry:
            write_file(root / entry["replace"], _decode(entry["data"]))
        else:
            with contextlib.suppress(FileNotFoundError):
                (root / entry["delete"]).unlink()
    journal.unlink()
    _sync_dir(root)
    return True


def _append(path: Path, size: int, data: bytes | bytearray) -> None:
    """Make ``path`` its first ``size`` bytes followed by ``data``, synced to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.truncate(size)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    _sync_dir(path.parent)


def _decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _sync_dir(path: Path) -> None:
    """Make a folder's new and renamed entries durable (where the platform allows)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
