"""Acronyms a paper defines: "mutual information (MI)" makes "MI" and its expansion one keyword.

"MI", "MI estimation" become "mutual information", "mutual information estimation".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.text.words import fold

_LINKING = frozenset("of for from and the in on to with by a an".split())
_DEFINITION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9-]{1,9}?)(s?)\s*\)")
_WORD = re.compile(r"[\w][\w'-]*")


def find_acronyms(text: str) -> dict[str, str]:
    """Return ``{acronym (folded): long form}`` for "long form (ACRONYM)" definitions.

    The long form is the shortest run of words just before the parenthesis whose initials
    (and hyphen-joined parts' initials) spell the acronym, as in Schwartz and Hearst (2003).
    Acronyms need at least two capitals, so "(a)" and "(i)" list markers never match.
    """
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        short = match.group(1)
        if sum(c.isupper() for c in short) < 2:
            continue
        letters = [c.lower() for c in short if c.isalpha()]
        before = _WORD.findall(text[max(0, match.start() - 200) : match.start()])
        long_form = _spell(before[-(len(letters) + 3) :], letters)
        if long_form:
            found.setdefault(fold(short), long_form)
    return found


def _spell(words: Sequence[str], letters: Sequence[str]) -> str | None:
    """Return the shortest tail of ``words`` whose initials spell ``letters``, if any.

    Initials are tried with and without hyphen-joined parts and with small linking words
    ("reinforcement learning from human feedback" spells RLHF) left out.
    """
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if fold(tail[0]) in _LINKING:
            continue
        content = [w for w in tail if fold(w) not in _LINKING]
        spellings = (
            [w[0].lower() for w in tail],
            [w[0].lower() for w in content],
            [p[0].lower() for w in content for p in w.split("-") if p],
        )
        if any(s == list(letters) for s in spellings):
            return " ".join(tail)
        if len(content) > len(letters):
            return None
    return None


def expand(text: str, acronyms: dict[str, str]) -> str:
    """Replace every defined acronym in a keyword (a word of two capitals or more, plural
    allowed) by its long form."""
    if not acronyms:
        return text
    return " ".join(_expand_word(w, acronyms) for w in text.split())


def _expand_word(word: str, acronyms: dict[str, str]) -> str:
    if sum(c.isupper() for c in word) < 2:
        return word
    key = fold(word)
    if key in acronyms:
        return acronyms[key]
    if key.endswith("s") and key[:-1] in acronyms:
        return acronyms[key[:-1]]
    return word
