"""Hugging Face's ``/api/daily_papers`` answer: a JSON list of submissions, each with a ``paper``.

Hugging Face adds what arXiv lacks: upvotes, a code repository, a project page and its own
keywords (``ai_keywords``). Its papers carry arXiv ids, so merging with an arXiv source yields
one paper with arXiv's text and these extras (see :mod:`digest.merge`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from digest.diagnostics import log
from digest.errors import SourceError
from digest.identity import parse_arxiv_id
from digest.links import arxiv_abs
from digest.model import HF_SOURCE, Paper
from digest.sources.base import RecordError, build_paper, require_text
from digest.sources.jsondoc import decode_utf8, iter_array, json_type
from digest.sources.values import iso_datetime, optional_url, string_list

SOURCE = HF_SOURCE

# A list whose objects hold a nested "paper" object: tells this answer from a plain paper list.
_PAPER_OBJECT = re.compile(rb'"paper"\s*:\s*\{')


def parse_hf_daily(data: bytes, origin: str) -> tuple[Paper, ...]:
    """Parse one daily-papers answer; bad records are logged and skipped, bad JSON raises."""
    text = decode_utf8(data, origin)
    if not text.strip():
        raise SourceError(f"'{origin}' is empty: expected a JSON list of daily papers")
    papers = []
    for number, (line, record) in enumerate(iter_array(text, origin), start=1):
        where = f"paper {number} in '{origin}' (line {line})"
        try:
            papers.append(_record_paper(record, where, order=number - 1))
        except RecordError as exc:
            log.warning("Error reading %s", exc)
    return tuple(papers)


def _record_paper(record: object, where: str, *, order: int) -> Paper:
    if not isinstance(record, dict):
        raise RecordError(f"{where}: expected a JSON object, got {json_type(record)}")
    paper = record.get("paper")
    if not isinstance(paper, dict):
        raise RecordError(f"{where}: missing 'paper' object")
    ident = paper.get("id")
    parsed = parse_arxiv_id(ident) if isinstance(ident, str) else None
    if parsed is None:
        raise RecordError(f"{where}: 'paper.id' {ident!r} is not an arXiv id")
    upvotes = paper.get("upvotes")
    # bool is an int in Python; JSON true is not a vote count.
    if upvotes is not None and (isinstance(upvotes, bool) or not isinstance(upvotes, int)):
        raise RecordError(f"{where}: 'paper.upvotes' must be an integer")
    repo = optional_url(paper.get("githubRepo"), where, "paper.githubRepo")
    return build_paper(
        where,
        require_text(paper.get("title", record.get("title")), where, "paper.title"),
        require_text(paper.get("summary", record.get("summary")), where, "paper.summary"),
        order=order,
        source=SOURCE,
        arxiv_id=parsed[0],
        version=parsed[1],
        authors=_authors(paper.get("authors"), where),
        published=iso_datetime(paper.get("publishedAt"), where, "paper.publishedAt"),
        url=arxiv_abs(parsed[0]),
        code_urls=(repo,) if repo else (),
        project_url=optional_url(paper.get("projectPage"), where, "paper.projectPage"),
        upvotes=upvotes,
        source_keywords=string_list(paper.get("ai_keywords"), where, "paper.ai_keywords"),
    )


def _authors(value: Any, where: str) -> list[str]:
    """Return the names of ``[{"name": ...}, ...]``; hidden authors are still authors."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{where}: 'paper.authors' must be a list")
    names = []
    for author in value:
        name = author.get("name") if isinstance(author, dict) else None
        if not isinstance(name, str):
            raise RecordError(f"{where}: each of 'paper.authors' needs a 'name' string")
        names.append(name)
    return names


class HfDailyReader:
    """Read a saved Hugging Face daily-papers answer."""

    name = "hf-daily"
    description = "Hugging Face /api/daily_papers JSON"

    def sniff(self, path: Path, head: bytes) -> bool:
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return stripped.startswith(b"[") and _PAPER_OBJECT.search(stripped) is not None

    def read(self, path: Path) -> Iterator[Paper]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(f"Cannot read '{path}': {exc.strerror}") from exc
        yield from parse_hf_daily(data, str(path))


READER = HfDailyReader()
