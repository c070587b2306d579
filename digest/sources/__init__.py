"""Input formats: one reader module per format, registered by name, picked by content.

Adding a format is adding a module here that defines ``READER``; this package finds it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from digest.diagnostics import log, plural, summarised
from digest.errors import SourceError
from digest.merge import merge_papers
from digest.model import Paper
from digest.sources.base import Reader

_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_NOT_READERS = {"base", "hygiene", "jsondoc", "values", "xmldoc"}


def _discover() -> dict[str, Reader]:
    readers: dict[str, Reader] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_READERS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        reader = getattr(module, "READER", None)
        if reader is not None:
            readers[reader.name] = reader
    return readers


READERS: dict[str, Reader] = _discover()
#: Content sniffing tries specific formats first; the plain-text page dump is the fallback.
_SNIFF_ORDER = sorted(READERS, key=lambda name: (name == "trending", name))


def bundled_example() -> Path:
    """Return the bundled example input: a real "trending papers" page dump."""
    return Path(str(files("digest") / "examples" / "trending-papers.txt"))


def reader_for(path: Path, fmt: str | None = None) -> Reader:
    """Return the reader named ``fmt``, or the first whose sniffing accepts ``path``."""
    if fmt is not None:
        try:
            return READERS[fmt]
        except KeyError:
            known = ", ".join(sorted(READERS))
            raise SourceError(f"Unknown input format {fmt!r}; known formats: {known}") from None
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
    for name in _SNIFF_ORDER:
        if READERS[name].sniff(path, head):
            return READERS[name]
    if _HTML.match(head.lstrip(b"\xef\xbb\xbf \t\r\n")):
        raise SourceError(
            f"'{path}' is an HTML page, which digest does not read: save the listing as text "
            f"(the page's titles and abstracts, a line each) or get a feed instead. Formats "
            f"read: {_known()}"
        )
    raise SourceError(
        f"Cannot tell the format of '{path}': it is none of {_known()}; if it is one of "
        "them, name it with --format"
    )


def _known() -> str:
    """The formats digest reads, with what each is, for messages."""
    return "; ".join(f"{name} ({READERS[name].description})" for name in sorted(READERS))


def read_inputs(paths: Sequence[Path], fmt: str | None = None) -> list[Paper]:
    """Read every input and merge papers that share a key, by rank in their files, then key.

    A paper's ``order`` is its place in its own file (a listing's rank), never the place of the
    file on the command line: ``a.txt b.txt`` and ``b.txt a.txt`` build the same site.
    """
    papers: list[Paper] = []
    for path in paths:
        reader = reader_for(path, fmt)
        count_before = len(papers)
        with summarised():
            papers.extend(reader.read(path))
        read = plural(len(papers) - count_before, "paper")
        log.info("Read %s from '%s' (%s)", read, path, reader.name)
    return merge_papers(papers)
