"""Theme names and groups: digest before issue 17 against digest now, on labelled arXiv sets.

For each dataset the papers are read with their arXiv categories removed (the categories are
the labels: grouping never sees them) and grouped twice:

- ``before``: the grouping as it was (no name moves: ``themes.moves.NAME_MOVES = 0``; plain
  LSA vectors smoothed, not related papers' points: :func:`legacy_vectors`), named by
  distinctive YAKE keyword phrases and ordered by closeness to the centre (bench/legacy_naming.py,
  a copy of the former code); issue groups headed by their theme's name;
- ``after``: :func:`digest.themes.grouping.group` as it is (phrase names, name moves, typical
  papers first), issue groups headed by :func:`digest.themes.typical.issue_headings`.

Both are scored by the rules of ../shared/tools/theme_names.py (THEMES.md): size-weighted
coverage and exclusivity, one-word names, the least exclusive name, names below 0.30, names in
another case style than the majority; ``first3``: share of themes whose first 3 papers include
2 that contain a phrase of the name; AMI and NMI of the primary themes against the primary
arXiv category. Daily issues: the papers in key order are cut into days of ``--day`` papers,
each day's papers grouped by primary theme; ``issue_cov``/``issue_exc`` are the size-weighted
coverage of each group's heading among its papers and exclusivity among the day's papers,
``issue_fit`` the share of groups of 2 or more whose heading fits half of them, ``fits_one``
the groups of 4 or more whose heading fits at most one paper. Keywords are cached in
bench/results/. CPU seconds of grouping (naming included) are printed for both.

Usage: python bench/theme_names.py [--shared DIR] [--datasets ...] [--day 100] [--list]
(--shared defaults to $DIGEST_SHARED, else ../shared)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import legacy_naming
from corpus import FileCache

from digest.config import KeywordConfig, ThemeConfig
from digest.executors import keyword_executor
from digest.model import Keyword, Paper
from digest.sources import read_inputs
from digest.text.keywords import extract
from digest.themes import grouping as grouping_module
from digest.themes import moves
from digest.themes.clustering import centroid
from digest.themes.grouping import Grouping, group
from digest.themes.naming import Name
from digest.themes.typical import issue_headings
from digest.themes.vectors import fit_lsa, smooth, terms

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))
RESULTS = ROOT / "bench" / "results"
DATASETS = {
    "arxiv-cs-2016": "data/labelled/arxiv-cs-2016.jsonl",
    "kaggle-snapshot-head": "data/labelled/kaggle-snapshot-head.jsonl",
    "trending": None,  # digest's bundled example: no labels, names only
}

#: A named grouping: (name, members in page order) per theme, and each member's theme.
Named = tuple[list[tuple[str, list[int]]], list[int]]


def scorer(shared: Path) -> ModuleType:
    """Load the project's scoring rules (tools/theme_names.py beside the shared data)."""
    path = shared / "tools" / "theme_names.py"
    spec = importlib.util.spec_from_file_location("theme_names_rules", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SystemExit(f"Scoring rules not found: {path} (pass --shared)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(name: str, shared: Path) -> tuple[list[Paper], list[tuple[Keyword, ...]], list[str]]:
    """Read a dataset without its categories; return papers, keywords and the labels."""
    relative = DATASETS[name]
    path = shared / relative if relative else ROOT / "digest" / "examples" / "trending-papers.txt"
    read = read_inputs([path])
    truth = [p.primary_category or "" for p in read]
    papers = [replace(p, categories=(), primary_category=None) for p in read]
    cache = FileCache(RESULTS / f"keywords-{name}.json")
    with keyword_executor(0) as executor:
        keywords = extract(papers, KeywordConfig(), executor, cache)
    return papers, keywords, truth


def legacy_vectors(usable: Sequence[tuple[Paper, Sequence[Keyword]]], language: str) -> Any:
    """The vectors grouping clustered before issue 17: plain LSA vectors, smoothed."""
    plain, space = fit_lsa([terms(p, k, language) for p, k in usable])
    return smooth(plain), plain, space


def grouped(papers: Sequence[Paper], keywords: Sequence[Sequence[Keyword]], legacy: bool) -> Any:
    """Group (and name) the papers as digest did before (``legacy``) or does now.

    Returns the named themes, each paper's theme, the grouping, CPU seconds of the whole
    grouping, and CPU seconds of naming alone (both namings time the same clusters: the
    grouping before name moves).
    """
    saved = moves.NAME_MOVES, grouping_module._vectors
    if legacy:
        moves.NAME_MOVES, grouping_module._vectors = 0, legacy_vectors
    try:
        tick = time.process_time()
        grouping = group(papers, keywords, ThemeConfig())
        seconds = time.process_time() - tick
    finally:
        moves.NAME_MOVES, grouping_module._vectors = saved
    row = {p.key: i for i, p in enumerate(papers)}
    named, naming = _names(papers, keywords, grouping, row, legacy)
    theme = [-1] * len(papers)
    slugs = {t.slug: g for g, t in enumerate(grouping.themes)}
    for key, found in grouping.placements.items():
        theme[row[key]] = slugs[found[0].theme_slug]
    return named, theme, grouping, seconds, naming


def _clustered(grouping: Grouping) -> list[Any]:
    return [t for t in grouping.themes if not t.is_other]


def _names(
    papers: Sequence[Paper],
    keywords: Sequence[Sequence[Keyword]],
    grouping: Grouping,
    row: dict[str, int],
    legacy: bool,
) -> tuple[list[tuple[str, list[int]]], float]:
    """Name and order ``grouping``'s themes the former way (bench/legacy_naming.py), or read
    today's names; return them and the CPU seconds of naming its clusters that way."""
    usable = sorted(
        ((p, k) for p, k in zip(papers, keywords, strict=True) if k), key=lambda pk: pk[0].key
    )
    at = {p.key: i for i, (p, _) in enumerate(usable)}
    themes = [t for t in _clustered(grouping) if all(k in at for k in t.paper_keys)]
    clusters = [sorted(at[k] for k in t.paper_keys) for t in themes]
    space = smooth(fit_lsa([terms(p, k, "en") for p, k in usable])[0])
    tick = time.process_time()
    if not legacy:
        titles, abstracts = [p.title for p, _ in usable], [p.abstract for p, _ in usable]
        moves.name_clusters(titles, abstracts, clusters, space, (2, 3), "en", moves=True)
        seconds = time.process_time() - tick
        return [(t.name, [row[k] for k in t.paper_keys]) for t in _clustered(grouping)], seconds
    phrases = [legacy_naming.keyword_phrases(k, "en") for _, k in usable]
    standalone = [{kw.key for kw in k} for _, k in usable]
    found = legacy_naming.name_clusters(clusters, phrases, ThemeConfig(), standalone)
    named = []
    for members, name in zip(clusters, found, strict=True):
        text = legacy_naming.display_name(name, usable, members)
        order = legacy_naming.rank(members, space, centroid(space, members))
        named.append((text, [row[usable[i][0].key] for i in order]))
    return named, time.process_time() - tick


def score(
    rules: ModuleType, texts: Sequence[str], named: Sequence[tuple[str, list[int]]]
) -> dict[str, Any]:
    """Score named themes (name, members in page order) by THEMES.md's rules."""
    folded = [f" {rules.fold(t)} " for t in texts]
    rows = []
    first3 = 0
    for name, members in named:
        phrases = [f" {f} " for f in rules.phrases(name)]
        hit = {i for i, t in enumerate(folded) if any(f in t for f in phrases)}
        inside = sum(1 for i in members if i in hit)
        rows.append((len(members), name, inside / len(members), inside / len(hit) if hit else 0))
        first3 += sum(1 for i in members[:3] if i in hit) >= min(2, len(members))
    styles = [rules.style(n) for _, n, _, _ in rows]
    major = max(("title", "sentence"), key=styles.count)
    total = sum(r[0] for r in rows)
    return {
        "themes": len(rows),
        "coverage": round(sum(r[0] * r[2] for r in rows) / total, 3),
        "exclusivity": round(sum(r[0] * r[3] for r in rows) / total, 3),
        "one_word": sum(1 for r in rows if len(r[1].split()) == 1),
        "min_excl": round(min(r[3] for r in rows), 3),
        "below_0.30": sum(1 for r in rows if r[3] < 0.30),
        "case_outliers": sum(1 for s in styles if s and s != major),
        "first3": round(first3 / len(rows), 3),
        "rows": rows,
    }


def score_days(
    rules: ModuleType,
    papers: Sequence[Paper],
    theme: Sequence[int],
    size: int,
    heading: Callable[[list[int], list[tuple[list[int], int]]], list[str]],
) -> dict[str, float]:
    """Cut the papers (in key order) into days of ``size`` papers, head each day's theme groups
    with ``heading(day, groups)``, and score the headings among the day's papers."""
    order = sorted(range(len(papers)), key=lambda i: papers[i].key)
    folded = [f" {rules.fold(p.title + ' ' + p.abstract)} " for p in papers]
    weighted_cov = weighted_exc = weight = 0.0
    fits, fits_one = [], 0
    for start in range(0, len(order), size):
        day = order[start : start + size]
        by_theme: dict[int, list[int]] = {}
        for i in day:
            by_theme.setdefault(theme[i], []).append(i)
        ordered = sorted(by_theme.items(), key=lambda gm: (-len(gm[1]), gm[0]))
        groups = [(members, g) for g, members in ordered if g >= 0]
        for (members, _), text in zip(groups, heading(day, groups), strict=True):
            phrases = [f" {f} " for f in rules.phrases(text)]
            hit = [i for i in day if any(f in folded[i] for f in phrases)]
            inside = sum(1 for i in members if i in set(hit))
            weighted_cov += inside
            weighted_exc += len(members) * inside / max(len(hit), 1)
            weight += len(members)
            if len(members) >= 2:
                fits.append(inside >= len(members) / 2)
            fits_one += len(members) >= 4 and inside <= 1
    return {
        "issue_cov": round(weighted_cov / max(weight, 1), 3),
        "issue_exc": round(weighted_exc / max(weight, 1), 3),
        "issue_fit": round(sum(fits) / max(len(fits), 1), 3),
        "fits_one": fits_one,
    }


def _headings(
    papers: Sequence[Paper], grouping: Grouping, legacy_names: Sequence[str] | None
) -> Callable[[list[int], list[tuple[list[int], int]]], list[str]]:
    """Return how a day's theme groups are headed: by the theme's (legacy) name, or by
    digest's issue headings."""
    themes = grouping.themes

    def heads(day: list[int], groups: list[tuple[list[int], int]]) -> list[str]:
        if legacy_names is not None:
            return [legacy_names[g] if g < len(legacy_names) else themes[g].name for _, g in groups]
        at = {i: j for j, i in enumerate(day)}
        local = [([at[i] for i in m], Name(themes[g].name, themes[g].keywords)) for m, g in groups]
        titles, abstracts = [papers[i].title for i in day], [papers[i].abstract for i in day]
        return issue_headings(titles, abstracts, local)

    return heads


def run(name: str, shared: Path, rules: ModuleType, day: int, show: bool) -> None:
    """Group one dataset both ways and print the scores side by side."""
    papers, keywords, truth = load(name, shared)
    texts = [f"{p.title} {p.abstract}" for p in papers]
    print(f"\n{name}: {len(papers)} papers")
    results = []
    for label, legacy in (("before", True), ("after", False)):
        named, theme, grouping, seconds, naming = grouped(papers, keywords, legacy)
        result = score(rules, texts, named)
        names = [n for n, _ in named]

        heads = _headings(papers, grouping, names if legacy else None)
        result.update(score_days(rules, papers, theme, day, heads))
        if any(truth):
            result["AMI"] = round(adjusted_mutual_info_score(truth, theme), 3)
            result["NMI"] = round(normalized_mutual_info_score(truth, theme), 3)
        result["group_cpu_s"] = round(seconds, 2)
        result["naming_cpu_s"] = round(naming, 2)
        results.append(result)
        print(f"  {label:<7} { ({k: v for k, v in result.items() if k != 'rows'}) }")
    if show:
        for label, result in zip(("before", "after"), results, strict=True):
            print(f"  {label}:")
            for size, text, cov, exc in sorted(result["rows"], key=lambda r: -r[0]):
                print(f"    {size:5d}  cov {cov:.2f}  excl {exc:.2f}  {text}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--day", type=int, default=100, help="papers per simulated issue")
    parser.add_argument("--list", action="store_true", help="list every theme's name")
    args = parser.parse_args(argv)
    rules = scorer(args.shared)
    for name in args.datasets:
        run(name, args.shared, rules, args.day, args.list)


if __name__ == "__main__":
    main()
