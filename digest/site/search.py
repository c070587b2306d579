"""Site search with Pagefind: the one module that runs it.

Pagefind (its binary ships on PyPI as ``pagefind-bin``) writes a static search index cut into
small chunks: a reader's browser loads only the chunks a query needs, whatever the size of the
digest (bench/scale.py measures the largest file a search downloads). digest gives it one
record per paper, not the pages (a paper is on its theme page and its issue page): a record is
a small HTML document of the paper's title (a heading, which Pagefind ranks above body text),
abstract and authors, whose metadata says where its card is. Themes have records of their own,
which the search page lists after the papers (``site_templates/theme/assets/digest.js``).

The papers are indexed in buckets of :data:`BUCKET` in the order they were first seen, each a
Pagefind index of its own that the search page merges: a daily build indexes the last bucket
again and keeps the others, which the new papers did not change, from the published site.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from digest.errors import BuildError
from digest.model import Digest, Entry
from digest.writers.paging import page_url, paper_url

#: The search bundles' folder in the site, and the list of its buckets.
SEARCH_DIR = "pagefind"
BUCKETS = f"{SEARCH_DIR}/buckets.json"
#: Papers in one search bucket.
BUCKET = 2000
#: Pagefind's weight of a paper's keywords (body text weighs 1, a title 7).
KEYWORD_WEIGHT = 5
_UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)


def _record(title: str, body: str, meta: Mapping[str, str]) -> str:
    """One searchable record: an HTML document whose body is only what is indexed."""
    tags = "".join(
        f'<span data-pagefind-meta="{html.escape(f"{k}:{v}")}"></span>' for k, v in meta.items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title></title></head>'
        f"<body><main data-pagefind-body>{tags}<h1>{html.escape(title)}</h1>{body}</main>"
        "</body></html>\n"
    )


def _paper_record(digest: Digest, entry: Entry) -> str:
    paper = entry.paper
    authors = ", ".join(a.name for a in paper.authors[:8])
    # The abstract straight after the title: the search page's snippets are the abstract's
    # words, which then start right after the title's (digest.js counts those).
    body = f"<p>{html.escape(paper.abstract)}</p><p>{html.escape(authors)}</p>"
    # The keywords last, weighted: the keyword index's search for a keyword's words finds the
    # papers that have it first (a paper that merely uses the words comes after).
    keywords = "; ".join(kw.text for kw in entry.keywords)
    if keywords:
        body += f'<p data-pagefind-weight="{KEYWORD_WEIGHT}">{html.escape(keywords)}</p>'
    meta = {
        "kind": "paper",
        "href": paper_url(digest, paper.key),
        "date": (paper.published or entry.listed).date().isoformat(),
    }
    if authors:
        # Shown under a hit's title; digest.js also counts its words to end the snippet.
        meta["authors"] = authors
    if keywords:
        meta["keywords"] = keywords
    return _record(paper.title, body, meta)


def buckets(digest: Digest) -> dict[str, list[str]]:
    """Return the search records by bucket name: the papers' buckets, then the themes'."""
    # By first sight, then key (not a listing's rank): a bucket's records are its papers alone.
    ordered = sorted(digest.entries, key=lambda e: (e.listed, e.paper.key))
    found: dict[str, list[str]] = {}
    for start in range(0, len(ordered), BUCKET):
        name = f"p{start // BUCKET:04d}"
        found[name] = [_paper_record(digest, e) for e in ordered[start : start + BUCKET]]
    found["themes"] = [
        _record(
            theme.name,
            f"<p>A theme of {len(theme.paper_keys)} papers.</p>",
            {"kind": "theme", "href": page_url(f"themes/{theme.slug}.md")},
        )
        for theme in digest.themes
    ]
    return found


def index(digest: Digest, site_dir: Path, published: Path | None = None) -> int:
    """Write the search bundles of ``digest`` into ``site_dir``; return how many were kept.

    A bucket whose records are those of its published copy (in ``published``) is linked from
    there instead of indexed again: Pagefind writes the same bytes for the same records.
    """
    records = {name: texts for name, texts in buckets(digest).items() if texts}
    hashes = {name: _hash(texts) for name, texts in records.items()}
    before = _published_hashes(published) if published else {}
    kept = 0
    for name, texts in records.items():
        target = site_dir / SEARCH_DIR / name
        same = published is not None and before.get(name) == hashes[name]
        if same and published is not None and _link_tree(published / SEARCH_DIR / name, target):
            kept += 1
            continue
        _run_pagefind(texts, target)
    listing = {"buckets": sorted(records), "hashes": hashes}
    (site_dir / BUCKETS).write_text(json.dumps(listing, sort_keys=True) + "\n", encoding="utf-8")
    return kept


def _hash(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8") + b"\0")
    return h.hexdigest()


def _published_hashes(published: Path) -> dict[str, str]:
    try:
        hashes = json.loads((published / BUCKETS).read_bytes())["hashes"]
        return {str(k): str(v) for k, v in hashes.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _link_tree(source: Path, target: Path) -> bool:
    """Hard-link (else copy) the files of ``source`` into the new folder ``target``."""
    if not source.is_dir():
        return False
    try:
        shutil.copytree(source, target, copy_function=_link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _run_pagefind(texts: Sequence[str], output: Path) -> None:
    """Index the records ``texts`` with Pagefind into the folder ``output``."""
    from pagefind_bin import get_executable

    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        for number, text in enumerate(texts):
            (Path(tmp) / f"{number}.html").write_text(text, encoding="utf-8")
        command = [str(get_executable()), "--site", tmp, "--output-path", str(output)]
        command += ["--force-language", "en", "--silent"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise BuildError(f"Cannot run Pagefind to index the site: {exc}") from exc
    if done.returncode != 0:
        problem = (done.stderr or done.stdout).strip()[-500:]
        raise BuildError(f"Pagefind could not index the site: {problem}")
    # Pagefind's own search interfaces: the search page has one of its own (digest.js).
    for name in _UNUSED:
        (output / name).unlink(missing_ok=True)
