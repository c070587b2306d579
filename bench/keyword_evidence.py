"""The counts behind digest.text.candidates' word lists and digest.text.keyphrases' choices.

On ../shared/data/hf-ai-keywords/train.jsonl (Hugging Face's keywords of 3,014 papers):

- how many keywords hold each YAKE stop word that digest.text.candidates keeps as a term
  word ("instruction following"), and how often each narrative verb it treats as a boundary
  appears in the texts and in keywords;
- how Hugging Face's style changed in January 2026: keywords with capitals, keywords a paper
  has, and how often the name before a title's colon ("DMax: ...") is a keyword;
- how often one keyword of a paper is nested in another (digest.text.keyphrases.choose);
- how many keywords are among a paper's candidates (digest.text.candidates).

Usage: python bench/keyword_evidence.py
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from keyword_data import NEW_STYLE, match, norm, read_train

from digest.text.candidates import NARRATIVE_VERBS, TERM_WORDS, display, find_candidates
from digest.text.words import stopwords


def _within(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return f" {' '.join(a)} " in f" {' '.join(b)} "


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def main() -> None:
    docs = read_train()
    keywords = [k for d in docs for k in d["ai_keywords"]]
    print(f"{len(docs)} papers, {len(keywords)} keywords")
    in_keywords: Counter[str] = Counter()
    for k in keywords:
        # Words as YAKE's stop list sees them: hyphenated words stay one token.
        in_keywords.update(set(re.findall(r"[\w']+", k.lower())))
    stop = stopwords("en")
    kept = {w: in_keywords[w] for w in sorted(TERM_WORDS)}
    print(f"stop words kept as term words, keywords holding each: {kept}")
    print(f"  (all in YAKE's list: {all(w in stop for w in TERM_WORDS)})")
    texts: Counter[str] = Counter()
    for d in docs:
        texts.update(_words(f"{d['title']} {d['abstract']}"))
    in_keyword_words: Counter[str] = Counter()
    for k in keywords:
        in_keyword_words.update(set(_words(k)))
    verbs = {w: (texts[w], in_keyword_words[w]) for w in sorted(NARRATIVE_VERBS)}
    print(f"narrative verbs, (in texts, in keywords): {verbs}")
    for new in (False, True):
        part = [d for d in docs if (d["date"] >= NEW_STYLE) == new]
        ks = [k for d in part for k in d["ai_keywords"]]
        capitals = sum(any(c.isupper() for c in k) for k in ks) / len(ks)
        per = statistics.mean(len(d["ai_keywords"]) for d in part)
        named = [
            d for d in part if ":" in d["title"] and len(d["title"].split(":")[0].split()) == 1
        ]
        listed = sum(
            any(match(norm(d["title"].split(":")[0]), norm(k)) for k in d["ai_keywords"])
            for d in named
        )
        label = f"from {NEW_STYLE}" if new else f"before {NEW_STYLE}"
        print(
            f"{label}: {len(part)} papers, {per:.1f} keywords a paper, {capitals:.0%} with "
            f"capitals, title name listed in {listed} of {len(named)} ({listed / len(named):.0%})"
        )
    nested = total = 0
    for d in docs:
        gold = [norm(k) for k in d["ai_keywords"]]
        for i, a in enumerate(gold):
            total += 1
            nested += any(
                j != i and b != a and (_within(a, b) or _within(b, a)) for j, b in enumerate(gold)
            )
    print(f"keywords nested in another keyword of their paper: {nested / total:.1%}")
    found = strict = 0
    for d in docs:
        paper = find_candidates(d["title"], d["abstract"])
        candidates = [norm(display(c, paper, lambda w: True)) for c in paper.candidates.values()]
        keys = {norm(k) for k in paper.candidates}
        for k in d["ai_keywords"]:
            found += norm(k) in keys or norm(k) in candidates
            strict += any(match(norm(k), c) for c in candidates)
    print(
        f"keywords that are a candidate: {found / len(keywords):.1%}; "
        f"that match one by the strict rule: {strict / len(keywords):.1%}"
    )


if __name__ == "__main__":
    main()
