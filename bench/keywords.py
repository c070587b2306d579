"""Keyword quality against Hugging Face's own keywords (``ai_keywords``) for its daily papers.

Raw YAKE (n=3, top 10, title + abstract) and digest's normalised keywords are compared with
the keywords HF's pipeline assigned, counting a match when one phrase contains the other after
lower-casing and plural folding (the shared data's scoring rule). The HF
papers are in the shared data folder (see bench/corpus.py). Usage: python bench/keywords.py
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from digest.config import KeywordConfig
from digest.sources import read_inputs
from digest.text.keywords import extract, keyword_text
from digest.text.words import fold, singular
from digest.text.yake_adapter import run_yake

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DATA


def norm(text: str) -> str:
    return " ".join(singular(w) for w in fold(text.replace("-", " ")).split())


def matches(a: str, b: str) -> bool:
    a, b = f" {norm(a)} ", f" {norm(b)} "
    return a in b or b in a


def score(found: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> tuple[float, float]:
    pairs = list(zip(found, truth, strict=True))
    hit_truth = sum(any(matches(t, f) for f in fs) for fs, ts in pairs for t in ts)
    hit_found = sum(any(matches(f, t) for t in ts) for fs, ts in pairs for f in fs)
    total_truth = sum(len(ts) for ts in truth)
    total_found = sum(len(fs) for fs in found)
    return hit_truth / total_truth, hit_found / max(1, total_found)


def main() -> None:
    papers = read_inputs([DATA / "hf-daily-papers" / "daily_papers.json"])
    truth = [p.source_keywords for p in papers]
    settings = replace(KeywordConfig(), top=10)
    raw = [[k.text for k in run_yake(keyword_text(p.title, p.abstract), settings)] for p in papers]
    ours = [[k.text for k in kws] for kws in extract(papers, KeywordConfig())]
    print(f"{len(papers)} papers, {sum(len(t) for t in truth)} HF keywords")
    for name, found in (("raw YAKE top 10", raw), ("digest keywords", ours)):
        recall, precision = score(found, truth)
        per = sum(len(f) for f in found) / len(found)
        print(f"  {name:<16} recall {recall:.2f}  precision {precision:.2f}  ({per:.1f} per paper)")


if __name__ == "__main__":
    main()
