"""Escaping untrusted text for each output format the writers produce.

Titles, abstracts, authors and keywords come from outside. In generated Markdown every
character that Markdown, its extensions (attr_list's ``{ ... }``, tables' ``|``, emphasis,
links) or HTML could act on becomes a numeric character reference: Python-Markdown passes
references through untouched, the browser shows the character, and no extension ever sees
syntax. MkDocs and Material escape nothing for us.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from markupsafe import Markup

from digest.links import safe_url

# Characters Markdown, its extensions, HTML or Jinja could treat as syntax.
_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~&\"':$^=@%;/?"
_TABLE = {ord(c): f"&#{ord(c)};" for c in _MARKDOWN_SPECIAL}
_SPACES = re.compile(r"\s+")
# What an authority (user info, host, port) holds in RFC 3986, less the quote and parentheses.
_NETLOC = re.compile(r"[A-Za-z0-9._~%!$&*+,;=:@\[\]-]+")


def markdown_text(value: object) -> Markup:
    """Return ``value`` as inert Markdown inline text on one line."""
    text = _SPACES.sub(" ", str(value)).strip()
    return Markup(text.translate(_TABLE))


def safe_href(url: str) -> Markup | None:
    """Return an http(s) URL fit for a Markdown link target or an HTML attribute, else None.

    Anything that would end the link target or the attribute (spaces, parentheses, quotes,
    angle brackets) is percent-encoded; other schemes (``javascript:``, ``data:``) are refused.
    """
    url = url.strip()
    if not safe_url(url):
        return None
    parts = urlsplit(url)
    # quote() percent-encodes everything outside ``safe`` and the unreserved characters, so
    # nothing that ends a Markdown link target or an HTML attribute survives.
    path, query, fragment = (
        quote(part, safe="/:@!$&+,;=%~-.") if part else part
        for part in (parts.path, parts.query, parts.fragment)
    )
    try:
        netloc = (
            parts.netloc.encode("idna").decode("ascii")
            if not parts.netloc.isascii()
            else parts.netloc
        )
    except UnicodeError:  # a label IDNA cannot write: empty ("ü..com") or over 63 characters
        return None
    # The host is not percent-encoded, so a '"', "<", "(" or space in it would end the email's
    # href attribute or the Markdown link target: such a "host" is refused.
    if not _NETLOC.fullmatch(netloc):
        return None
    return Markup(urlunsplit((parts.scheme.lower(), netloc, path, query, fragment)))


# Inline TeX as arXiv abstracts write it: $...$, $$...$$, \(...\) and \[...\]. A single dollar
# opens only before a non-space and closes only after one (so "$5 and $10" stays text), like
# Arithmatex's "smart dollar".
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<dd>(?:\\.|[^\\$])+?)\$\$"
    r"|(?<!\\)\$(?![\s$])(?P<d>(?:\\.|[^\\$])+?)(?<![\s\\])\$"
    r"|(?<!\\)\\\((?P<r>(?:\\[^)]|[^\\])+?)\\\)"
    r"|(?<!\\)\\\[(?P<s>(?:\\[^\]]|[^\\])+?)\\\]",
    re.DOTALL,
)
#: Longest TeX fragment taken for math: longer "math" is almost surely two stray dollars.
MAX_MATH = 400
# `` ` `` would let Markdown's code spans (run before Arithmatex) cut the fragment; \( \) \[ \]
# inside would end Arithmatex's own delimiters early.
_NOT_IN_MATH = re.compile(r"`|\\[()\[\]]|\$")


@dataclass(frozen=True)
class Span:
    """A run of an abstract: plain text, or the TeX inside one pair of math delimiters."""

    text: str
    math: bool = False


def is_math(tex: str) -> bool:
    """Accept a TeX fragment that renders alone: balanced braces, nothing that ends it early."""
    if not tex.strip() or len(tex) > MAX_MATH or _NOT_IN_MATH.search(tex):
        return False
    trailing = len(tex) - len(tex.rstrip("\\"))
    if trailing % 2:
        return False
    depth = 0
    escaped = False
    for ch in tex:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def split_math(value: object) -> list[Span]:
    """Split text into plain and math spans; a fragment that is not sound math stays text.

    After a refused candidate the search resumes one character later, so that a stray dollar
    cannot swallow the math that follows it.
    """
    text = _SPACES.sub(" ", str(value)).strip()
    spans: list[Span] = []
    plain_from = pos = 0
    while (match := _MATH.search(text, pos)) is not None:
        # Judged as it will be written: "$$\\ $$" stripped is a lone backslash, not math.
        tex = next(group for group in match.groups() if group is not None).strip()
        if not is_math(tex):
            pos = match.start() + 1
            continue
        if match.start() > plain_from:
            spans.append(Span(text[plain_from : match.start()]))
        spans.append(Span(tex, math=True))
        plain_from = pos = match.end()
    if plain_from < len(text):
        spans.append(Span(text[plain_from:]))
    return spans


def markdown_spans(spans: list[Span]) -> Markup:
    r"""Return spans as Markdown: text inert, math as ``\(...\)`` for Arithmatex (generic mode).

    ``<`` and ``>`` become ``\lt`` and ``\gt`` so that no HTML parser ever sees a tag in math;
    Arithmatex takes the fragment before any other inline pattern but code spans, and the HTML
    serializer escapes what remains. KaTeX renders it later with ``trust`` off. ``&`` becomes
    ``&amp;``: the serializer leaves a whole reference (``&lt;``, ``&ap;``) as it is, so the
    browser would decode it and KaTeX would render another formula than the abstract's.
    """
    out = []
    for span in spans:
        if span.math:
            tex = span.text.replace("&", "&amp;").replace("<", r"\lt ").replace(">", r"\gt ")
            out.append(f"\\({tex}\\)")
        else:
            out.append(span.text.translate(_TABLE))
    return Markup("".join(out))


def html_spans(spans: list[Span]) -> Markup:
    """Return spans as HTML for a raw HTML block: text as in :func:`markdown_spans`, math as
    the ``<span class="arithmatex">`` Arithmatex would have written (KaTeX renders it).

    For folded abstracts: Python-Markdown passes a raw HTML block through untouched, in time
    linear in the page, where pymdownx's ``/// details`` block re-walks the whole page for
    every block (quadratic: 10 minutes for a 10,000-paper issue page).
    """
    out = []
    for span in spans:
        if span.math:
            tex = span.text.replace("<", r"\lt ").replace(">", r"\gt ")
            out.append(f'<span class="arithmatex">\\({html.escape(tex, quote=False)}\\)</span>')
        else:
            out.append(span.text.translate(_TABLE))
    return Markup("".join(out))


def markdown_math_text(value: object) -> Markup:
    """Return ``value`` as inert Markdown on one line, but with its inline TeX left as math."""
    return markdown_spans(split_math(value))
