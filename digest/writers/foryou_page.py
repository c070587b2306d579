"""The "For you" page's rows: the latest issue's papers in the reader's order, each with why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from digest.model import Digest
from digest.writers.cards import Link, card_date
from digest.writers.paging import FOR_YOU_PATH, paper_anchor


@dataclass(frozen=True)
class ForYouRow:
    """One ranked paper: its card, date and theme, and the liked paper it is closest to."""

    paper: Link
    date: str
    theme: Link
    because: Link


def for_you_context(digest: Digest, page_of: Mapping[str, str]) -> dict[str, object]:
    """Return what ``for-you.md.j2`` shows: the latest issue, the rows, the liked papers."""
    latest = digest.issues[0] if digest.issues else None
    return {
        "issue": latest,
        "issue_href": Markup(f"issues/{latest.slug}.md") if latest else None,
        "rows": for_you_rows(digest, page_of),
        "liked": liked_links(digest, page_of),
        "feed": Markup(FOR_YOU_PATH),
    }


def for_you_rows(digest: Digest, page_of: Mapping[str, str]) -> list[ForYouRow]:
    """Return the rows of the "For you" page (at the site's root: links are docs paths)."""
    themes = {t.slug: t for t in digest.themes}
    rows = []
    for found in digest.for_you:
        entry, liked = digest.by_key[found.key], digest.by_key[found.because]
        theme = themes[entry.themes[0].theme_slug]
        rows.append(
            ForYouRow(
                _card_link(found.key, entry.paper.title, page_of),
                card_date(entry)[0],
                Link(theme.name, Markup(f"themes/{theme.slug}.md")),
                _card_link(found.because, liked.paper.title, page_of),
            )
        )
    return rows


def liked_links(digest: Digest, page_of: Mapping[str, str]) -> list[Link]:
    """Return links to the cards of the reader's liked papers, in the interests file's order."""
    return [_card_link(k, digest.by_key[k].paper.title, page_of) for k in digest.liked]


def _card_link(key: str, title: str, page_of: Mapping[str, str]) -> Link:
    return Link(title, Markup(f"{page_of[key]}#{paper_anchor(key)}"))
