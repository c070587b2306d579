"""What a paper card shows: links, teaser and abstract, keyword chips, all escaped or checked.

Templates print untrusted text with a plain ``{{ value }}``: the page environment's
``finalize`` escapes every string for Markdown (see :mod:`digest.writers.escape`). Values built
here (paths, anchors, checked URLs) are ``Markup`` and printed as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from digest.links import arxiv_abs, arxiv_pdf, arxiv_title_search, hf_paper
from digest.model import HF_SOURCE, Digest, Entry
from digest.writers.abstracts import author_line, shown_abstract
from digest.writers.escape import safe_href
from digest.writers.paging import paper_anchor, theme_pages


@dataclass(frozen=True)
class Link:
    label: str
    href: Markup


@dataclass(frozen=True)
class Card:
    """What a template shows of one paper; only ``Markup`` fields are trusted."""

    anchor: Markup
    title: str
    authors: str
    date: str
    #: The whole abstract as Markdown: escaped text, inline TeX kept as math.
    abstract: Markup
    #: The same as HTML, for the folded abstract (a raw HTML <details>); empty when not folded.
    abstract_html: Markup
    #: The opening of a long abstract (folded below it); None when it is shown whole. Search
    #: indexes ``teaser`` only; ``teaser_more`` continues it on the page.
    teaser: Markup | None
    teaser_more: Markup
    keywords: tuple[Link, ...]
    links: tuple[Link, ...]
    theme: Link
    because: tuple[str, ...]
    upvotes: int | None


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
            links.append(Link(label, href))
    return tuple(links)


class CardMaker:
    """Make the cards of one digest: every link of a card points where the site has it."""

    def __init__(self, digest: Digest, keyword_page: Mapping[str, str]) -> None:
        self.theme_of = {t.slug: t for t in digest.themes}
        self.keyword_slug = {k.key: k.slug for k in digest.keyword_index}
        #: The keyword index page listing each keyword.
        self.keyword_page = keyword_page
        #: The theme page part holding each paper's card: where every link to a paper goes.
        self.page_of = theme_pages(digest)

    def card(self, entry: Entry, depth: int) -> Card:
        up = "../" * depth
        primary = entry.themes[0]
        theme = self.theme_of[primary.theme_slug]
        paper = entry.paper
        keywords = tuple(
            Link(k.text, Markup(f"{up}{self.keyword_page[k.key]}#{self.keyword_slug[k.key]}"))
            for k in entry.keywords
        )
        shown = shown_abstract(paper.abstract)
        return Card(
            anchor=paper_anchor(paper.key),
            title=paper.title,
            authors=author_line([a.name for a in paper.authors]),
            date=entry.listed.date().isoformat(),
            abstract=shown.whole,
            abstract_html=shown.whole_html,
            teaser=shown.teaser,
            teaser_more=shown.teaser_more,
            keywords=keywords,
            links=paper_links(entry),
            theme=Link(
                theme.name, Markup(f"{up}{self.page_of[paper.key]}#{paper_anchor(paper.key)}")
            ),
            because=primary.because,
            upvotes=paper.upvotes,
        )
