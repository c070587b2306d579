"""The email digest of one issue: a multipart/alternative message, plain text and HTML.

Both parts come from the Jinja2 templates in ``site_templates/email/``: the HTML one is
rendered with autoescaping on, so a hostile title or abstract stays text, and every link is an
absolute http(s) URL (the site's pages from ``site_url``, the papers' own links through
:func:`safe_href`, which refuses ``javascript:`` and friends), kept a plain string so that the
HTML template escapes it as an attribute value (``&`` as ``&amp;``) and the text one prints it
as it is. Email clients drop ``<style>``
blocks, so the stylesheet in the template is inlined into ``style`` attributes by css-inline
(the only module that imports it); it never loads remote stylesheets.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from digest.config import EmailConfig
from digest.model import Digest, Entry, Issue
from digest.writers.cards import Link, paper_links
from digest.writers.escape import safe_href
from digest.writers.paging import RSS_PATH, absolute, paper_url
from digest.writers.template_errors import template_failure

TEXT_TEMPLATE = "issue.txt.j2"
HTML_TEMPLATE = "issue.html.j2"
#: Keywords shown per paper (the site shows them all).
EMAIL_KEYWORDS = 5
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class EmailPaper:
    """What the email shows of one paper: text, escaped by the HTML template."""

    title: str
    href: str
    authors: str
    abstract: str
    keywords: tuple[str, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class EmailGroup:
    """One theme's papers of the issue: those shown, and how many more the issue holds."""

    name: str
    href: str
    papers: tuple[EmailPaper, ...]
    more: int


@dataclass(frozen=True)
class ForYouPaper:
    """A paper of the email's "For you" section, and the liked paper it is closest to."""

    paper: EmailPaper
    because: str


@dataclass(frozen=True)
class RenderedEmail:
    """The two bodies and the subject of one issue's email."""

    subject: str
    text: str
    html: str


def issue_of(digest: Digest, day: datetime | None) -> Issue | None:
    """Return the issue of ``day``'s date, or the newest issue when ``day`` is None."""
    if day is None:
        return digest.issues[0] if digest.issues else None
    return next((i for i in digest.issues if i.date == day.date()), None)


def excerpt(text: str, limit: int) -> str:
    """Return at most ``limit`` characters of ``text``, cut at a word, marked with an ellipsis."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def _href(url: str) -> str:
    href = safe_href(url)
    if href is None:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return str(href)


def groups(digest: Digest, issue: Issue, settings: EmailConfig) -> list[EmailGroup]:
    """Group the issue's papers by primary theme as the issue's page does, papers in issue order.

    At most ``papers_per_theme`` papers are shown per theme: Gmail clips a message past about
    100 kB, and a daily issue of a busy category holds hundreds of papers.
    """
    shown = settings.papers_per_theme or len(issue.paper_keys)
    found = []
    for theme, entries in digest.issue_themes(issue):
        page = f"themes/{theme.slug}/"
        papers = tuple(_paper(digest, e, settings.abstract_chars) for e in entries[:shown])
        href = _href(absolute(digest.site_url, page))
        found.append(EmailGroup(issue.heading(theme), href, papers, len(entries) - len(papers)))
    return found


def for_you(digest: Digest, issue: Issue, settings: EmailConfig) -> list[ForYouPaper]:
    """The email's top section: the issue's papers ranked for the reader (the latest issue
    only, which is the one "For you" ranks), as many as a theme shows."""
    if not digest.issues or issue != digest.issues[0]:
        return []
    shown = settings.papers_per_theme or len(digest.for_you)
    return [
        ForYouPaper(
            _paper(digest, digest.by_key[r.key], settings.abstract_chars),
            _SPACES.sub(" ", digest.by_key[r.because].paper.title).strip(),
        )
        for r in digest.for_you[:shown]
    ]


def _paper(digest: Digest, entry: Entry, abstract_chars: int) -> EmailPaper:
    paper = entry.paper
    return EmailPaper(
        title=_SPACES.sub(" ", paper.title).strip(),
        href=_href(absolute(digest.site_url, paper_url(digest, paper.key))),
        authors=", ".join(a.name for a in paper.authors),
        abstract=excerpt(paper.abstract, abstract_chars) if abstract_chars else "",
        keywords=tuple(k.text for k in entry.keywords[:EMAIL_KEYWORDS]),
        links=paper_links(entry),
    )


def render(digest: Digest, issue: Issue, settings: EmailConfig, templates: Path) -> RenderedEmail:
    """Render the subject, plain text and HTML (CSS inlined) of ``issue``'s email."""
    context = {
        "digest": digest,
        "issue": issue,
        "count": len(issue.paper_keys),
        "groups": groups(digest, issue, settings),
        "for_you": for_you(digest, issue, settings),
        "for_you_href": _href(absolute(digest.site_url, "for-you/")),
        "site_href": _href(digest.site_url),
        "issue_href": _href(absolute(digest.site_url, f"issues/{issue.slug}/")),
        "feed_href": _href(absolute(digest.site_url, RSS_PATH)),
    }
    text = _render(templates, TEXT_TEMPLATE, context, html=False)
    page = _render(templates, HTML_TEMPLATE, context, html=True)
    subject = settings.subject.format(
        title=digest.title, date=issue.slug, count=len(issue.paper_keys)
    )
    return RenderedEmail(_SPACES.sub(" ", subject).strip(), text, inline_css(page))


def inline_css(page: str) -> str:
    """Move the page's ``<style>`` rules into ``style`` attributes; load nothing remote."""
    inliner = css_inline.CSSInliner(
        inline_style_tags=True,
        keep_style_tags=False,
        keep_link_tags=False,
        keep_at_rules=False,
        minify_css=False,
        base_url=None,
        load_remote_stylesheets=False,
        cache=None,
        extra_css=None,
        preallocate_node_capacity=32,
        remove_inlined_selectors=False,
        apply_width_attributes=False,
        apply_height_attributes=False,
        resolve_css_variables=True,
    )
    return inliner.inline(page)


def message(
    rendered: RenderedEmail,
    settings: EmailConfig,
    digest: Digest,
    issue: Issue,
    sent: datetime,
) -> EmailMessage:
    """Return the multipart/alternative message: plain text first, HTML preferred."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = rendered.subject
    # A message written before [email] is set up (``--dry-run``) still reads as a whole one in
    # a mail client: from the digest, to the undisclosed list. Sending needs both set.
    host = urlsplit(digest.site_url).hostname or "digest.invalid"
    sender = Address(display_name=digest.title, addr_spec=f"digest@{host}")
    msg["From"] = settings.sender or sender
    msg["To"] = ", ".join(settings.to) if settings.to else "undisclosed-recipients:;"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = message_id(digest, issue, settings.to)
    # RFC 3834: an automatic message; auto-responders do not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    # From the content, not random: the same issue writes the same bytes (reproducible .eml).
    body = (rendered.text + rendered.html).encode("utf-8")
    msg.set_boundary(f"=_digest_{hashlib.sha256(body).hexdigest()[:32]}")
    return msg


def message_id(digest: Digest, issue: Issue, to: list[str]) -> str:
    """Return a Message-ID fixed by site, issue and recipients: a re-send is one message."""
    host = urlsplit(digest.site_url).hostname or "digest.invalid"
    seed = "\n".join([digest.site_url, issue.slug, *sorted(to)]).encode("utf-8")
    return f"<digest.{issue.slug}.{hashlib.sha256(seed).hexdigest()[:16]}@{host}>"


def _render(templates: Path, name: str, context: dict[str, object], *, html: bool) -> str:
    """Render one template; a template error becomes a BuildError naming the file and line."""
    try:
        return _environment(templates, html=html).get_template(name).render(context)
    except TemplateError as exc:
        raise template_failure(exc, templates, name, "email") from exc


def _environment(templates: Path, *, html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates)),
        undefined=StrictUndefined,
        autoescape=html,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
