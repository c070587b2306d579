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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from digest.links import arxiv_abs, arxiv_pdf, arxiv_title_search, hf_paper
from digest.model import HF_SOURCE, Digest, Entry
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

    def __init__(self, templates: Path, digest: Digest, keyword_page: Mapping[str, str]) -> None:
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
        # A title is shown on its card and in up to a dozen related lists, and a card is made
        # for its theme page and its issue page: each is escaped once a build.
        self._titles: dict[str, Markup] = {}
        self._links: dict[str, tuple[Link, ...]] = {}

    def title(self, key: str) -> Markup:
        """Paper ``key``'s title as HTML, its TeX as math spans."""
        found = self._titles.get(key)
        if found is None:
            found = self._titles[key] = html_spans(split_math(self.by_key[key].paper.title))
        return found

    def url(self, key: str, up: str) -> str:
        """The URL of paper ``key``'s card, seen from a page ``up`` (``"../../"``) deep."""
        return f"{up}{page_url(self.page_of[key])}#{paper_anchor(key)}"

    def related(self, key: str, up: str) -> RelatedLink:
        """A link to paper ``key``'s card, with its title and date, seen from ``up``."""
        return RelatedLink(self.title(key), card_date(self.by_key[key])[0], self.url(key, up))

    def card(self, entry: Entry, up: str, show_theme: bool, announced: bool = False) -> Markup:
        """Return the card of ``entry`` as one raw HTML block (no blank line inside); with
        ``announced``, its related papers as first published (an issue page's card)."""
        paper = entry.paper
        theme = self.theme_of[entry.themes[0].theme_slug]
        chips = []
        for kw in entry.keywords[:CARD_CHIPS]:
            page = self.keyword_page.get(kw.key)
            href = None
            if page is not None and self.shared_since[kw.key] <= entry.listed.date():
                href = f"{up}{page_url(page)}#{self.keyword_slug[kw.key]}"
            chips.append(Chip(kw.text, href))
        date, label = card_date(entry)
        values = Card(
            anchor=paper_anchor(paper.key),
            title=self.title(paper.key),
            authors=author_line([a.name for a in paper.authors]),
            date=date,
            date_label=label,
            abstract=html_spans(split_math(paper.abstract)),
            chips=tuple(chips),
            links=self._links.get(paper.key)
            or self._links.setdefault(paper.key, card_links(paper_links(entry))),
            theme=Link(theme.name, self.url(paper.key, up)),
            upvotes=paper.upvotes,
            related=tuple(
                self.related(k, up)
                for k in (entry.announced if announced else entry.related)
                if k in self.by_key
            ),
        )
        try:
            text = self.env.get_template(CARD_TEMPLATE).render(c=values, show_theme=show_theme)
        except TemplateError as exc:
            raise template_failure(exc, self.templates, CARD_TEMPLATE, "card") from exc
        return Markup("\n".join(line for line in text.splitlines() if line.strip()))
