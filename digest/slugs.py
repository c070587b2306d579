"""Slugs for URLs: unique, deterministic, safe as a path segment, and never a reserved name."""

from __future__ import annotations

import hashlib
import re
import unicodedata

#: Paths MkDocs or Material use themselves, or that a static host treats specially.
RESERVED = frozenset(
    """
    search assets tags 404 index sitemap feed feeds rss atom themes keywords issues rising
    api static css js img images fonts javascripts stylesheets
    """.split()
)
MAX_SLUG = 60


def slugify(text: str) -> str:
    """Return an ASCII slug of ``text``: lowercase words joined by hyphens.

    Symbols that carry meaning in names are spelled out, so "C++", "C#" and "C" stay distinct.
    """
    text = text.replace("++", " plus plus ").replace("+", " plus ").replace("#", " sharp ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


class SlugRegistry:
    """Hand out unique slugs; a clash or an unusable slug gets a short hash of the text."""

    def __init__(self, taken: frozenset[str] = RESERVED) -> None:
        self._taken: set[str] = set(taken)

    def claim(self, text: str) -> str:
        base = slugify(text)
        suffix = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
        candidates = [base] if base else []
        candidates += [f"{base}-{suffix}" if base else f"t-{suffix}"]
        for slug in candidates:
            if slug not in self._taken:
                self._taken.add(slug)
                return slug
        counter = 2
        while f"{candidates[-1]}-{counter}" in self._taken:
            counter += 1
        slug = f"{candidates[-1]}-{counter}"
        self._taken.add(slug)
        return slug
