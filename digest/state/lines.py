"""The line format of kept state files: UTF-8 text, one record a line, every line ended.

A file that is not UTF-8 or ends in a partial line was damaged (a day only appends whole
lines, through :mod:`digest.state.journal`), so reading it is an error, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from digest.errors import StateError


def text_line(text: str) -> bytes:
    """One state line of ``text``."""
    return (text + "\n").encode("utf-8")


def json_line(value: object) -> bytes:
    """One state line: compact JSON, keys sorted, UTF-8 as it is."""
    return text_line(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) of a state file's non-blank lines."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StateError(
            f"'{path}' is not UTF-8 (byte {exc.start}): the state is damaged"
        ) from None
    if text and not text.endswith("\n"):
        raise StateError(f"'{path}' ends in a partial line: the state is damaged")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line
