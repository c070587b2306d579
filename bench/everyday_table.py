"""Write digest's table of everyday English words: ``digest/text/data/everyday-en.txt``.

Grouping weighs a term less the more everyday its rarest word is (``digest.themes.vectors``,
``everyday_weights``). How everyday a word is comes from wordfreq's English list ("best"), as
Zipf frequencies (log10 of occurrences per billion words), kept down to Zipf 3.0: a rarer word's
weight differs from 1 by less than 0.002, so it is left out and weighs 1. wordfreq is needed
here only (its last release, 3.1.1, whose lists no longer change); the build reads the file.

The file has one line per Zipf value, commonest first: the value, then its words.

Usage: pip install wordfreq==3.1.1 && python bench/everyday_table.py
"""

from __future__ import annotations

from pathlib import Path

import wordfreq

OUT = Path(__file__).resolve().parent.parent / "digest" / "text" / "data" / "everyday-en.txt"
#: wordfreq's lists are buckets of a hundredth of a Zipf unit, from Zipf 9 down.
BUCKETS_PER_ZIPF = 100
MIN_ZIPF = 3.0


def main() -> None:
    buckets = wordfreq.get_frequency_list("en", wordlist="best")
    last = round((9 - MIN_ZIPF) * BUCKETS_PER_ZIPF)
    seen: set[str] = set()
    lines = []
    for index, words in enumerate(buckets[: last + 1]):
        # A word is listed once, in its commonest bucket; words with spaces cannot be terms.
        fresh = [w for w in words if w not in seen and " " not in w]
        seen.update(fresh)
        if fresh:
            lines.append(f"{9 - index / BUCKETS_PER_ZIPF:.2f} {' '.join(fresh)}\n")
    OUT.write_text("".join(lines), encoding="utf-8")
    print(f"{len(seen)} words in {len(lines)} lines: {OUT}")


if __name__ == "__main__":
    main()
