"""The word library every stage shares: folding, stop words, plurals, keyword keys.

A leaf module (it imports only digest's errors) so that the configuration can validate a language
and the keyword, theme and page stages can compare phrases the same way.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from digest.errors import KeywordError

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w+#]+")
#: The acronym a keyphrase's paper defines, after the phrase (digest.text.keyphrases shows it).
_ACRONYM_SUFFIX = re.compile(r"\s*\(([^()]*)\)$")

# Words whose plural and singular are the same, or that only look plural.
_INVARIANT = frozenset(
    """
    series species means news physics mathematics dynamics bias gas lens
    """.split()
)


@lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """Return the comparison form of a phrase: case-folded, accents and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", letters)).strip()


def singular(word: str) -> str:
    """Fold an English plural to its singular, conservatively (for comparison, not display)."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ics")):
        return word
    if word in _INVARIANT:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def split_acronym(text: str) -> tuple[str, str]:
    """Split a keyword as shown into its phrase and the acronym its paper defines for it:
    "large language models (LLMs)" is ("large language models", "LLMs"); ("GRPO", "") has none.

    Keys, search queries and the export use the phrase: "large language models" is one keyword
    whether or not a paper defines "LLMs", and a reader's search for the phrase finds papers
    that never wrote the acronym.
    """
    found = _ACRONYM_SUFFIX.search(text)
    if found is None:
        return text, ""
    return text[: found.start()], found.group(1)


def keyword_key(text: str) -> str:
    """Return the canonical form of a phrase: folded, hyphens as spaces, last word singular.

    "Neural Networks", "neural-network" and "neural networks" are one key.
    """
    words = fold(text.replace("-", " ")).split()
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


@lru_cache(maxsize=8)
def stopwords(language: str) -> frozenset[str]:
    """Return YAKE's stop words for ``language``, so every stage agrees on what one is."""
    data = (_stopword_lists() / f"stopwords_{language}.txt").read_bytes().decode("utf-8", "replace")
    return frozenset(w.strip().lower() for w in data.splitlines() if w.strip())


def languages() -> tuple[str, ...]:
    """Return the languages there are stop words for (YAKE's lists)."""
    names = (p.name for p in _stopword_lists().iterdir())
    return tuple(
        sorted(n[10:-4] for n in names if n.startswith("stopwords_") and "noLang" not in n)
    )


def _stopword_lists() -> Path:
    """Return yake's folder of stop word lists, found without importing yake (0.15 s)."""
    spec = importlib.util.find_spec("yake")
    if spec is None or not spec.submodule_search_locations:
        raise KeywordError("yake is not installed: pip install digest's dependencies")
    return Path(next(iter(spec.submodule_search_locations))) / "core" / "StopwordsList"


#: Research words that say nothing of a topic alone ("learning", "framework", "analysis"):
#: no keyword or theme name is made of these only.
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
