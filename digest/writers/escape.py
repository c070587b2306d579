"""Escaping untrusted text for each output format the writers produce.

Titles, abstracts, authors and keywords come from outside. In generated Markdown every
character that Markdown, its extensions (attr_list's ``{ ... }``, tables' ``|``, emphasis,
links) or HTML could act on becomes a numeric character reference: Python-Markdown passes
references through untouched, the browser shows the character, and no extension ever sees
syntax. MkDocs and Material escape nothing for us.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from markupsafe import Markup

# Characters Markdown, its extensions, HTML or Jinja could treat as syntax.
_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~&\"':$^=@%;/?"
_TABLE = {ord(c): f"&#{ord(c)};" for c in _MARKDOWN_SPECIAL}
_SPACES = re.compile(r"\s+")


def markdown_text(value: object) -> Markup:
    """Return ``value`` as inert Markdown inline text on one line."""
    text = _SPACES.sub(" ", str(value)).strip()
    return Markup(text.translate(_TABLE))


def safe_href(url: str) -> Markup | None:
    """Return an http(s) URL fit for a Markdown link target or an HTML attribute, else None.

    Anything that would end the link target or the attribute (spaces, parentheses, quotes,
    angle brackets) is percent-encoded; other schemes (``javascript:``, ``data:``) are refused.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    unsafe = "()<>\"' `{}|\\^[]*_"
    path, query, fragment = (
        quote(part, safe="/:@!$&+,;=%~-.") if part else part
        for part in (parts.path, parts.query, parts.fragment)
    )
    for ch in unsafe:
        path, query, fragment = (p.replace(ch, quote(ch)) for p in (path, query, fragment))
    netloc = (
        parts.netloc.encode("idna").decode("ascii") if not parts.netloc.isascii() else parts.netloc
    )
    return Markup(urlunsplit((parts.scheme.lower(), netloc, path, query, fragment)))
