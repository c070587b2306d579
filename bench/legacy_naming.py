"""Theme naming as digest did before digest.themes.naming (main at the start of issue 17), kept
for bench/theme_names.py: distinctive YAKE keyword phrases, papers ordered by closeness to the
theme's centre. Not used by digest itself; GENERIC_WORDS is copied here so that the comparison
does not move when keyword extraction changes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from digest.config import ThemeConfig
from digest.model import Keyword, Paper
from digest.text.words import keyword_key, stopwords

GENERIC_WORDS = frozenset(
    """
    learning model models method methods approach approaches paper work works result results
    problem problems task tasks performance framework frameworks algorithm algorithms data
    dataset datasets network networks neural deep training analysis system systems study
    experiments experiment propose proposed novel new show based using use existing recent
    state art approach technique techniques application applications information structure
    function functions theory process set sets number time way case cases first two one
    efficient effective large small high low better significant improvement improvements
    find finds show shows present presents demonstrate provide provides achieve achieves
    introduce introduces develop obtain consider standard general generic various different
    main key important simple strong good recent existing previous current common specific
    adaptive functional continual effect effects property properties type types form level
    """.split()
)

#: A phrase in more than this share of all papers is too common to name a theme.
GENERIC_SHARE = 0.12
#: A second naming phrase must be at least this distinctive relative to the first.
SECOND_NAME_SHARE = 0.5
# A theme name becomes a page title, which Material prints into <title> after unescaping it:
# names keep only characters that can never form markup.
_NAME_UNSAFE = re.compile(r"[^\w \-+#.,/'()]")
_MODIFIER_ENDINGS = (
    "al",
    "ive",
    "ous",
    "ed",
    "ing",
    "ic",
    "able",
    "ible",
    "ar",
    "ful",
    "less",
    "ly",
)


def name_clusters(
    clusters: Sequence[Sequence[int]],
    phrases: Sequence[set[str]],
    settings: ThemeConfig,
    standalone: Sequence[set[str]],
) -> list[tuple[str, ...]]:
    """Name each cluster by the keyword phrases most distinctive of it (in-share minus out-share).

    Phrases common across the corpus ("neural network") or generic single words never name a
    theme: they say nothing about what sets a group apart. A single word names a theme only if
    YAKE found it as a keyword on its own in two of its papers, not just inside longer phrases
    ("long" of "long sequences"). A second phrase joins the name only if it is nearly as
    distinctive as the first.
    """
    n = max(1, len(phrases))
    df: Counter[str] = Counter(p for ps in phrases for p in ps)
    # In a small corpus every shared phrase is "common"; only call it generic when it is shared
    # well beyond what one theme may hold.
    generic_df = max(GENERIC_SHARE * n, 2 * settings.min_size, 2 * settings.max_share * n)
    names: list[tuple[str, ...]] = []
    used: set[str] = set()
    for members in clusters:
        inside: Counter[str] = Counter(p for i in members for p in phrases[i])
        scored = []
        for phrase, count in inside.items():
            words = phrase.split()
            if count < 2 or df[phrase] > generic_df or not _nameable(words):
                continue
            if len(words) == 1 and sum(phrase in standalone[i] for i in members) < 2:
                continue
            share_in = count / len(members)
            share_out = (df[phrase] - count) / max(1, n - len(members))
            # Multi-word phrases read better as names; prefer them at equal distinctiveness.
            bonus = 1.0 + 0.25 * min(len(words) - 1, 2)
            scored.append(((share_in - share_out) * bonus * math.sqrt(count), phrase))
        scored.sort(key=lambda s: (-s[0], s[1]))
        chosen: list[str] = []
        for value, phrase in scored:
            if chosen and value < SECOND_NAME_SHARE * scored[0][0]:
                break
            phrase_words = set(phrase.split())
            # A second phrase sharing a word with the first repeats it ("optimal transport and
            # neural optimal"): skip it.
            if any(phrase_words & set(c.split()) for c in chosen) or phrase in used:
                continue
            chosen.append(phrase)
            if len(chosen) == settings.name_keywords:
                break
        if not chosen:
            # Nothing distinctive is shared: name the group for its most common keyword phrase.
            common = sorted(inside.items(), key=lambda pc: (-pc[1], -len(pc[0].split()), pc[0]))
            chosen = [p for p, _ in common if p not in used and _nameable(p.split())][:1]
        used.update(chosen)
        names.append(tuple(chosen))
    return names


def _nameable(words: Sequence[str]) -> bool:
    """Can this phrase name a theme? Not if it is only generic words or a lone modifier."""
    if all(w in GENERIC_WORDS for w in words):
        return False
    # A lone adjective or participle ("functional", "adaptive") names nothing.
    return not (len(words) == 1 and words[0].endswith(_MODIFIER_ENDINGS))


def display_name(
    name_phrases: Sequence[str],
    usable: Sequence[tuple[Paper, Sequence[Keyword]]],
    members: Sequence[int],
) -> str:
    """Return the readable theme name: the phrases' most common surface forms, joined."""
    forms: dict[str, Counter[str]] = {p: Counter() for p in name_phrases}
    for i in members:
        for kw in usable[i][1]:
            for phrase in name_phrases:
                if kw.key == phrase:
                    forms[phrase][kw.text] += 1
    shown = []
    for phrase in name_phrases:
        text = (
            min(forms[phrase].items(), key=lambda f: (-f[1], f[0]))[0] if forms[phrase] else phrase
        )
        # Keep acronyms and proper names ("LLM", "Wasserstein"); otherwise lower case.
        if not any(c.isupper() for c in text[1:]):
            text = text.lower()
        shown.append(_NAME_UNSAFE.sub(" ", text).strip())
    name = " and ".join(s for s in shown if s) or "Untitled"
    return name[:1].upper() + name[1:]


def because(keywords: Sequence[Keyword], name_phrases: Sequence[str]) -> tuple[str, ...]:
    """Return the paper's keywords that share a naming phrase of its theme."""
    hits = [kw.text for kw in keywords if any(p in kw.key or kw.key in p for p in name_phrases)]
    return tuple(hits) if hits else tuple(kw.text for kw in keywords[:2])


def keyword_phrases(keywords: Sequence[Keyword], language: str) -> set[str]:
    """Return a paper's keyword keys and their sub-phrases that could name a theme.

    "efficient optimal transport" and "neural optimal transport" both contribute
    "optimal transport", which is what a reader would call the shared theme.
    """
    stop = stopwords(language)
    phrases: set[str] = set()
    for kw in keywords:
        words = kw.key.split()
        for size in range(1, len(words) + 1):
            for start in range(len(words) - size + 1):
                part = words[start : start + size]
                if part[0] in stop or part[-1] in stop:
                    continue
                phrases.add(keyword_key(" ".join(part)))
    return phrases


def rank(
    members: Sequence[int], vectors: NDArray[np.float64], centre: NDArray[np.float64]
) -> list[int]:
    """Order a theme's papers by relevance: closeness to the theme's centre, then key order."""
    sims = vectors[list(members)] @ centre
    return [
        members[j]
        for j in sorted(range(len(members)), key=lambda j: (-round(float(sims[j]), 9), members[j]))
    ]
