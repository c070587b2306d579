"""The machine-readable export, ``digest.json``: the digest as data for other tools."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from digest.model import Digest, Entry, Keyword, Theme
from digest.text.words import split_acronym

#: Where the export is, relative to the site.
EXPORT_PATH = "digest.json"


def _paper(entry: Entry) -> dict[str, Any]:
    paper = entry.paper
    return {
        "id": paper.key,
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": [a.name for a in paper.authors],
        "categories": list(paper.categories),
        "published": paper.published.isoformat() if paper.published else None,
        "listed": entry.listed.isoformat(),
        "code_urls": list(paper.code_urls),
        "keywords": [_keyword(k) for k in entry.keywords],
        "themes": [p.theme_slug for p in entry.themes],
        "related": list(entry.related),
    }


def _keyword(keyword: Keyword) -> dict[str, Any]:
    """A keyword as data: its phrase, and the acronym its paper defines for it apart.

    The site shows "large language models (LLMs)"; a tool reading the export compares phrases
    ("large language models" with another paper's, or another system's keywords) and would
    otherwise count "(LLMs)" as a word of the phrase.
    """
    phrase, acronym = split_acronym(keyword.text)
    found: dict[str, Any] = {"text": phrase or keyword.text}
    if acronym:
        found["acronym"] = acronym
    found["score"] = round(keyword.score, 6)
    return found


def export_pieces(digest: Digest) -> Iterator[str]:
    """Yield the export a line at a time: papers in input order (first theme primary, related
    papers best first), themes in page order, then "For you" (the latest issue's papers, best
    first).

    One paper or theme per line: ``json.dumps`` with ``indent`` runs in pure Python (4.7 s for
    10,000 papers), without it in C; a line per record still diffs well from day to day. Made
    a line at a time, it is never held whole: the lines, their join and its bytes were held
    at once, the peak of a 100,000-paper build (bench/README.md, "the peak of a 100,000-paper
    build").
    """
    yield f'{{\n "title": {_line(digest.title)},\n "built": {_line(digest.built.isoformat())},\n'
    yield ' "papers": [\n'
    ordered = sorted(digest.entries, key=lambda e: e.paper.order)
    yield from _records(_paper(e) for e in ordered)
    yield '\n ],\n "themes": [\n'
    yield from _records(_theme(t) for t in digest.themes)
    yield f'\n ],\n "for_you": {_line([r.key for r in digest.for_you])}\n}}\n'


def _records(records: Iterable[object]) -> Iterator[str]:
    """Yield a JSON list's records a line each, ``,`` ending every line but the last."""
    for number, record in enumerate(records):
        yield ("  " if number == 0 else ",\n  ") + _line(record)


def _theme(theme: Theme) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "keywords": list(theme.keywords),
        "papers": list(theme.paper_keys),
    }


def _line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
