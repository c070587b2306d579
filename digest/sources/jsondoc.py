"""Strict JSON for the JSON readers: positions in every error, no NaN, no duplicate keys.

Python's ``json`` accepts ``NaN`` and ``Infinity`` and silently keeps the last of duplicate keys;
both hide broken exports, so both are refused here. JSON arrays are decoded one element at a time
so that each record's line is known, and JSONL is streamed line by line with a cap on line length
so that a huge file never has to fit in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from digest.errors import SourceError

#: The longest JSONL line read; longer lines are refused rather than read into memory.
MAX_LINE_BYTES = 16 * 1024 * 1024
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _Rejected(ValueError):
    """Valid JSON syntax that digest refuses (non-finite numbers, duplicate keys)."""


def _reject_constant(name: str) -> Any:
    raise _Rejected(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Rejected(f"duplicate key {key!r}")
        result[key] = value
    return result


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)


def decode_utf8(data: bytes, origin: str) -> str:
    """Decode UTF-8 (BOM allowed), failing with the byte offset of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"'{origin}' is not UTF-8: byte offset {exc.start} "
            f"(0x{data[exc.start]:02x}) cannot be decoded"
        ) from exc


def _decode_at(text: str, index: int, origin: str, line: int, line_offset: int) -> tuple[Any, int]:
    """Decode one value starting at ``index``; errors name the file's line and column.

    ``line_offset`` is added to the decoder's line number: JSONL lines are decoded on their own.
    """
    try:
        return _DECODER.raw_decode(text, index)
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc.pos, origin, exc.msg, line_offset) from None
    except _Rejected as exc:
        raise SourceError(f"Error reading '{origin}', line {line}: {exc}") from None
    except RecursionError:
        raise SourceError(f"Error reading '{origin}', line {line}: nested too deeply") from None


def _skip(text: str, index: int) -> int:
    """Return the index of the first non-whitespace character at or after ``index``."""
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _syntax_error(
    text: str, index: int, origin: str, message: str, line_offset: int = 0
) -> SourceError:
    exc = json.JSONDecodeError(message, text, index)
    where = f"line {exc.lineno + line_offset}, column {exc.colno}"
    return SourceError(f"Error reading '{origin}', {where}: invalid JSON ({message})")


def loads(text: str, origin: str, line: int = 1) -> Any:
    """Decode one whole JSON document (or one JSONL line numbered ``line``) strictly."""
    value, end = _decode_at(text, _skip(text, 0), origin, line, line - 1)
    end = _skip(text, end)
    if end != len(text):
        raise _syntax_error(text, end, origin, "Extra data", line - 1)
    return value


def iter_array(text: str, origin: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, element)`` for each element of a top-level JSON array, in order."""
    index = _skip(text, 0)
    if not text.startswith("[", index):
        raise SourceError(f"'{origin}' is not a JSON array of papers")
    index = _skip(text, index + 1)
    line, counted = 1, 0
    if text.startswith("]", index):
        index += 1
    else:
        while True:
            line += text.count("\n", counted, index)
            counted = index
            value, index = _decode_at(text, index, origin, line, 0)
            yield line, value
            index = _skip(text, index)
            if text.startswith(",", index):
                index = _skip(text, index + 1)
            elif text.startswith("]", index):
                index += 1
                break
            else:
                raise _syntax_error(text, index, origin, "Expecting ',' delimiter")
    index = _skip(text, index)
    if index != len(text):
        raise _syntax_error(text, index, origin, "Extra data")


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, value)`` for each non-blank line of a JSONL file, reading one at a time."""
    origin = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
    with handle:
        offset = 0
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(raw) > MAX_LINE_BYTES:
                raise SourceError(
                    f"Error reading '{origin}', line {number}: longer than "
                    f"{MAX_LINE_BYTES} bytes; is this really JSON Lines?"
                )
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise SourceError(
                    f"'{origin}' is not UTF-8: byte offset {offset + exc.start} "
                    f"(0x{raw[exc.start]:02x}, line {number}) cannot be decoded"
                ) from exc
            offset += len(raw)
            # Without its line end, an error at the end of a line is reported on that line.
            text = text.rstrip("\r\n")
            if text.strip():
                yield number, loads(text, origin, number)


def looks_like_json(head: bytes) -> bool:
    """Return True if a file starting with ``head`` starts like a JSON array or object."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"[", b"{"))


def json_type(value: object) -> str:
    """Name a decoded value's JSON type for messages: "an array", "null", "a number"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string" if isinstance(value, str) else "a number"
