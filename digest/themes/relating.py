"""Each paper's related papers, kept stable from day to day, and the points "For you" ranks.

Kept versus cached: a related list is kept (``state/related/``, append-only) because it
depends on the day its paper came and on the space of that day's grouping, which a regrouping
replaces and the state does not keep; recomputing it later would give other lists, so it
cannot be a cache. The points are a cache: the batch's (the papers of the last regrouping)
come from their texts and authors, every other paper's from the batch and its own text and
authors (:func:`digest.themes.related.place`), so a lost cache gives the same points again.

A daily build places only its new papers, gives each a full list, and lets a new paper into
an older list only when clearly closer than the list's weakest paper
(:data:`digest.themes.related.MARGIN`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from digest import __version__
from digest.model import Keyword, Paper
from digest.state import Cache
from digest.text.keywords import text_hash
from digest.themes import related as rel
from digest.themes.vectors import Space, fit_lsa, terms

Pairs = Sequence[tuple[Paper, Sequence[Keyword]]]


@dataclass(frozen=True, eq=False)
class Related:
    """Every paper's related papers (keys, best first), the lists this build set or changed
    (to keep), and every paper's point (rows in ``keys`` order) for "For you"."""

    lists: Mapping[str, tuple[str, ...]]
    changed: Mapping[str, tuple[str, ...]]
    keys: tuple[str, ...]
    points: NDArray[np.float32]


def relate(
    pairs: Pairs,
    batch: frozenset[str],
    kept: Mapping[str, Sequence[str]],
    cache: Cache,
    language: str,
    settings: str,
) -> Related:
    """Return every paper's related papers: kept lists, new papers' lists, entrants.

    ``batch`` are the keys of the last regrouping's papers; ``kept`` the lists kept so far;
    ``settings`` a hash of the keyword settings (the vectors hold keyword phrases).
    """
    by_key = {p.key: (p, k) for p, k in pairs}
    old = sorted(k for k in by_key if k in kept and all(r in by_key for r in kept[k]))
    known = set(old)
    new = sorted(k for k in by_key if k not in known)
    keys = (*old, *new)
    found = _points(by_key, batch, cache, language, settings)
    points = np.stack([found[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
    lists = {k: tuple(kept[k]) for k in old}
    changed: dict[str, tuple[str, ...]] = {}
    if new:
        indices, sims = rel.nearest(points[len(old) :], points, len(old))
        for key, row, sim in zip(new, indices.tolist(), sims.tolist(), strict=True):
            changed[key] = lists[key] = tuple(keys[j] for j in rel.shown(row, sim))
        changed.update(_admit(keys, points, old, lists))
    return Related(dict(sorted(lists.items())), dict(sorted(changed.items())), keys, points)


def _admit(
    keys: Sequence[str],
    points: NDArray[np.float32],
    old: Sequence[str],
    lists: dict[str, tuple[str, ...]],
) -> dict[str, tuple[str, ...]]:
    """Let new papers into the older papers' lists where clearly closer; return the changes."""
    row = {k: i for i, k in enumerate(keys)}
    weakest = _weakest(points, [[row[r] for r in lists[k]] for k in old])
    changed = {}
    for i, cols, sims in rel.entrants(points[: len(old)], weakest, points[len(old) :]):
        key = old[i]
        scored = {r: float(points[i] @ points[row[r]]) for r in lists[key]}
        scored.update({keys[len(old) + int(c)]: float(s) for c, s in zip(cols, sims, strict=True)})
        best = sorted(scored, key=lambda r: (-round(scored[r], 6), r))[: rel.SHOWN]
        if tuple(best) != lists[key]:
            changed[key] = lists[key] = tuple(best)
    return changed


def _weakest(points: NDArray[np.float32], lists: Sequence[Sequence[int]]) -> NDArray[np.float32]:
    """Return, for each list of rows (list ``i`` belongs to row ``i``), its least similar row's
    cosine to row ``i`` (-1 for an empty list); block by block, vectorised."""
    width = max((len(found) for found in lists), default=0)
    padded = np.full((len(lists), max(width, 1)), -1, dtype=np.int64)
    for i, found in enumerate(lists):
        padded[i, : len(found)] = found
    weakest = np.full(len(lists), -1.0, dtype=np.float32)
    for begin in range(0, len(lists), rel.BLOCK * 8):
        block = padded[begin : begin + rel.BLOCK * 8]
        own = points[begin : begin + len(block)]
        sims = np.einsum("id,ikd->ik", own, points[np.maximum(block, 0)])
        sims[block < 0] = np.inf
        found = sims.min(axis=1)
        weakest[begin : begin + len(block)] = np.where(np.isinf(found), -1.0, found)
    return weakest


def _points(
    by_key: Mapping[str, tuple[Paper, Sequence[Keyword]]],
    batch: frozenset[str],
    cache: Cache,
    language: str,
    settings: str,
) -> dict[str, NDArray[np.float32]]:
    """Return every paper's point: the batch's from the cache or placed together, the others'
    placed among the batch's (cached by paper text and authors)."""
    batch_keys = sorted(k for k in by_key if k in batch) or sorted(by_key)
    name = _batch_key(by_key, batch_keys, language, settings)
    fitted = _batch(by_key, batch_keys, name, cache, language)
    if fitted is None:
        # Too few papers for a space: place them all together (a small digest).
        batch_keys = sorted(by_key)
        name = _batch_key(by_key, batch_keys, language, settings)
        fitted = _batch(by_key, batch_keys, name, cache, language)
    found = dict(zip(batch_keys, fitted[2], strict=True)) if fitted else {}
    others = sorted(k for k in by_key if k not in found)
    if others and fitted is not None:
        embedding, space, _, authors = fitted
        placed = "placed-" + name.removeprefix("related-")
        found.update(_placed(by_key, others, (embedding, space, authors), placed, cache, language))
    return found


def _authors(paper: Paper) -> list[str]:
    return [a.name for a in paper.authors]


def _batch_key(
    by_key: Mapping[str, tuple[Paper, Sequence[Keyword]]],
    keys: Sequence[str],
    language: str,
    settings: str,
) -> str:
    h = hashlib.sha256(f"related {__version__} {language} {settings}\n".encode())
    for key in keys:
        paper = by_key[key][0]
        h.update(f"{key}\x1f{text_hash(paper)}\x1f{_authors(paper)!r}\x1e".encode())
    return "related-" + h.hexdigest()[:32]


def _batch(
    by_key: Mapping[str, tuple[Paper, Sequence[Keyword]]],
    keys: Sequence[str],
    name: str,
    cache: Cache,
    language: str,
) -> tuple[rel.Embedding, Space, NDArray[np.float32], list[tuple[str, ...]]] | None:
    """Return the batch placed together (cached under ``name``), its space, its points and its
    folded author names; None without a space."""
    arrays = cache.arrays(name)
    if arrays is not None:
        try:
            space = Space.from_bytes(arrays["space"].tobytes())
            embedding = rel.Embedding(
                arrays["weights"], arrays["centre"], arrays["sharp"], arrays["smooth"]
            )
            authors = [tuple(a) for a in json.loads(str(arrays["authors"]))]
            if len(embedding.smooth) == len(keys) == len(authors):
                return embedding, space, arrays["points"], authors
        except (KeyError, ValueError, TypeError):
            pass
    vectors, fitted = fit_lsa(terms(*by_key[k], language) for k in keys)
    authors = [rel.author_keys(_authors(by_key[k][0])) for k in keys]
    if fitted is None:
        if len(keys) == len(by_key):
            embedding = rel.embed(vectors, authors)
            empty = Space((), np.zeros(0), np.zeros((0, 0)))
            return embedding, empty, rel.points(embedding), authors
        return None
    embedding = rel.embed(vectors, authors)
    found = rel.points(embedding)
    # The space as the cache keeps it (float32): a paper is placed alike with or without it.
    fitted = Space.from_bytes(fitted.to_bytes())
    cache.keep_arrays(
        name,
        {
            "space": np.frombuffer(fitted.to_bytes(), dtype=np.uint8),
            "weights": embedding.weights,
            "centre": embedding.centre,
            "sharp": embedding.sharp,
            "smooth": embedding.smooth,
            "points": found,
            "authors": np.array(json.dumps([list(a) for a in authors])),
        },
    )
    return embedding, fitted, found, authors


def _placed(
    by_key: Mapping[str, tuple[Paper, Sequence[Keyword]]],
    keys: Sequence[str],
    batch: tuple[rel.Embedding, Space, Sequence[tuple[str, ...]]],
    name: str,
    cache: Cache,
    language: str,
) -> dict[str, NDArray[np.float32]]:
    """Return the points of papers outside the batch (embedding, space, authors), placing
    only those not cached under ``name``."""
    embedding, space, batch_authors = batch
    stamps = {k: _stamp(by_key[k][0]) for k in keys}
    found: dict[str, NDArray[np.float32]] = {}
    arrays = cache.arrays(name)
    if arrays is not None:
        try:
            cached = json.loads(str(arrays["stamps"]))
            for stamp, point in zip(cached, arrays["points"], strict=True):
                found[stamp] = point
        except (KeyError, ValueError, TypeError):
            found = {}
    missing = [k for k in keys if stamps[k] not in found]
    if missing:
        vectors = space.project([terms(*by_key[k], language) for k in missing])
        placed = rel.place(
            embedding, batch_authors, vectors, [_authors(by_key[k][0]) for k in missing]
        )
        found.update({stamps[k]: p for k, p in zip(missing, placed, strict=True)})
        # Only the papers of this build are kept: a paper gone from the store is dropped.
        wanted = sorted({stamps[k] for k in keys})
        cache.keep_arrays(
            name,
            {
                "stamps": np.array(json.dumps(wanted)),
                "points": np.stack([found[s] for s in wanted]),
            },
        )
    return {k: found[stamps[k]] for k in keys}


def _stamp(paper: Paper) -> str:
    """What a paper outside the batch is placed from: key, text, authors."""
    data = f"{paper.key}\x1f{text_hash(paper)}\x1f{_authors(paper)!r}".encode()
    return hashlib.sha256(data).hexdigest()[:24]
