"""Strict JSON for the JSON readers: positions in every error, no NaN, no duplicate keys.

Python's ``json`` accepts ``NaN`` and ``Infinity`` and silently keeps the last of duplicate keys;
both hide broken exports, so both are refused here. A huge file never has to fit in memory: a
top-level array is decoded one element at a time from a window of text read in chunks, and JSONL
line by line, each with a cap on the size of one record, and every error keeps its line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from digest.errors import SourceError

#: The longest JSONL line read; longer lines are refused rather than read into memory.
MAX_LINE_BYTES = 16 * 1024 * 1024
#: The longest element of a JSON array read from a file, for the same reason.
MAX_RECORD_CHARS = 16 * 1024 * 1024
#: Bytes read from a JSON array file at a time.
CHUNK_BYTES = 256 * 1024
# An error this close to the end of the text read so far may be a token cut by the chunk
# boundary ("-Infin", "\\u00", "tr"), not bad JSON: read on before believing it.
_CUT_MARGIN = 16
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
    except ValueError as exc:  # int() refuses a number of over 4300 digits (CVE-2020-10735)
        raise SourceError(f"Error reading '{origin}', line {line}: {_number_error(exc)}") from None
    except RecursionError:
        raise SourceError(f"Error reading '{origin}', line {line}: nested too deeply") from None


def _number_error(exc: ValueError) -> str:
    """Describe the ValueError that json raises (not as JSONDecodeError) for a huge integer."""
    return f"a number too long to read ({str(exc).split(':')[0]})"


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
    return _ArrayStream((), origin, text=text).elements()


def iter_array_file(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, element)`` of the JSON array in ``path``, reading it in bounded memory."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
    with handle:
        yield from _ArrayStream(_utf8_chunks(handle, str(path)), str(path)).elements()


def _utf8_chunks(handle: BinaryIO, origin: str) -> Iterator[str]:
    """Decode ``handle`` chunk by chunk (BOM allowed); a bad byte fails with its file offset.

    A character cut by a chunk boundary is carried over to the next chunk, so only bytes that
    are really not UTF-8 fail.
    """
    offset, pending = 0, b""  # the file offset of ``pending``, bytes not decoded yet
    while True:
        try:
            chunk = handle.read(CHUNK_BYTES)
        except OSError as exc:
            raise SourceError(f"Cannot read '{origin}': {exc.strerror}") from exc
        data = pending + chunk
        if offset == 0 and data.startswith(b"\xef\xbb\xbf"):
            data, offset = data[3:], 3
        try:
            text, pending = data.decode("utf-8"), b""
        except UnicodeDecodeError as exc:
            if not (chunk and exc.reason == "unexpected end of data" and exc.end == len(data)):
                raise SourceError(
                    f"'{origin}' is not UTF-8: byte offset {offset + exc.start} "
                    f"(0x{data[exc.start]:02x}) cannot be decoded"
                ) from exc
            text, pending = data[: exc.start].decode("utf-8"), data[exc.start :]
        offset += len(data) - len(pending)
        if text:
            yield text
        if not chunk:
            return


class _ArrayStream:
    """Decode a top-level JSON array element by element from a stream of text chunks.

    Only a window of the text is kept: from the start of the element being decoded to the end
    of what has been read. Positions in errors are the file's line and column all the same: the
    line and column of the window's start (``_mark``) are carried along as the window moves.
    """

    def __init__(self, chunks: Iterable[str], origin: str, *, text: str | None = None) -> None:
        """Read ``chunks``, or decode ``text``, a whole document already in memory."""
        self._chunks = iter(chunks)
        self._origin = origin
        self._text = text or ""
        self._pos = 0
        self._eof = text is not None
        self._mark, self._mark_line, self._mark_column = 0, 1, 0

    def elements(self) -> Iterator[tuple[int, Any]]:
        """Yield ``(line, element)`` for each element; raise SourceError for bad JSON."""
        self._skip()
        if not self._text.startswith("[", self._pos):
            raise SourceError(f"'{self._origin}' is not a JSON array of papers")
        self._pos += 1
        self._skip()
        if self._text.startswith("]", self._pos):
            self._pos += 1
        else:
            while True:
                line = self._mark_line  # _skip() moved the mark to the element's start
                yield line, self._value(line)
                self._skip()
                if self._text.startswith(",", self._pos):
                    self._pos += 1
                    self._skip()
                elif self._text.startswith("]", self._pos):
                    self._pos += 1
                    break
                else:
                    raise self._error(self._pos, "Expecting ',' delimiter")
        self._skip()
        if self._pos != len(self._text):
            raise self._error(self._pos, "Extra data")

    def _value(self, line: int) -> Any:
        """Decode the value at ``_pos``, reading on while the text may be cut inside it."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or (
                    exc.pos >= len(self._text) - _CUT_MARGIN
                )
                if self._eof or not cut:
                    raise self._error(exc.pos, exc.msg) from None
            except _Rejected as exc:
                raise SourceError(f"Error reading '{self._origin}', line {line}: {exc}") from None
            except ValueError as exc:  # a number of over 4300 digits, as in _decode_at
                raise SourceError(
                    f"Error reading '{self._origin}', line {line}: {_number_error(exc)}"
                ) from None
            except RecursionError:
                raise SourceError(
                    f"Error reading '{self._origin}', line {line}: nested too deeply"
                ) from None
            else:
                # A number near the end of the text read so far ("2." of "2.5") may go on.
                if end <= len(self._text) - _CUT_MARGIN or self._eof:
                    self._pos = end
                    return value
            if len(self._text) - self._pos > MAX_RECORD_CHARS:
                raise SourceError(
                    f"Error reading '{self._origin}', line {line}: a record longer than "
                    f"{MAX_RECORD_CHARS} characters; is a string left unterminated?"
                )
            self._read(len(self._text) - self._pos)

    def _skip(self) -> None:
        """Move ``_pos`` and the mark past whitespace, reading more text as needed."""
        while True:
            match = _WHITESPACE.match(self._text, self._pos)
            self._pos = match.end() if match else self._pos
            self._move_mark(self._pos)
            if self._pos < len(self._text) or not self._read(1):
                return

    def _read(self, at_least: int) -> bool:
        """Append at least ``at_least`` characters (unless the text ends); drop what is done.

        Reading as much again as the element so far makes retrying a long element linear.
        """
        added: list[str] = []
        size = 0
        while size < at_least and not self._eof:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
            else:
                added.append(chunk)
                size += len(chunk)
        self._text = self._text[self._mark :] + "".join(added)
        self._pos -= self._mark
        self._mark = 0
        return size > 0

    def _move_mark(self, index: int) -> None:
        """Move the mark to ``index``, counting the lines and columns it passes."""
        newlines = self._text.count("\n", self._mark, index)
        if newlines:
            self._mark_line += newlines
            self._mark_column = index - self._text.rindex("\n", self._mark, index) - 1
        else:
            self._mark_column += index - self._mark
        self._mark = index

    def _error(self, index: int, message: str) -> SourceError:
        """Return the syntax error at ``index`` (at or after the mark) with line and column."""
        newlines = self._text.count("\n", self._mark, index)
        if newlines:
            column = index - self._text.rindex("\n", self._mark, index)
        else:
            column = self._mark_column + index - self._mark + 1
        where = f"line {self._mark_line + newlines}, column {column}"
        return SourceError(f"Error reading '{self._origin}', {where}: invalid JSON ({message})")


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
