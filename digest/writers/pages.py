"""Markdown pages from the Jinja2 templates in ``site_templates/``.

Templates print untrusted text with a plain ``{{ value }}``: the environment's ``finalize``
escapes every string for Markdown (see :mod:`digest.writers.escape`), so forgetting a filter
cannot inject markup. Values the writer builds itself (paths, anchors, validated URLs) are
passed as ``Markup`` and printed as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from digest.links import arxiv_abs, arxiv_pdf, arxiv_title_search
from digest.model import Digest, Entry, Issue, Theme
from digest.writers.escape import markdown_text, safe_href


def theme_feed(slug: str) -> str:
    """Return the site-relative path of a theme's RSS feed."""
    return f"feeds/themes/{slug}.xml"


def _finalize(value: object) -> object:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return markdown_text(value)


def environment(templates: Path) -> Environment:
    """Return the page environment: strict about undefined names, escaping by default."""
    return Environment(
        loader=FileSystemLoader(str(templates)),
        undefined=StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
    abstract: str
    keywords: tuple[Link, ...]
    links: tuple[Link, ...]
    theme: Link
    because: tuple[str, ...]
    upvotes: int | None


@dataclass(frozen=True)
class ThemeRow:
    """A theme as listed on the home and themes pages, with its page and feed."""

    theme: Theme
    href: Markup
    feed: Markup


@dataclass(frozen=True)
class IssueGroup:
    """One theme's papers in an issue: links for the home page, cards for the issue page."""

    theme: Link
    papers: tuple[Link, ...]
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class KeywordRow:
    """One keyword of the keyword index page."""

    anchor: Markup
    text: str
    papers: tuple[Link, ...]


def paper_anchor(key: str) -> Markup:
    """Return the HTML id of a paper's card, stable across builds."""
    from digest.slugs import slugify

    return Markup("p-" + slugify(key.replace(":", " ").replace(".", " ")))


def paper_links(entry: Entry) -> tuple[Link, ...]:
    """arXiv abstract and PDF where the id is known, else an arXiv title search; then code."""
    paper = entry.paper
    raw: list[tuple[str, str]] = []
    if paper.arxiv_id:
        raw += [("arXiv", arxiv_abs(paper.arxiv_id)), ("PDF", arxiv_pdf(paper.arxiv_id))]
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


class PageWriter:
    """Render every Markdown page of a digest into a docs folder."""

    def __init__(self, templates: Path, digest: Digest) -> None:
        self.env = environment(templates)
        self.digest = digest
        self.theme_of = {t.slug: t for t in digest.themes}
        self.keyword_slug = {k.key: k.slug for k in digest.keyword_index}

    def card(self, entry: Entry, depth: int) -> Card:
        up = "../" * depth
        primary = entry.themes[0]
        theme = self.theme_of[primary.theme_slug]
        paper = entry.paper
        keywords = tuple(
            Link(k.text, Markup(f"{up}keywords.md#{self.keyword_slug[k.key]}"))
            for k in entry.keywords
        )
        return Card(
            anchor=paper_anchor(paper.key),
            title=paper.title,
            authors=", ".join(a.name for a in paper.authors),
            date=entry.listed.date().isoformat(),
            abstract=paper.abstract,
            keywords=keywords,
            links=paper_links(entry),
            theme=Link(theme.name, Markup(f"{up}themes/{theme.slug}.md#{paper_anchor(paper.key)}")),
            because=primary.because,
            upvotes=paper.upvotes,
        )

    def render(self, template: str, front: dict[str, str] | None = None, **context: object) -> str:
        """Render ``template``; ``front`` becomes YAML front matter, dumped safely."""
        body = self.env.get_template(template).render(digest=self.digest, **context)
        if not front:
            return body
        # safe_dump quotes whatever YAML could misread; MkDocs silently drops bad front matter.
        return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=True) + "---\n" + body

    def pages(self) -> dict[str, str]:
        """Return every page as ``{path relative to docs: Markdown}``."""
        d = self.digest
        themes = [
            ThemeRow(t, Markup(f"themes/{t.slug}.md"), Markup(theme_feed(t.slug))) for t in d.themes
        ]
        latest = d.issues[0] if d.issues else None
        pages = {
            "index.md": self.render(
                "index.md.j2",
                themes=themes,
                issue=latest,
                issue_href=Markup(f"issues/{latest.slug}.md") if latest else None,
                issue_groups=self._issue_groups(latest, 0) if latest else [],
            ),
            "themes/index.md": self.render(
                "themes.md.j2",
                themes=[
                    ThemeRow(t, Markup(f"{t.slug}.md"), Markup(f"../{theme_feed(t.slug)}"))
                    for t in d.themes
                ],
            ),
            "keywords.md": self.render("keywords.md.j2", groups=self._keyword_groups()),
            "issues/index.md": self.render("archive.md.j2", months=self._archive()),
        }
        for theme in d.themes:
            pages[f"themes/{theme.slug}.md"] = self._theme_page(theme)
        for issue in d.issues:
            pages[f"issues/{issue.slug}.md"] = self.render(
                "issue.md.j2", issue=issue, groups=self._issue_groups(issue, 1, cards=True)
            )
        return pages

    def _theme_page(self, theme: Theme) -> str:
        cards = [self.card(self.digest.by_key[k], 1) for k in theme.paper_keys]
        # Front matter holds the site-relative path (for the head link); the page links up.
        feed = theme_feed(theme.slug)
        return self.render(
            "theme.md.j2", front={"feed": feed}, theme=theme, cards=cards, feed=Markup(f"../{feed}")
        )

    def _issue_groups(self, issue: Issue, depth: int, cards: bool = False) -> list[IssueGroup]:
        """Group an issue's papers by primary theme, themes in site order."""
        by_theme: dict[str, list[Entry]] = {}
        for key in issue.paper_keys:
            entry = self.digest.by_key[key]
            by_theme.setdefault(entry.themes[0].theme_slug, []).append(entry)
        up = "../" * depth
        groups = []
        for theme in self.digest.themes:
            found = by_theme.get(theme.slug)
            if not found:
                continue
            links = tuple(
                Link(
                    e.paper.title, Markup(f"{up}themes/{theme.slug}.md#{paper_anchor(e.paper.key)}")
                )
                for e in found
            )
            groups.append(
                IssueGroup(
                    Link(theme.name, Markup(f"{up}themes/{theme.slug}.md")),
                    links,
                    tuple(self.card(e, depth) for e in found) if cards else (),
                )
            )
        return groups

    def _archive(self) -> list[tuple[str, list[tuple[Issue, Markup]]]]:
        """Return the issues grouped by month, newest first."""
        months: dict[str, list[tuple[Issue, Markup]]] = {}
        for issue in self.digest.issues:
            month = issue.date.strftime("%B %Y")
            months.setdefault(month, []).append((issue, Markup(f"{issue.slug}.md")))
        return list(months.items())

    def _keyword_groups(self) -> list[tuple[str, list[KeywordRow]]]:
        """Group the keyword index by initial letter; each keyword lists its papers' cards."""
        groups: dict[str, list[KeywordRow]] = {}
        for kw in self.digest.keyword_index:
            initial = kw.text[:1].upper() if kw.text[:1].isalpha() else "#"
            papers = []
            for key in kw.paper_keys:
                entry = self.digest.by_key[key]
                slug = entry.themes[0].theme_slug
                href = Markup(f"themes/{slug}.md#{paper_anchor(key)}")
                papers.append(Link(entry.paper.title, href))
            row = KeywordRow(Markup(kw.slug), kw.text, tuple(papers))
            groups.setdefault(initial, []).append(row)
        return sorted(groups.items(), key=lambda g: (g[0] == "#", g[0]))
