"""How common a word is in everyday text: Zipf frequencies shipped in ``text/data/``.

Grouping weighs everyday words less (:func:`digest.themes.vectors.everyday_weights`). The table
comes from wordfreq's English list (``bench/everyday_table.py`` writes it), so the build needs
neither wordfreq nor the 0.25 s its import and list cost; a language without a table is an
empty one, and its papers are grouped as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=4)
def zipf_table(language: str) -> Mapping[str, float]:
    """Return the everyday words of ``language`` with their Zipf frequency (at least 3.0)."""
    path = DATA / f"everyday-{language}.txt"
    if not language.isalpha() or not path.is_file():
        return {}
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        value, *words = line.split()
        table.update(dict.fromkeys(words, float(value)))
    return table
