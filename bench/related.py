"""Related papers and "For you" against TF-IDF and LSA baselines, their churn, and their cost.

Scores (THEMES.md, "Related papers and reader interests"; primary categories are the labels,
never input: the papers are read, then only title, abstract and authors are used):
- related: mean over papers of the share of its shown related papers (3 to 5; the baselines
  show 5) in its own primary category;
- "For you": for each category of at least 40 papers the reader likes its 8 papers with the
  smallest ids; precision at 20 over all other papers, mean over categories.
On ../shared/data/labelled/arxiv-cs-2016.jsonl, each half of it (split by a hash of the id),
"For you" with the 8 largest ids liked (not tuned on), and the Kaggle snapshot head (200
papers of every archive: related by primary category, "For you" by archive, since no primary
category there has 40 papers). Baselines (scikit-learn, here only) run in the same process.
Vectors are digest.themes.vectors' (terms, fit_lsa): words only, or with the keyword phrases
a build adds (--keywords DIR: YAKE once, its results kept in DIR).

Churn: the papers by id, all but the last 500 related the cold way, then those 500 added the
daily way (digest.themes.relating.relate, the build's own function): share of old lists
changed, related score against a cold computation of all.

Cost (--scale N): N papers replicating the real ones (each copy drops a random 15 % of its
abstract's words, so copies differ); the cache and kept lists a cold build of N - 500 leaves
are synthesised (see seed_cache), then the daily build of 500 more runs through relate() with
that cache, in a fresh process: seconds and peak memory of the daily build.

26 readers make a noisy score (a standard error of about 0.02 on arxiv-cs-2016; the 8 smallest
ids there are all papers of 2007, so it also measures a reader whose likes are years older than
most candidates). --draws N adds "For you" over up to N readers a category, each liking 8 other
papers of it (ordered by a hash of category and row), with the mean's standard error: compare
rankers on that, and on the halves and Kaggle, before trusting a change of 0.01.

    python bench/related.py                   # scores and churn
    python bench/related.py --keywords /tmp/kw  # the same with the build's keyword phrases
    python bench/related.py --scale 100000    # and the daily cost at 100,000 papers
    python bench/related.py --draws 10        # and "For you" over 10 readers a category
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from digest.config import KeywordConfig
from digest.model import Keyword, Paper
from digest.sources import read_inputs
from digest.state import Cache
from digest.text.keywords import extract
from digest.themes import foryou
from digest.themes import related as rel
from digest.themes.relating import relate
from digest.themes.vectors import fit_lsa, terms

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DIGEST_SHARED_DATA", ROOT.parent / "shared" / "data"))
CS = SHARED / "labelled" / "arxiv-cs-2016.jsonl"
KAGGLE = SHARED / "labelled" / "kaggle-snapshot-head.jsonl"
DAILY = 500
Ranker = Callable[[list[int], list[int]], Sequence[int]]


def related_score(lists: Sequence[Sequence[int]], truth: Sequence[str]) -> float:
    """Mean share of each paper's related papers in its own category (never itself)."""
    shares = [sum(truth[j] == truth[i] for j in ls) / len(ls) for i, ls in enumerate(lists) if ls]
    return float(np.mean(shares))


def readers(keys: Sequence[object], truth: Sequence[str]) -> list[tuple[str, list[int]]]:
    """Return (category, liked) for categories of >= 40 papers: the 8 smallest ``keys``."""
    members: defaultdict[str, list[int]] = defaultdict(list)
    for i, category in enumerate(truth):
        members[category].append(i)
    return [
        (c, sorted(members[c], key=lambda i: (keys[i], i))[:8])
        for c in sorted(members)
        if len(members[c]) >= 40
    ]


def drawn_readers(truth: Sequence[str], draws: int) -> list[tuple[str, list[int]]]:
    """Return (category, liked) for categories of >= 40 papers: up to ``draws`` disjoint sets
    of 8 of its papers, in the order of a hash of category and row (not of ids or dates)."""
    members: defaultdict[str, list[int]] = defaultdict(list)
    for i, category in enumerate(truth):
        members[category].append(i)
    found = []
    for c in sorted(members):
        if len(members[c]) < 40:
            continue
        order = sorted(members[c], key=lambda i: hashlib.sha1(f"{c} {i}".encode()).hexdigest())
        found += [(c, sorted(order[8 * k : 8 * k + 8])) for k in range(min(draws, len(order) // 8))]
    return found


def precisions(
    rank: Ranker, chosen: Sequence[tuple[str, list[int]]], truth: Sequence[str]
) -> list[float]:
    """Precision at 20 of each reader in ``chosen`` (liked papers left out of the ranking)."""
    found = []
    for category, liked in chosen:
        others = sorted(set(range(len(truth))) - set(liked))
        top = list(rank(liked, others))[:20]
        assert not set(top) & set(liked)
        found.append(sum(truth[i] == category for i in top) / 20)
    return found


def for_you_score(rank: Ranker, keys: Sequence[object], truth: Sequence[str]) -> float:
    found = precisions(rank, readers(keys, truth), truth)
    return float(np.mean(found)) if found else float("nan")


def top5(similarity: np.ndarray) -> list[list[int]]:
    """Five most similar others per row, ties by index (the baselines' related papers)."""
    sims = similarity.copy()
    np.fill_diagonal(sims, -np.inf)
    index = np.broadcast_to(np.arange(len(sims)), sims.shape)
    return np.lexsort((index, -sims), axis=1)[:, :5].tolist()


def by_score(scores: Callable[[list[int]], np.ndarray]) -> Ranker:
    def rank(liked: list[int], others: list[int]) -> list[int]:
        cands = np.array(others)
        return cands[np.lexsort((cands, -scores(liked)[cands]))].tolist()

    return rank


def baselines(papers: Sequence[Paper], truth: Sequence[str], keys: Sequence[str]) -> dict:
    texts = [f"{p.title}. {p.abstract}" for p in papers]
    tfidf = TfidfVectorizer(
        sublinear_tf=True, ngram_range=(1, 2), stop_words="english", min_df=2
    ).fit_transform(texts)
    lsa = normalize(TruncatedSVD(min(100, len(papers) - 1), random_state=0).fit_transform(tfidf))
    dense = tfidf.toarray()
    return {
        "related tfidf": related_score(top5((tfidf @ tfidf.T).toarray()), truth),
        "related lsa": related_score(top5(lsa @ lsa.T), truth),
        "for-you tfidf": for_you_score(
            by_score(lambda liked: dense @ dense[liked].mean(axis=0)), keys, truth
        ),
        "for-you lsa": for_you_score(
            by_score(lambda liked: lsa @ lsa[liked].mean(axis=0)), keys, truth
        ),
    }


#: Readers a category drawn for --draws (0: only the fixed readers).
DRAWS = 0
#: Where --keywords keeps YAKE's keywords (digest's own keyword cache), so YAKE runs once.
KEYWORDS: Path | None = None


def vectors_of(papers: Sequence[Paper]) -> np.ndarray:
    """digest's vectors: with the build's YAKE keywords under --keywords, else words only."""
    found: Sequence[Sequence[Keyword]] = [[] for _ in papers]
    if KEYWORDS is not None:
        cache = Cache(KEYWORDS)
        found = extract(papers, KeywordConfig(workers=1), None, cache)
        cache.close()
    vectors, _ = fit_lsa([terms(p, k, "en") for p, k in zip(papers, found, strict=True)])
    return vectors


def authors_of(papers: Sequence[Paper]) -> list[list[str]]:
    return [[a.name for a in p.authors] for p in papers]


def ours(vectors: np.ndarray, authors: list[list[str]], truth, keys) -> dict:
    """digest's related papers (cold: every paper in the batch) and "For you"."""
    points = rel.points(rel.embed(vectors, authors))
    indices, sims = rel.nearest(points, points, 0)
    shown = [rel.shown(i, s) for i, s in zip(indices.tolist(), sims.tolist(), strict=True)]

    graph = foryou.graph(points, shown)

    def rank(liked: list[int], others: list[int]) -> list[int]:
        scores = foryou.spread(foryou.scores_for(points, liked), graph)
        cands = np.array(others)
        return cands[np.lexsort((cands, -scores[cands]))].tolist()

    largest = [tuple(-ord(ch) for ch in k) for k in keys]
    drawn = precisions(rank, drawn_readers(truth, DRAWS), truth) if DRAWS else []
    return {
        "drawn": (
            (float(np.mean(drawn)), float(np.std(drawn) / np.sqrt(len(drawn))), len(drawn))
            if drawn
            else (float("nan"), float("nan"), 0)
        ),
        "related": related_score(shown, truth),
        "fixed 5": related_score(indices.tolist(), truth),
        "shown": float(np.mean([len(s) for s in shown])),
        "for-you": for_you_score(rank, keys, truth),
        "largest": for_you_score(rank, largest, truth),
    }


def report(name: str, papers: Sequence[Paper], truth: list[str], for_you_truth: list[str]) -> None:
    keys = [p.key for p in papers]
    base = baselines(papers, truth, keys)
    fy_base = baselines(papers, for_you_truth, keys) if for_you_truth != truth else base
    vectors = vectors_of(papers)
    start = time.perf_counter()
    full = ours(vectors, authors_of(papers), truth, keys)
    seconds = time.perf_counter() - start
    text = ours(vectors, [[] for _ in papers], truth, keys)
    same = for_you_truth == truth
    fy_full = full if same else ours(vectors, authors_of(papers), for_you_truth, keys)
    fy_text = text if same else ours(vectors, [[] for _ in papers], for_you_truth, keys)
    print(f"{name}: {len(papers)} papers, {len(readers(keys, for_you_truth))} readers")
    print(
        f"  related  tfidf {base['related tfidf']:.3f}  tfidf+lsa100 {base['related lsa']:.3f}"
        f"  digest {full['related']:.3f} ({full['shown']:.2f} shown, fixed 5 "
        f"{full['fixed 5']:.3f})  text only {text['related']:.3f} (fixed 5 {text['fixed 5']:.3f})"
    )
    print(
        f"  for you  tfidf centroid {fy_base['for-you tfidf']:.3f}  lsa centroid "
        f"{fy_base['for-you lsa']:.3f}  digest {fy_full['for-you']:.3f} (largest ids liked "
        f"{fy_full['largest']:.3f})  text only {fy_text['for-you']:.3f} (largest "
        f"{fy_text['largest']:.3f})"
    )
    if DRAWS:
        mean, error, count = fy_full["drawn"]
        print(
            f"  for you  digest over {count} drawn readers {mean:.3f} (standard error {error:.3f})"
        )
    print(f"  time: related + readers {seconds:.1f} s")


def halves(papers: Sequence[Paper]) -> None:
    for half in (0, 1):
        sub = [p for p in papers if int(hashlib.sha1(p.key.encode()).hexdigest(), 16) % 2 == half]
        truth = [p.primary_category or "?" for p in sub]
        report(f"arxiv-cs-2016 half {half}", sub, truth, truth)


def churn(papers: Sequence[Paper]) -> None:
    """Cold on all but the last DAILY papers by id, then add those the daily way."""
    ordered = sorted(papers, key=lambda p: p.key)
    old = ordered[:-DAILY]
    truth = {p.key: p.primary_category or "?" for p in ordered}
    with tempfile.TemporaryDirectory(prefix="digest-related-") as tmp:
        cache = Cache(Path(tmp))
        batch = frozenset(p.key for p in old)
        cold = relate([(p, []) for p in old], batch, {}, cache, "en", "bench")
        start = time.perf_counter()
        daily = relate([(p, []) for p in ordered], batch, cold.lists, cache, "en", "bench")
        seconds = time.perf_counter() - start
        everything = frozenset(p.key for p in ordered)
        again = relate([(p, []) for p in ordered], everything, {}, cache, "en", "bench")
        cache.close()
    changed = sum(daily.lists[p.key] != cold.lists[p.key] for p in old) / len(old)

    def score(lists: dict) -> float:
        return float(
            np.mean([np.mean([truth[r] == truth[k] for r in v]) for k, v in lists.items()])
        )

    print(
        f"  daily path: {len(old)} + {DAILY} papers ({seconds:.2f} s): {changed:.1%} of old lists "
        f"changed; related {score(daily.lists):.3f} vs cold recompute {score(again.lists):.3f}"
    )


def synthetic(total: int) -> list[Paper]:
    """``total`` papers copying the real ones; each copy drops a random 15 % of its words."""
    base = read_inputs([CS, KAGGLE])
    papers = []
    for number in range(total):
        paper = base[number % len(base)]
        copy = number // len(base)
        if copy:
            rng = random.Random(number)
            words = [w for w in paper.abstract.split() if rng.random() > 0.15]
            authors = tuple(replace(a, name=f"{a.name} {copy}") for a in paper.authors)
            paper = replace(paper, abstract=" ".join(words), authors=authors)
        papers.append(replace(paper, key=f"arxiv:{9000 + copy}.{number:06d}"))
    return papers


def child(stage: str, total: int, folder: Path) -> None:
    """One stage of the cost measurement, in its own process (peak memory is per process)."""
    papers = synthetic(total)
    batch = frozenset(p.key for p in papers[:-DAILY])
    cache = Cache(folder / "cache")
    lists_file = folder / "lists.json"
    start, cpu = time.perf_counter(), time.process_time()
    if stage == "cold":
        kept = seed_cache(papers[:-DAILY], cache)
        lists_file.write_text(json.dumps(kept))
    else:
        kept = json.loads(lists_file.read_text())
        found = relate([(p, []) for p in papers], batch, kept, cache, "en", "bench")
        print(f"    {len(found.changed) - DAILY} old lists took a new paper", file=sys.stderr)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak}))


def seed_cache(papers: Sequence[Paper], cache: Cache) -> dict[str, list[str]]:
    """Write the cache a cold build of ``papers`` leaves, cheaply, and return kept lists.

    Not the cold computation (two passes over all pairs: minutes at 100,000 papers on a shared
    2-core machine): the space is fitted on the real papers, every copy gets its original's
    vector plus noise, its lists are copies of the same paper. What the daily build reads has
    the real shapes, so its time is the real one.
    """
    from digest.themes import relating

    real = read_inputs([CS, KAGGLE])
    vectors, space = fit_lsa([terms(p, [], "en") for p in real])
    assert space is not None
    space = type(space).from_bytes(space.to_bytes())
    rng = np.random.default_rng(0)
    rows = vectors[np.arange(len(papers)) % len(real)]
    rows = rel.unit(rows + 0.005 * rng.standard_normal(rows.shape))
    weights = np.ones(rows.shape[1], dtype=np.float32)
    sharp = rows.astype(np.float32)
    embedding = rel.Embedding(weights, sharp.mean(axis=0), sharp, sharp)
    keys = sorted(p.key for p in papers)
    by_key = {p.key: (p, []) for p in papers}
    name = relating._batch_key(by_key, keys, "en", "bench")
    order = {p.key: i for i, p in enumerate(papers)}
    points = rel.points(embedding)[[order[k] for k in keys]]
    cache.keep_arrays(
        name,
        {
            "space": np.frombuffer(space.to_bytes(), dtype=np.uint8),
            "weights": weights,
            "centre": embedding.centre,
            "sharp": sharp[[order[k] for k in keys]],
            "smooth": sharp[[order[k] for k in keys]],
            "points": points,
            "authors": np.array(
                json.dumps(
                    [list(rel.author_keys([a.name for a in by_key[k][0].authors])) for k in keys]
                )
            ),
        },
    )
    n = len(papers)
    return {
        p.key: [papers[(i + j * len(real)) % n].key for j in (1, 2, 3)]
        for i, p in enumerate(papers)
    }


def cost(total: int) -> None:
    with tempfile.TemporaryDirectory(prefix="digest-related-") as tmp:
        for stage in ("cold", "daily"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", stage, str(total), tmp],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            what = f"{total - DAILY} papers, synthesised" if stage == "cold" else f"{DAILY} new"
            print(
                f"  {total:,} papers, {stage} ({what}): {figures['seconds']:.1f} s "
                f"({figures['cpu']:.1f} s of CPU), peak "
                f"{figures['peak_mb']:.0f} MB (whole process){done.stderr.rstrip()}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=int, nargs="*", default=[], help="daily cost at N papers")
    parser.add_argument("--cost-only", action="store_true", help="skip the scores")
    parser.add_argument(
        "--keywords", metavar="DIR", type=Path, help="vectors with YAKE keywords, cached in DIR"
    )
    parser.add_argument(
        "--draws", type=int, default=0, metavar="N", help="For you over N readers a category"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global KEYWORDS, DRAWS
    KEYWORDS, DRAWS = args.keywords, args.draws
    if args.child:
        child(args.child[0], int(args.child[1]), Path(args.child[2]))
        return
    if not args.cost_only:
        cs = read_inputs([CS])
        truth = [p.primary_category or "?" for p in cs]
        report("arxiv-cs-2016", cs, truth, truth)
        churn(cs)
        halves(cs)
        kaggle = read_inputs([KAGGLE])
        primary = [p.primary_category or "?" for p in kaggle]
        report("kaggle-snapshot-head", kaggle, primary, [c.split(".")[0] for c in primary])
    for total in args.scale:
        cost(total)


if __name__ == "__main__":
    main()
