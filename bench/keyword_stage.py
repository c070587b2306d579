"""Run one checkout's keyword stage on papers: its keywords, and its time a paper.

The digest imported is whichever is first on PYTHONPATH, so that bench/keyword_ranker.py can
run this branch and another checkout (``--today /work/main``) alternately, A B A B, each in a
fresh process: the strict scores of "digest today" and the time ratio come from the other
checkout's own code, not a copy of it.

Usage: PYTHONPATH=CHECKOUT python bench/keyword_stage.py PAPERS.json [--time]
PAPERS.json is a list of {"title", "abstract"}; prints JSON {"keywords": [[text, ...], ...],
"ms": [per-paper milliseconds of each chunk of 25 papers]}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from digest.config import KeywordConfig
from digest.text.keywords import paper_keywords

CHUNK = 25


def main() -> None:
    papers = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    settings = KeywordConfig()
    # Warm up: models, stop words and YAKE's extractor are loaded once per process.
    paper_keywords(papers[0]["title"], papers[0]["abstract"], settings)
    found, ms = [], []
    for start in range(0, len(papers), CHUNK):
        chunk = papers[start : start + CHUNK]
        began = time.perf_counter()
        found += [paper_keywords(p["title"], p["abstract"], settings) for p in chunk]
        ms.append((time.perf_counter() - began) / len(chunk) * 1000)
    print(json.dumps({"keywords": [[k[1] for k in kws] for kws in found], "ms": ms}))


if __name__ == "__main__":
    main()
