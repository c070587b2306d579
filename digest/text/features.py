"""Features of candidate keyphrases: cheap numbers a learned ranker turns into a choice.

Two groups, both computed from one paper's text:

- text features, from the paper alone: where and how a candidate occurs (position, title,
  counts), whether the text extends it ("chain Monte Carlo" always follows "Markov"), its case
  and acronym shape;
- table features, looked up in tables shipped inside the model file: how common its words are
  in general English (a frozen wordfreq table) and in paper abstracts, and how specialists
  treat them, learned from papers with keywords: how often a word starts, ends or sits inside a
  keyword, how often a phrase is one, which tokens precede and follow keywords in running text
  (a part-of-speech signal without a tagger).

The trainer computes the two groups apart (text features once, table features once per
cross-validation fold); :func:`candidate_features` joins them, with the keyword style asked for.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from digest.text.candidates import Paper, Token

#: Smoothing weight of the corpus-wide rate when a table's count is small.
PRIOR_WEIGHT = 5.0


@dataclass(frozen=True)
class Rates:
    """``{item: (seen, in a keyword)}`` counts and the overall rate they are smoothed towards."""

    counts: Mapping[str, tuple[int, int]]
    prior: float

    def rate(self, item: str) -> float:
        """Return the smoothed share of ``item``'s occurrences that were in a keyword."""
        seen, hits = self.counts.get(item, (0, 0))
        return (hits + PRIOR_WEIGHT * self.prior) / (seen + PRIOR_WEIGHT)

    def seen(self, item: str) -> int:
        return self.counts.get(item, (0, 0))[0]


@dataclass(frozen=True)
class Tables:
    """Everything the table features look up, as learned by bench/keyword_ranker.py."""

    #: General-English Zipf frequency (wordfreq) of common words; unknown words count as 0.
    zipf: Mapping[str, float]
    #: Documents of the training corpus containing each word (folded), and their number.
    doc_freq: Mapping[str, int]
    documents: int
    #: Keyword rates of whole phrases, of first / last / any words, of the token before and
    #: after an occurrence, and of the last word's last three letters.
    phrase: Rates
    first: Rates
    last: Rates
    word: Rates
    before: Rates
    after: Rates
    suffix: Rates


TEXT_FEATURES = (
    "words",
    "chars",
    "count",
    "count_title",
    "first_position",
    "title_whole",
    "left_extended",
    "right_extended",
    "whole_chunk",
    "chunk_words",
    "longer_share",
    "longer_kinds",
    "shorter_share",
    "acronym",
    "acronym_uses",
    "acronym_shape",
    "inner_capital",
    "capitalised",
    "lower_case",
    "digit",
    "hyphen",
    "candidates",
    "count_share",
    "yake_min",
    "yake_max",
    "yake_mean",
    "yake_first",
    "yake_last",
    "yake_phrase",
)
#: Log YAKE score of a word YAKE did not score (a stop word or a number): worse than any.
_NO_YAKE = math.log(10.0)
TABLE_FEATURES = (
    "zipf_first",
    "zipf_last",
    "zipf_min",
    "zipf_mean",
    "df_first",
    "df_last",
    "df_min",
    "phrase_rate",
    "phrase_seen",
    "first_rate",
    "last_rate",
    "word_rate_min",
    "word_rate_mean",
    "suffix_rate",
    "before_rate",
    "before_rate_max",
    "after_rate",
    "after_rate_max",
)
#: Which of Hugging Face's keyword styles to imitate: its keywords changed in January 2026
#: (far fewer model and benchmark names; bench/keyword_evidence.py), so the trainer marks each
#: paper's style and a model asks for the newest.
STYLE_FEATURES = ("style_2026",)
FEATURES = TEXT_FEATURES + TABLE_FEATURES + STYLE_FEATURES


def _is_acronym_shape(word: str) -> bool:
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and upper * 2 >= sum(c.isalpha() for c in word)


def _has_inner_capital(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) and not _is_acronym_shape(word)


def _relatives(paper: Paper) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Return, per key: the occurrences of its most frequent longer candidate, the number of
    distinct longer candidates, and the occurrences of its most frequent shorter candidate.

    Only candidates that share a span are compared, so no candidate meets every other.
    """
    span_key = {
        (start, end): c.key for c in paper.candidates.values() for start, end, _, _ in c.spans
    }
    counts = {key: len(c.spans) for key, c in paper.candidates.items()}
    longer: Counter[str] = Counter()
    kinds: dict[str, set[str]] = {}
    shorter: Counter[str] = Counter()
    for (start, end), key in span_key.items():
        for s in range(start, end):
            for e in range(s + 1, end + 1):
                inner = span_key.get((s, e))
                if inner is None or inner == key:
                    continue
                longer[inner] = max(longer[inner], counts[key])
                kinds.setdefault(inner, set()).add(key)
                shorter[key] = max(shorter[key], counts[inner])
    return longer, Counter({k: len(v) for k, v in kinds.items()}), shorter


def _yake_phrase(log_scores: Sequence[float], count: int) -> float:
    """Return the log of YAKE's score of a phrase from its words' (lower is better):
    the product of the words' scores over the phrase's count times one plus their sum."""
    scores = [math.exp(x) for x in log_scores]
    return sum(log_scores) - math.log(count * (1.0 + sum(scores)))


def _occurrences(
    spans: Sequence[tuple[int, int, int, int]],
    tokens: Sequence[Token],
    title_length: int,
    capital: Sequence[bool],
    lower_case: Sequence[bool],
) -> tuple[int, int, int, int, int, int, int, int, int, int]:
    """Count, in one pass over a candidate's occurrences: those in the title and those whole
    there, those the text extends to the left and right, whole ones, their chunks' total width,
    the first in the abstract (-1: none), and, of those inside running text (not at a
    sentence's start), the capitalised, the lower-case ones and their number."""
    in_title = whole_in_title = left = right = whole = width = 0
    first = -1
    capitalised = lower = running = 0
    for start, end, chunk_start, chunk_end in spans:
        is_whole = start == chunk_start and end == chunk_end
        left += start > chunk_start
        right += end < chunk_end
        whole += is_whole
        width += chunk_end - chunk_start
        if start < title_length:
            in_title += 1
            whole_in_title += is_whole
            continue
        if first < 0:
            first = start
        if tokens[start].initial:
            continue
        running += 1
        capitalised += capital[start] and capital[end - 1]
        lower += all(lower_case[start:end])
    return in_title, whole_in_title, left, right, whole, width, first, capitalised, lower, running


def text_features(paper: Paper, keys: Sequence[str]) -> np.ndarray:
    """Return the text features (``len(keys)`` x ``len(TEXT_FEATURES)``) of candidates."""
    tokens = paper.tokens
    title_length = paper.title_length
    abstract_tokens = max(1, len(tokens) - title_length)
    longer, kinds, shorter = _relatives(paper)
    most = max((len(c.spans) for c in paper.candidates.values()), default=1)
    capital = [t.text[0].isupper() for t in tokens]
    lower_case = [t.text == t.lower for t in tokens]
    # Shapes of the words candidates are written with, worked out once a word.
    shapes: dict[str, tuple[bool, bool]] = {}
    log_yake = {w: math.log(max(s, 1e-6)) for w, s in paper.yake.items()}
    rows = []
    for key in keys:
        candidate = paper.candidates[key]
        spans = candidate.spans
        count = len(spans)
        in_title, whole_in_title, left, right, whole, width, first, capitalised, lower, running = (
            _occurrences(spans, tokens, title_length, capital, lower_case)
        )
        form = candidate.forms.most_common(1)[0][0]
        form_words = form.split()
        for w in form_words:
            if w not in shapes:
                shapes[w] = (_is_acronym_shape(w), _has_inner_capital(w))
        ys = [log_yake.get(w.lower(), _NO_YAKE) for w in form_words]
        rows.append(
            (
                len(candidate.words),
                len(key),
                count + candidate.acronym_uses,
                in_title,
                (first - title_length) / abstract_tokens if first >= 0 else 1.5,
                whole_in_title > 0,
                left / count,
                right / count,
                whole / count,
                width / count,
                longer[key] / count,
                kinds[key],
                shorter[key] / count,
                bool(candidate.acronym),
                candidate.acronym_uses,
                any(shapes[w][0] for w in form_words),
                any(shapes[w][1] for w in form_words),
                capitalised / running if running else -1.0,
                lower / running if running else -1.0,
                any(map(str.isdigit, form)),
                "-" in form,
                len(paper.candidates),
                count / most,
                min(ys),
                max(ys),
                sum(ys) / len(ys),
                ys[0],
                ys[-1],
                _yake_phrase(ys, count),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(keys), len(TEXT_FEATURES))


def table_features(paper: Paper, keys: Sequence[str], tables: Tables) -> np.ndarray:
    """Return the table features (``len(keys)`` x ``len(TABLE_FEATURES)``) of candidates."""
    tokens = paper.tokens
    log_docs = math.log(tables.documents + 1)
    words = {w for key in keys for w in paper.candidates[key].words}
    # Each word's Zipf frequency, log document frequency and keyword rate, in one look-up.
    looked_up = {
        w: (
            tables.zipf.get(w, 0.0),
            math.log(tables.doc_freq.get(w, 0) + 1) - log_docs,
            tables.word.rate(w),
        )
        for w in words
    }
    before = [tables.before.rate(tokens[i - 1].lower) if i else -1.0 for i in range(len(tokens))]
    after = [tables.after.rate(t.lower) for t in tokens[1:]] + [-1.0]
    rows = []
    for key in keys:
        candidate = paper.candidates[key]
        ws = candidate.words
        zs, dfs, rates = zip(*(looked_up[w] for w in ws), strict=True)
        b = [before[s] for s, _, _, _ in candidate.spans]
        a = [after[e - 1] for _, e, _, _ in candidate.spans]
        rows.append(
            (
                zs[0],
                zs[-1],
                min(zs),
                sum(zs) / len(zs),
                dfs[0],
                dfs[-1],
                min(dfs),
                tables.phrase.rate(key),
                math.log1p(tables.phrase.seen(key)),
                tables.first.rate(ws[0]),
                tables.last.rate(ws[-1]),
                min(rates),
                sum(rates) / len(rates),
                tables.suffix.rate(ws[-1][-3:]),
                sum(b) / len(b),
                max(b),
                sum(a) / len(a),
                max(a),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(keys), len(TABLE_FEATURES))


def candidate_features(
    paper: Paper, keys: Sequence[str], tables: Tables, style: float = 1.0
) -> np.ndarray:
    """Return all features (``len(keys)`` x ``len(FEATURES)``), in :data:`FEATURES` order."""
    return np.hstack(
        [
            text_features(paper, keys),
            table_features(paper, keys, tables),
            np.full((len(keys), 1), style),
        ]
    )
