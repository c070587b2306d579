"""Tables of the keyphrase model: counts over training papers, and the model file's layout.

digest.text.features reads the tables; digest.text.keyphrases reads the trees as
:func:`export_forest` lays them out. Used by bench/keyword_ranker.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from keyword_data import Prepared

from digest.text.features import Rates, Tables

#: Tables keep items seen at least this often (smaller ones back off to the prior anyway).
MIN_SEEN = {"phrase": 5, "first": 8, "last": 8, "word": 8, "before": 20, "after": 20, "suffix": 10}
ZIPF_WORDS = 25_000


def zipf_table(vocabulary: Iterable[str]) -> dict[str, float]:
    """Return wordfreq's Zipf frequency of the most common English words seen in the corpus."""
    import wordfreq

    seen = set(vocabulary)
    top = wordfreq.top_n_list("en", ZIPF_WORDS)
    return {
        w: round(wordfreq.zipf_frequency(w, "en"), 1)
        for w in top
        if w in seen and w.isalpha() and w.isascii()
    }


Counts = dict[str, Counter[str]]


def count(prepared: Sequence[Prepared]) -> Counts:
    """Count, over ``prepared``, how often words, phrases and contexts are (in) keywords.

    Each table ``name`` has two counters, ``name`` (seen) and ``name+`` (in a keyword), so the
    counts of several folds add up.
    """
    counts: Counts = defaultdict(Counter)
    for p in prepared:
        words_here: set[str] = set()
        tokens = p.paper.tokens
        for key, strict, exact in zip(p.keys, p.strict, p.exact, strict=True):
            c = p.paper.candidates[key]
            words_here.update(c.words)
            items = [
                ("phrase", key, strict),
                ("first", c.words[0], exact),
                ("last", c.words[-1], exact),
                ("suffix", c.words[-1][-3:], exact),
            ]
            items += [("word", w, exact) for w in set(c.words)]
            for start, end, _, _ in c.spans:
                if start > 0:
                    items.append(("before", tokens[start - 1].lower, exact))
                if end < len(tokens):
                    items.append(("after", tokens[end].lower, exact))
            for name, item, hit in items:
                counts[name][item] += 1
                if hit:
                    counts[name + "+"][item] += 1
        counts["df"].update(words_here)
        counts["documents"][""] += 1
        for t in tokens[p.paper.title_length :]:
            if t.content and not t.initial and t.text.isalpha():
                counts["running"][t.lower] += 1
                if t.text[0].isupper() and t.text[1:].islower():
                    counts["capital"][t.lower] += 1
    return counts


def add(parts: Iterable[Counts]) -> Counts:
    total: Counts = defaultdict(Counter)
    for part in parts:
        for name, counter in part.items():
            total[name].update(counter)
    return total


def tables_of(counts: Counts, zipf: dict[str, float]) -> tuple[Tables, set[str]]:
    """Turn counts into the tables the features read (rare items left to the prior)."""
    rates = {}
    for name, least in MIN_SEEN.items():
        seen, hits = counts[name], counts[name + "+"]
        kept = {k: (n, hits[k]) for k, n in seen.items() if n >= least}
        rates[name] = Rates(kept, sum(hits.values()) / max(1, sum(seen.values())))
    running, capital = counts["running"], counts["capital"]
    proper = {w for w, n in running.items() if n >= 5 and capital[w] >= 0.6 * n}
    tables = Tables(
        zipf=zipf,
        doc_freq={w: n for w, n in counts["df"].items() if n >= 2},
        documents=counts["documents"][""],
        **rates,
    )
    return tables, proper


def export_forest(booster: Any) -> dict[str, Any]:
    """Return LightGBM's trees as the model file stores them (see digest.text.keyphrases.Forest).

    Per tree, internal nodes by LightGBM's split index and leaves by its leaf index; a child
    ``c >= 0`` is internal node ``c`` of the same tree, ``c < 0`` is leaf ``~c``.
    """
    split_feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    leaf_value: list[float] = []
    splits: list[int] = []
    leaves: list[int] = []

    def child(node: dict[str, Any]) -> int:
        return (
            int(node["split_index"]) if "split_index" in node else ~int(node.get("leaf_index", 0))
        )

    for tree in booster.dump_model()["tree_info"]:
        nodes: dict[int, dict[str, Any]] = {}
        values: dict[int, float] = {}
        stack = [tree["tree_structure"]]
        while stack:
            node = stack.pop()
            if "split_index" in node:
                if node["decision_type"] != "<=" or node.get("missing_type") not in ("None", None):
                    raise ValueError(f"unsupported split: {node}")
                nodes[int(node["split_index"])] = node
                stack += [node["left_child"], node["right_child"]]
            else:
                values[int(node.get("leaf_index", 0))] = float(node["leaf_value"])
        for i in range(len(nodes)):
            node = nodes[i]
            split_feature.append(int(node["split_feature"]))
            threshold.append(float(f"{node['threshold']:.9g}"))
            left.append(child(node["left_child"]))
            right.append(child(node["right_child"]))
        leaf_value += [float(f"{values[i]:.6g}") for i in range(len(values))]
        splits.append(len(nodes))
        leaves.append(len(values))
    thresholds = sorted(set(threshold))
    index = {t: i for i, t in enumerate(thresholds)}
    return {
        "split_feature": split_feature,
        "thresholds": thresholds,
        "threshold": [index[t] for t in threshold],
        "left": left,
        "right": right,
        "leaf_value": leaf_value,
        "splits": splits,
        "leaves": leaves,
    }


def encode_rates(rates: Rates) -> dict[str, Any]:
    """Store rates as parallel lists, items joined by line breaks (no item holds one)."""
    items = sorted(rates.counts)
    return {
        "prior": round(rates.prior, 6),
        "items": "\n".join(items),
        "seen": [rates.counts[i][0] for i in items],
        "hits": [rates.counts[i][1] for i in items],
    }


def by_value(table: dict[str, float] | dict[str, int]) -> dict[str, str]:
    """Store a word table as ``{value: "word word ..."}``, far smaller than one pair a word."""
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for word, value in table.items():
        groups[str(value)].append(word)
    return {v: " ".join(sorted(ws)) for v, ws in sorted(groups.items())}
