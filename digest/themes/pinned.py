"""Pinned themes: themes a maintainer declares in the config, with keyword rules.

A paper belongs to a pinned theme when its title, abstract or keywords contain one of the
theme's ``include`` phrases and none of its ``exclude`` phrases. Pinned themes take their
papers before clustering, in config order: a paper matching two is placed in the first and
lists the second as a secondary theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digest.config import PinnedTheme
from digest.model import Keyword, Paper, Placement, Theme
from digest.slugs import SlugRegistry
from digest.text.cleaning import clean_for_keywords
from digest.text.words import keyword_key


@dataclass(frozen=True)
class Pinned:
    """The pinned themes with their papers, and each matched paper's placements."""

    themes: tuple[Theme, ...]
    placements: dict[str, tuple[Placement, ...]]


def _phrase(text: str) -> str:
    """Fold a phrase the way keywords are folded (case, hyphens, plural of the last word)."""
    return f" {keyword_key(text)} "


def _paper_text(paper: Paper, keywords: Sequence[Keyword]) -> str:
    words = [keyword_key(w) for w in clean_for_keywords(f"{paper.title} {paper.abstract}").split()]
    # Every word folded on its own (plural, case), then the keywords' canonical forms.
    return " " + " ".join(w for w in words if w) + " | " + " | ".join(k.key for k in keywords) + " "


def matches(rule: PinnedTheme, text: str) -> tuple[str, ...]:
    """Return the include phrases of ``rule`` found in ``text``, or () if an exclude is found."""
    if any(_phrase(x) in text for x in rule.exclude):
        return ()
    return tuple(p for p in rule.include if _phrase(p) in text)


def pin(
    pairs: Sequence[tuple[Paper, Sequence[Keyword]]],
    rules: Sequence[PinnedTheme],
    slugs: SlugRegistry,
    previous: Sequence[Theme] = (),
) -> Pinned:
    """Place papers in the pinned themes; rank each theme's papers by phrases matched.

    A pinned theme the ``previous`` build published (same name and phrases) keeps its slug:
    its URL and feed do not move. (Claimed afresh, its own published slug would be taken.)
    """
    if not rules:
        return Pinned((), {})
    found: list[list[tuple[int, str, tuple[str, ...]]]] = [[] for _ in rules]
    placements: dict[str, list[Placement]] = {}
    published = {(t.name, t.keywords): t.slug for t in previous if not t.is_other}
    theme_slugs = [
        published.get((rule.name, tuple(rule.include))) or slugs.claim(rule.slug or rule.name)
        for rule in rules
    ]
    for paper, keywords in pairs:
        text = _paper_text(paper, keywords)
        for index, rule in enumerate(rules):
            hits = matches(rule, text)
            if hits:
                found[index].append((-len(hits), paper.key, hits))
                placements.setdefault(paper.key, []).append(Placement(theme_slugs[index], hits))
    themes = tuple(
        Theme(slug, rule.name, tuple(rule.include), tuple(key for _, key, _ in sorted(hits)))
        for slug, rule, hits in zip(theme_slugs, rules, found, strict=True)
    )
    return Pinned(themes, {k: tuple(v) for k, v in placements.items()})
