"""The machine-readable export, ``digest.json``: the digest as data for other tools."""

from __future__ import annotations

import json
from typing import Any

from digest.model import Digest, Entry


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
        "keywords": [{"text": k.text, "score": round(k.score, 6)} for k in entry.keywords],
        "themes": [p.theme_slug for p in entry.themes],
    }


def export_json(digest: Digest) -> bytes:
    """Return the export: papers in input order (first theme primary), themes in page order."""
    document = {
        "title": digest.title,
        "built": digest.built.isoformat(),
        "papers": [_paper(e) for e in sorted(digest.entries, key=lambda e: e.paper.order)],
        "themes": [
            {
                "slug": t.slug,
                "name": t.name,
                "keywords": list(t.keywords),
                "papers": list(t.paper_keys),
            }
            for t in digest.themes
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()
