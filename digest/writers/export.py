"""The machine-readable export, ``digest.json``: the digest as data for other tools."""

from __future__ import annotations

import json
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


def export_json(digest: Digest) -> bytes:
    """Return the export: papers in input order (first theme primary, related papers best
    first), themes in page order, then "For you" (the latest issue's papers, best first).

    One paper or theme per line: ``json.dumps`` with ``indent`` runs in pure Python (4.7 s for
    10,000 papers), without it in C; a line per record still diffs well from day to day.
    """
    papers = ["  " + _line(_paper(e)) for e in sorted(digest.entries, key=lambda e: e.paper.order)]
    themes = ["  " + _line(_theme(t)) for t in digest.themes]
    head = f'{{\n "title": {_line(digest.title)},\n "built": {_line(digest.built.isoformat())},'
    parts = [head, ' "papers": [', ",\n".join(papers), " ],", ' "themes": [', ",\n".join(themes)]
    for_you = _line([r.key for r in digest.for_you])
    parts += [" ],", f' "for_you": {for_you}', "}"]
    return ("\n".join(parts) + "\n").encode()


def _theme(theme: Theme) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "keywords": list(theme.keywords),
        "papers": list(theme.paper_keys),
    }


def _line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
