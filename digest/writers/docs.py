"""Write the docs folder MkDocs renders: every page, every feed and the export."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from digest.model import Digest
from digest.state import Cache
from digest.writers.export import EXPORT_PATH, export_pieces
from digest.writers.feeds import feed_specs, render_feeds
from digest.writers.pages import PageWriter


def write_docs(
    digest: Digest,
    templates: Path,
    feed_items: int,
    docs: Path,
    card_days: int = 0,
    cache: Cache | None = None,
) -> None:
    """Write every page (Markdown), feed and the export of ``digest`` into ``docs``; issues
    older than ``card_days`` (0: none) list links to their papers' cards instead of cards.
    ``cache`` keeps the cards' HTML (see :meth:`digest.writers.cards.CardMaker.cards`).

    Pages are saved as they are rendered, so the whole site's Markdown (hundreds of MB at
    100,000 papers) is never in memory at once.
    """
    feeds = feed_specs(digest, feed_items)
    writer = PageWriter(templates, digest, feeds, card_days, cache)
    for relative, text in writer.iter_pages():
        _save(docs / relative, text.encode("utf-8"))
    writer.cards.forget_unused()
    for relative, data in sorted(render_feeds(digest, feeds).items()):
        _save(docs / relative, data)
    _save_pieces(docs / EXPORT_PATH, export_pieces(digest))


def _save(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _save_pieces(target: Path, pieces: Iterable[str]) -> None:
    """Save text made a piece at a time (UTF-8, lines as they are) without holding it whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(pieces)
