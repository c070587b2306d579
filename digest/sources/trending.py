"""The plain-text dump of a "trending papers" page: two header lines, then title / abstract."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from digest.diagnostics import log
from digest.errors import SourceError
from digest.model import Paper
from digest.sources.base import RecordError, build_paper, read_text_file

HEADER_LINES = 2
# Only real line ends: str.splitlines() would also split at \v, \f, \x1c-\x1e, \x85 and
# U+2028/9, which belong inside a line (and are stripped later with a warning).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The page's "Subscribe" button text runs into the first title when the page is copied.
_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")


class TrendingReader:
    """Read the page dump; blank lines, CRLF, a BOM and odd spaces are tolerated."""

    name = "trending"
    description = "plain-text trending-papers page: 2 header lines, then title and abstract lines"

    def sniff(self, path: Path, head: bytes) -> bool:
        # The fallback format: anything that is not JSON or XML is tried as a page dump.
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return not stripped.startswith((b"{", b"[", b"<"))

    def read(self, path: Path) -> Iterator[Paper]:
        lines = [
            (number, line)
            for number, line in enumerate(_LINE_BREAK.split(read_text_file(path)), start=1)
            if line.strip()
        ]
        if not lines:
            raise SourceError(f"'{path}' is empty: expected a page of titles and abstracts")
        body = lines[HEADER_LINES:]
        if not body:
            raise SourceError(f"'{path}' has only its header lines and no papers")
        if len(body) % 2:
            number, line = body[-1]
            raise SourceError(
                f"Error reading '{path}', line {number}: title {line.strip()[:60]!r} has no "
                "abstract line (the file has an odd number of title and abstract lines)"
            )
        for index in range(0, len(body), 2):
            (title_line, title), (abstract_line, abstract) = body[index], body[index + 1]
            if index == 0:
                title = _SUBSCRIBE.sub("", title.lstrip("\ufeff "))
            paper = f"(paper {index // 2 + 1})"
            try:
                yield build_paper(
                    f"'{path}', line {title_line} {paper}",
                    title,
                    abstract,
                    abstract_where=f"'{path}', line {abstract_line} {paper}",
                    order=index // 2,
                    source=f"file:{path.name}",
                )
            except RecordError as exc:
                log.warning("Skipped paper: %s", exc)


READER = TrendingReader()
