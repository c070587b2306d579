"""Paper identity: one paper, one key, whatever URL or version a source used."""

from __future__ import annotations

import hashlib
import re

from digest.text.words import fold

# New-style ids (0704.0001, 2401.01234) and old-style ones (astro-ph/0601001, math.GT/0309136),
# optionally versioned, optionally inside an abs/pdf URL on http or https.
_ARXIV = re.compile(
    r"""^(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:)?
    (?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})
    (?:v(?P<version>\d+))?(?:\.pdf)?/?$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Return ``(id, version)`` for an arXiv id or abs/pdf URL, or None if it is not one."""
    match = _ARXIV.match(text.strip())
    if match is None:
        return None
    version = match.group("version")
    ident = match.group("id")
    if "/" in ident:
        archive, number = ident.split("/")
        ident = f"{archive.lower()}/{number}"
    return ident, int(version) if version else None


def title_key(title: str) -> str:
    """Return the stable key of a paper with no id: a hash of its normalised title.

    Folding case, accents, punctuation and whitespace first means a re-scraped page with a
    re-wrapped or re-capitalised title keeps its key (and so its feed guid).
    """
    digest = hashlib.sha256(fold(title).encode("utf-8")).hexdigest()[:16]
    return f"title-{digest}"


def paper_key(arxiv_id: str | None, title: str, own_id: str | None = None) -> str:
    """Return the key a paper is stored and linked under: its arXiv id, else the id its source
    gave it (kept as it is, whatever it looks like), else a hash of its title."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    return f"id:{own_id}" if own_id else title_key(title)
