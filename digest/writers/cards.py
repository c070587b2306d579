"""Paper cards: one raw HTML block each, from the autoescaping template ``_card.html.j2``.

A card is HTML, not Markdown: Python-Markdown passes a raw HTML block through in time linear in
the page, while a card's dozen inline links cost it most of a large build's rendering time; and
an autoescaping template escapes every untrusted string for HTML, the one format the card is.
Values built here (anchors, the abstract and title with their TeX as math spans) are
``Markup`` and printed as they are. URLs are checked (http(s) only, or the site's own relative
URLs) but kept plain strings, so that the template escapes them like any attribute value: a
``&`` in a query (``?a=1&copy=2``) must reach the browser as ``&amp;``, or it reads ``©``.
Links are the built site's URLs (MkDocs rewrites no link in raw HTML), seen from the page the
card is on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from digest import __version__
from digest.links import arxiv_abs, arxiv_pdf, arxiv_title_search, hf_paper
from digest.model import HF_SOURCE, Digest, Entry
from digest.state import Cache
from digest.writers.escape import html_spans, safe_href, split_math
from digest.writers.paging import page_url, paper_anchor, theme_pages
from digest.writers.template_errors import template_failure

CARD_TEMPLATE = "_card.html.j2"
#: Keyword chips on a card (the keyword index and digest.json list them all).
CARD_CHIPS = 4
#: Authors named on a card; the rest are counted (digest.json lists them all).
CARD_AUTHORS = 8
#: Code links on a card: its links fit one row on a phone (the abstract and digest.json hold
#: every URL; tests/test_browser.py measures the row).
CARD_CODE_LINKS = 1


@dataclass(frozen=True)
class Link:
    """A labelled link; ``href`` is a checked URL, escaped by the template that prints it."""

    label: str
    href: str


@dataclass(frozen=True)
class Chip:
    """A keyword on a card; ``href`` is its entry in the keyword index, None if not listed."""

    label: str
    href: str | None


@dataclass(frozen=True)
class RelatedLink:
    """A related paper on a card: its title (TeX as math spans), date and card's URL."""

    title: Markup
    date: str
    href: str


@dataclass(frozen=True)
class CardFacts:
    """Everything a card shows, as plain values (text unescaped): the card's HTML is a function
    of these and the card template alone, which is what lets the cache keep it."""

    anchor: str
    title: str
    authors: str
    date_and_label: tuple[str, str]
    abstract: str
    chips: tuple[Chip, ...]
    links: tuple[Link, ...]
    theme: Link
    upvotes: int | None
    #: (title, date, URL of the card) of each related paper.
    related: tuple[tuple[str, str, str], ...]
    show_theme: bool


@dataclass(frozen=True)
class Card:
    """What a card template shows of one paper; only ``Markup`` fields are trusted."""

    anchor: Markup
    title: Markup
    authors: str
    #: arXiv's date of the paper (its first version), else the day digest first saw it.
    date: str
    #: "" for arXiv's date, else a label saying which date ``date`` is.
    date_label: str
    abstract: Markup
    chips: tuple[Chip, ...]
    links: tuple[Link, ...]
    theme: Link
    upvotes: int | None
    #: The most related papers of the whole history, best first.
    related: tuple[RelatedLink, ...] = ()


def paper_links(entry: Entry) -> tuple[Link, ...]:
    """arXiv abstract and PDF where the id is known, else an arXiv title search; then the
    Hugging Face page of a paper that came from there, the project and the code."""
    paper = entry.paper
    raw: list[tuple[str, str]] = []
    if paper.arxiv_id:
        raw += [("arXiv", arxiv_abs(paper.arxiv_id)), ("PDF", arxiv_pdf(paper.arxiv_id))]
        if HF_SOURCE in paper.sources or paper.upvotes is not None:
            raw.append(("Hugging Face", hf_paper(paper.arxiv_id)))
    else:
        raw.append(("Search arXiv", arxiv_title_search(paper.title)))
    if paper.project_url:
        raw.append(("Project", paper.project_url))
    raw += [("Code", url) for url in paper.code_urls]
    links = []
    for label, url in raw:
        href = safe_href(url)
        if href is not None:
            links.append(Link(label, str(href)))
    return tuple(links)


def card_links(links: Sequence[Link]) -> tuple[Link, ...]:
    """Return the links a card shows: all but the code links past the first CARD_CODE_LINKS."""
    shown = [link for link in links if link.label == "Code"][:CARD_CODE_LINKS]
    return tuple(link for link in links if link.label != "Code" or link in shown)


def author_line(names: Sequence[str], limit: int = CARD_AUTHORS) -> str:
    """Return the authors a card names: the first ``limit``, then how many more."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def card_date(entry: Entry) -> tuple[str, str]:
    """Return the date a card shows and its label: arXiv's date, else the first-seen day."""
    published: datetime | None = entry.paper.published
    if published is not None:
        return published.date().isoformat(), ""
    return entry.listed.date().isoformat(), "first seen"


class CardMaker:
    """Make the cards of one digest: every link of a card points where the site has it.

    ``keyword_page`` gives, for each keyword listed in the keyword index, the docs path of
    the index page that lists it. A chip links there when its keyword was already shared on the
    card's own day (two papers first seen by then, :attr:`shared_since`): a later paper that
    shares a keyword then never changes an older card, so its page is kept, not rendered again
    (bench/versus.py, daily build); the index lists every shared keyword, so no link is dead.
    """

    def __init__(
        self,
        templates: Path,
        digest: Digest,
        keyword_page: Mapping[str, str],
        cache: Cache | None = None,
    ) -> None:
        self.templates = templates
        self.env = Environment(
            loader=FileSystemLoader(str(templates)),
            undefined=StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.theme_of = {t.slug: t for t in digest.themes}
        self.keyword_slug = {k.key: k.slug for k in digest.keyword_index}
        #: The day each listed keyword's second paper was first seen (its first, when the
        #: index lists it for one paper).
        self.shared_since = {
            k.key: sorted(digest.by_key[p].listed.date() for p in k.paper_keys)[
                min(1, len(k.paper_keys) - 1)
            ]
            for k in digest.keyword_index
        }
        self.keyword_page = keyword_page
        #: The theme page part holding each paper's card: where every link to a paper goes.
        self.page_of = theme_pages(digest)
        self.by_key = digest.by_key
        self.cache = cache
        #: Every card key this build asked for.
        self.used: set[str] = set()
        # A title is in up to a dozen related lists, and a paper has a card on its theme page
        # and its issue page: each is escaped once a build.
        self._spans: dict[str, Markup] = {}
        self._links: dict[str, tuple[Link, ...]] = {}

    def spans(self, text: str) -> Markup:
        """``text`` as HTML, its TeX as math spans (a title is in many related lists)."""
        found = self._spans.get(text)
        if found is None:
            found = self._spans[text] = html_spans(split_math(text))
        return found

    def url(self, key: str, up: str) -> str:
        """The URL of paper ``key``'s card, seen from a page ``up`` (``"../../"``) deep."""
        return f"{up}{page_url(self.page_of[key])}#{paper_anchor(key)}"

    def facts(self, entry: Entry, up: str, show_theme: bool, announced: bool = False) -> CardFacts:
        """What the card of ``entry`` shows, seen from ``up``; with ``announced``, its related
        papers as first published (an issue page's card)."""
        paper = entry.paper
        theme = self.theme_of[entry.themes[0].theme_slug]
        chips = []
        for kw in entry.keywords[:CARD_CHIPS]:
            page = self.keyword_page.get(kw.key)
            href = None
            if page is not None and self.shared_since[kw.key] <= entry.listed.date():
                href = f"{up}{page_url(page)}#{self.keyword_slug[kw.key]}"
            chips.append(Chip(kw.text, href))
        links = self._links.get(paper.key)
        if links is None:
            links = self._links[paper.key] = card_links(paper_links(entry))
        related = entry.announced if announced else entry.related
        return CardFacts(
            anchor=str(paper_anchor(paper.key)),
            title=paper.title,
            authors=author_line([a.name for a in paper.authors]),
            date_and_label=card_date(entry),
            abstract=paper.abstract,
            chips=tuple(chips),
            links=links,
            theme=Link(theme.name, self.url(paper.key, up)),
            upvotes=paper.upvotes,
            related=tuple(
                (self.by_key[k].paper.title, card_date(self.by_key[k])[0], self.url(k, up))
                for k in related
                if k in self.by_key
            ),
            show_theme=show_theme,
        )

    def cards(self, facts: Sequence[CardFacts]) -> list[Markup]:
        """Return the cards of ``facts``, each one raw HTML block (no blank line inside).

        A card's HTML is a function of its facts and the card template alone, so it is kept in
        the cache under a hash of both: a daily build makes again only the cards that changed,
        not the two of every paper of the history (bench/versus.py, daily build).
        """
        keys = [self._key(f) for f in facts]
        self.used.update(keys)
        found = self.cache.rendered(keys) if self.cache else {}
        fresh = {}
        for key, values in zip(keys, facts, strict=True):
            if key not in found:
                found[key] = fresh[key] = self._render(values)
        if fresh and self.cache:
            self.cache.keep_rendered(fresh)
        return [Markup(found[key]) for key in keys]

    def forget_unused(self) -> None:
        """Let the cache forget the cards no page of this build asked for."""
        if self.cache and self.used:
            self.cache.forget_rendered(self.used)

    @cached_property
    def _template(self) -> Any:
        """What the card template is, hashed: a card's cached HTML is keyed by it and the
        card's facts (read when the first card is made: a page-only template folder has no card
        template). digest's version stands for the escaping code, as it does for the keyword
        cache. Each card's key continues a copy of this hash rather than hashing the template
        again: 20,000 cards a build of 10,000 papers."""
        loader = self.env.loader
        source = loader.get_source(self.env, CARD_TEMPLATE)[0] if loader else ""
        return hashlib.sha256(f"digest {__version__}\n{source}\n".encode())

    def _key(self, facts: CardFacts) -> str:
        h = self._template.copy()
        h.update(repr(facts).encode())
        key: str = h.hexdigest()
        return key

    def _render(self, facts: CardFacts) -> str:
        date, label = facts.date_and_label
        values = Card(
            anchor=Markup(facts.anchor),
            title=self.spans(facts.title),
            authors=facts.authors,
            date=date,
            date_label=label,
            abstract=html_spans(split_math(facts.abstract)),
            chips=facts.chips,
            links=facts.links,
            theme=facts.theme,
            upvotes=facts.upvotes,
            related=tuple(RelatedLink(self.spans(t), d, h) for t, d, h in facts.related),
        )
        try:
            text = self.env.get_template(CARD_TEMPLATE).render(
                c=values, show_theme=facts.show_theme
            )
        except TemplateError as exc:
            raise template_failure(exc, self.templates, CARD_TEMPLATE, "card") from exc
        return "\n".join(line for line in text.splitlines() if line.strip())
