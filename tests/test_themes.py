"""Themes on the real seed, and the rules that keep slugs safe and unique (digest/slugs.py)."""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from digest.config import ThemeConfig
from digest.slugs import MAX_SLUG, RESERVED, SlugRegistry, slugify
from digest.sources import read_inputs
from digest.text.everyday import zipf_table
from digest.text.words import GENERIC_WORDS, singular
from digest.themes import vectors
from digest.themes.grouping import group

SAFE = re.compile(r"^[a-z0-9-]+$")


@pytest.fixture(scope="module")
def seed_digest(seed_site):
    return seed_site.result.digest


def test_every_paper_is_placed_exactly_once_as_primary(seed_digest):
    members = Counter(k for t in seed_digest.themes for k in t.paper_keys)
    assert len(seed_digest.entries) == 195
    assert set(members) == {e.paper.key for e in seed_digest.entries}
    assert set(members.values()) == {1}
    slug_of = {k: t.slug for t in seed_digest.themes for k in t.paper_keys}
    for entry in seed_digest.entries:
        assert entry.themes, entry.paper.title
        assert entry.themes[0].theme_slug == slug_of[entry.paper.key], entry.paper.title
        # Secondary themes are other themes, listed once.
        slugs = [p.theme_slug for p in entry.themes]
        assert len(slugs) == len(set(slugs))


def test_theme_sizes_stay_within_bounds(seed_digest):
    total = len(seed_digest.entries)
    named = [t for t in seed_digest.themes if not t.is_other]
    assert len(named) >= ThemeConfig().min_themes
    for theme in named:
        assert 3 <= len(theme.paper_keys) <= 0.2 * total, (theme.name, len(theme.paper_keys))
    other = sum(len(t.paper_keys) for t in seed_digest.themes if t.is_other)
    assert other <= 0.05 * total


def test_themes_are_listed_largest_first(seed_digest):
    named = [t for t in seed_digest.themes if not t.is_other]
    assert [len(t.paper_keys) for t in named] == sorted(
        (len(t.paper_keys) for t in named), reverse=True
    )
    assert all(not t.is_other for t in seed_digest.themes[: len(named)])


def test_no_theme_is_named_only_by_generic_words(seed_digest):
    for theme in seed_digest.themes:
        if theme.is_other:
            continue
        assert theme.keywords, theme.name
        words = {singular(w) for phrase in theme.keywords for w in phrase.split()}
        assert not words <= GENERIC_WORDS, theme.name
        assert theme.name != "Untitled"
        name_words = {singular(w) for w in re.findall(r"[a-z]+", theme.name.lower())} - {"and"}
        assert not name_words <= GENERIC_WORDS, theme.name


def test_theme_names_are_distinct_and_carry_no_markup(seed_digest):
    names = [t.name for t in seed_digest.themes]
    assert len(names) == len(set(names))
    assert not any(set(n) & set('<>&"`{}[]|*_\\') for n in names)


def test_theme_slugs_are_unique_safe_and_not_reserved(seed_digest):
    slugs = [t.slug for t in seed_digest.themes]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert SAFE.match(slug), slug
        assert slug not in RESERVED
        assert len(slug) <= MAX_SLUG + 7


def test_every_placement_names_an_existing_theme(seed_digest):
    slugs = {t.slug for t in seed_digest.themes}
    assert {p.theme_slug for e in seed_digest.entries for p in e.themes} <= slugs


def test_grouping_ignores_input_order(seed_digest):
    papers = [e.paper for e in seed_digest.entries]
    keywords = [e.keywords for e in seed_digest.entries]
    order = list(range(len(papers)))
    random.Random(1).shuffle(order)
    shuffled = group([papers[i] for i in order], [keywords[i] for i in order], ThemeConfig())
    assert shuffled.themes == seed_digest.themes
    assert shuffled.placements == {e.paper.key: e.themes for e in seed_digest.entries}


def test_grouping_a_small_corpus_still_places_everyone(seed_digest):
    entries = seed_digest.entries[:7]
    grouping = group([e.paper for e in entries], [e.keywords for e in entries], ThemeConfig())
    placed = sorted(k for t in grouping.themes for k in t.paper_keys)
    assert placed == sorted(e.paper.key for e in entries)


# Slugs: colliding, empty, path-like and reserved texts.


def test_symbols_that_carry_meaning_keep_names_apart():
    assert slugify("C++") == "c-plus-plus"
    assert slugify("C#") == "c-sharp"
    assert slugify("C") == "c"
    registry = SlugRegistry()
    assert [registry.claim(t) for t in ("C++", "C#", "c")] == ["c-plus-plus", "c-sharp", "c"]


def test_case_variants_get_distinct_stable_slugs():
    registry = SlugRegistry()
    slugs = [registry.claim(t) for t in ("LLM", "llm", "Llm", "LLM")]
    assert slugs[0] == "llm"
    assert len(set(slugs)) == 4
    assert all(SAFE.match(s) for s in slugs)
    again = SlugRegistry()
    assert [again.claim(t) for t in ("LLM", "llm", "Llm", "LLM")] == slugs


@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!!", "../", "../../etc/passwd", "..", "/", "\\..\\x", "日本語", "Ω", "%2e%2e%2f"],
)
def test_unusable_or_path_like_text_gives_a_safe_slug(tmp_path, text):
    slug = SlugRegistry().claim(text)
    assert SAFE.match(slug), slug
    assert slug not in RESERVED and slug not in ("", ".", "..")
    docs = tmp_path / "docs"
    assert (docs / "themes" / f"{slug}.md").resolve().is_relative_to(docs.resolve())


def test_empty_texts_do_not_collide():
    registry = SlugRegistry()
    slugs = [registry.claim(t) for t in ("", "   ", "!!!", "日本語", "")]
    assert len(set(slugs)) == 5
    assert slugs[0].startswith("t-")


def test_very_long_text_is_cut_at_a_word_and_stays_unique():
    long_a = "optimal transport " * 20 + "alpha"
    long_b = "optimal transport " * 20 + "beta"
    assert len(slugify(long_a)) <= MAX_SLUG
    assert slugify(long_a).startswith("optimal-transport-")
    assert not slugify(long_a).endswith("-")
    assert slugify(long_a) == slugify(long_b)
    registry = SlugRegistry()
    a, b = registry.claim(long_a), registry.claim(long_b)
    assert a != b and len(b) <= MAX_SLUG + 7
    assert slugify("x" * 500) == "x" * MAX_SLUG


@pytest.mark.parametrize("name", ["search", "assets", "404", "tags", "index", "sitemap", "feed"])
def test_reserved_names_are_never_handed_out(name):
    registry = SlugRegistry()
    for text in (name, name.upper(), f" {name} "):
        slug = registry.claim(text)
        assert slug != name and slug.startswith(f"{name}-") and SAFE.match(slug)


def test_slugs_do_not_depend_on_the_hash_seed():
    # sha256, not hash(): the same text gets the same suffix in every process.
    registry = SlugRegistry()
    assert registry.claim("search") == "search-" + hashlib.sha256(b"search").hexdigest()[:6]


def test_slug_paths_stay_inside_docs(seed_digest, seed_site):
    docs = seed_site.docs.resolve()
    for theme in seed_digest.themes:
        page = (docs / "themes" / f"{theme.slug}.md").resolve()
        assert page.is_relative_to(docs) and page.is_file()


def test_accented_names_fold_to_ascii():
    assert slugify("Schrödinger Bridges") == "schrodinger-bridges"
    assert slugify("SΩI: Score-based O-INFORMATION") == "si-score-based-o-information"


def test_dense_and_sparse_matrices_reduce_to_the_same_space(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A small corpus's TF-IDF matrix is dense (power iterations on its Gram matrix), a large
    one's sparse (through the vocabulary): one decomposition, on 300 real arXiv records. Papers'
    similarities are compared, which do not depend on how LAPACK turns a basis of tied
    singular values."""
    data = Path(__file__).parent / "data" / "labelled" / "arxiv-cs-2016-head300.jsonl"
    docs = [vectors.terms(p, (), "en") for p in read_inputs([data])]
    similarities = []
    for dense_cells in (10**9, 0):
        monkeypatch.setattr(vectors, "DENSE_CELLS", dense_cells)
        coords, space = vectors.fit_lsa(docs)
        assert space is not None and coords.shape == (300, vectors.LSA_DIMENSIONS)
        projected = space.project(docs[:50])
        similarities.append((coords @ coords.T, projected @ coords.T))
    for dense, sparse in zip(*similarities, strict=True):
        assert np.abs(dense - sparse).max() < 1e-8


def test_lsa_reads_a_generator_of_term_counts_once_as_it_reads_a_list() -> None:
    """The build passes a generator, so that papers' term dicts are never all held at once:
    the same bits as from a list."""
    data = Path(__file__).parent / "data" / "labelled" / "arxiv-cs-2016-head300.jsonl"
    papers = read_inputs([data])
    listed, space = vectors.fit_lsa([vectors.terms(p, (), "en") for p in papers])
    streamed, streamed_space = vectors.fit_lsa(vectors.terms(p, (), "en") for p in papers)
    assert space is not None and streamed_space is not None
    assert np.array_equal(listed, streamed)
    assert np.array_equal(space.components, streamed_space.components)


def test_everyday_words_weigh_less_in_grouping_and_rare_ones_keep_their_idf() -> None:
    """A term is as everyday as its rarest word: "time" and "show" (Zipf 6.3, 5.7 in
    wordfreq's English list) weigh 0.75 and 0.82 of their idf, "contribution" (4.3) nearly
    all of it, "mimo" (not listed as everyday) all; a language without a list changes nothing."""
    assert zipf_table("en")["time"] == pytest.approx(6.29)
    assert zipf_table("xx") == {}
    terms = ["time", "show", "contribution", "mimo", "time_mimo", "kw:show time"]
    weights = vectors.everyday_weights(terms, "en").round(3).tolist()
    assert weights == [0.751, 0.823, 0.973, 1.0, 1.0, 0.823]
    assert vectors.everyday_weights(terms, "xx").tolist() == [1.0] * len(terms)
    data = Path(__file__).parent / "data" / "labelled" / "arxiv-cs-2016-head300.jsonl"
    docs = [vectors.terms(p, (), "en") for p in read_inputs([data])]
    _, plain = vectors.fit_lsa(docs)
    _, damped = vectors.fit_lsa(docs, everyday="en")
    assert plain is not None and damped is not None and plain.vocabulary == damped.vocabulary
    ratio = dict(zip(plain.vocabulary, (damped.idf / plain.idf).tolist(), strict=True))
    assert ratio["show"] == pytest.approx(0.823, abs=1e-3)
    assert ratio["network"] < 0.95 < ratio["convolutional"] == 1.0


def test_smoothing_gives_the_same_bits_whatever_rows_a_block_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Neighbours are found a block of rows at a time, as many rows as fit in a bounded block:
    a larger corpus takes fewer rows a block, and a paper's vector must not depend on that."""
    rng = np.random.default_rng(7)
    rows = rng.standard_normal((500, 20))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    found = []
    # 499 rows a block would leave a last block of one row: it joins the one before.
    for cells in (1 << 22, 500 * 7, 500 * 2, 500 * 499):
        monkeypatch.setattr(vectors, "_CELLS", cells)
        found.append(vectors.smooth(rows))
    assert all(np.array_equal(found[0], other) for other in found[1:])


def test_coauthored_papers_move_together():
    # Themes are clustered on related papers' points (grouping._vectors): papers sharing an
    # author, spelled in another case, draw closer there; the others stay apart.
    from digest.themes import related

    rows = np.eye(4)
    authors = [["Ada Lovelace"], ["ada  LOVELACE", "Alan Turing"], ["Grace Hopper"], []]
    alone = related.points(related.embed(rows, [[] for _ in rows], 1.0))
    linked = related.points(related.embed(rows, authors, 1.0))
    assert linked[0] @ linked[1] > alone[0] @ alone[1] + 0.5
    assert linked[2] @ linked[3] < 0 and max(linked[0] @ linked[2], linked[1] @ linked[3]) < 0
    assert np.allclose(np.linalg.norm(linked, axis=1), 1.0)


def _fold(text):
    words = re.findall(r"[a-z0-9]+", text.lower().replace("-", " "))
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def test_seed_theme_names_read_as_a_specialist_would_write_them(seed_digest):
    """THEMES.md's rules on the seed: sentence case, few lone words, no name shared with other
    themes' papers more than with its own, and the first papers of a page carry its name."""
    texts = {
        e.paper.key: f" {_fold(e.paper.title + ' ' + e.paper.abstract)} "
        for e in seed_digest.entries
    }
    named = [t for t in seed_digest.themes if not t.is_other]
    assert sum(len(t.name.split()) == 1 for t in named) <= max(1, len(named) // 10)
    for theme in named:
        later = [w for w in theme.name.split()[1:] if w not in {"and"}]
        # Sentence case: a capital inside a name is an acronym or a proper name, never Title Case.
        assert sum(w[:1].isupper() for w in later) < max(1, len(later)), theme.name
        phrases = [f" {_fold(p)} " for p in re.split(r"\s+and\s+", theme.name)]
        hit = {k for k, t in texts.items() if any(p in t for p in phrases)}
        inside = hit & set(theme.paper_keys)
        assert len(inside) >= 0.3 * len(hit), theme.name
        assert sum(k in hit for k in theme.paper_keys[:3]) >= 2, theme.name
