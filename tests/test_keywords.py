"""Keywords: the YAKE adapter, folding, cleaning, failure detection and configuration."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.config import KeywordConfig, ThemeConfig, load_config
from digest.errors import ConfigError, KeywordError
from digest.gather import keyword_index
from digest.model import Paper
from digest.sources.base import build_paper
from digest.state import StoredPaper
from digest.text.acronyms import expand, find_acronyms
from digest.text.cleaning import clean_for_keywords
from digest.text.keywords import extract, keyword_text, tidy
from digest.text.words import fold, keyword_key, languages, singular, split_acronym
from digest.text.yake_adapter import RawKeyword, run_yake
from digest.themes.grouping import group
from tests.conftest import SEED, build_site, seed_pairs, write_listing

DEFAULT = KeywordConfig()
#: What every keyword of the seed must never contain as a word: markup, maths and URL debris.
DEBRIS = {
    "em", "emph", "textbf", "textit", "mathcal", "mathbb", "mathbf", "mathrm", "alpha", "beta",
    "script", "http", "https", "www", "github", "com", "org", "href", "div", "span", "amp", "nbsp",
}  # fmt: skip

# Reviewed by hand: each is a noun phrase of its paper that a specialist would list, best first.
PINNED = {
    "A Functional Information Perspective on Model Interpretation": [
        ("functional entropy", 0.427957),
        ("decision function", 0.495958),
        ("predictive models", 0.538452),
        ("model interpretability", 0.580979),
        ("functional Fisher information", 0.620575),
        ("log-Sobolev inequality", 0.687442),
    ],
    "How DNNs break the Curse of Dimensionality: Compositionality and Symmetry Learning": [
        # The acronym the abstract defines is shown once, with its long form.
        ("deep neural networks (DNNs)", 0.336936),
        ("regularized loss", 0.627097),
        ("Sobolev norm", 0.667499),
        ("compositionality", 0.676684),
        ("differentiability", 0.703925),
        ("scaling laws", 0.710264),
    ],
    "SΩI: Score-based O-INFORMATION Estimation": [
        ("multivariate systems", 0.321697),
        # The abstract writes the method's name so (its TeX scraped).
        ("SOmegaI", 0.512796),
        ("pairwise interactions", 0.547119),
        ("o-information", 0.568598),
        ("synthetic data", 0.575434),
        ("information synergy", 0.629171),
    ],
}


def paper(title: str, abstract: str, order: int = 0) -> Paper:
    return build_paper(f"paper {order}", title, abstract, order=order, source="test")


def test_pinned_keywords_of_three_seed_papers(seed_papers):
    chosen = [p for p in seed_papers if p.title in PINNED]
    assert len(chosen) == 3
    found = extract(chosen, DEFAULT)
    for p, kws in zip(chosen, found, strict=True):
        assert [(k.text, round(k.score, 6)) for k in kws] == PINNED[p.title], p.title


def test_pinned_keywords_match_the_seed_build(seed_site):
    entries = {e.paper.title: e for e in seed_site.result.digest.entries}
    for title, expected in PINNED.items():
        keys = [keyword_key(split_acronym(text)[0]) for text, _ in expected]
        assert [k.key for k in entries[title].keywords] == keys
        assert [round(k.score, 6) for k in entries[title].keywords] == [s for _, s in expected]


def test_scores_are_plain_floats_not_numpy(seed_site):
    raw = run_yake("Sparse attention for long documents. Sparse attention helps.", DEFAULT)
    assert raw and all(type(k.score) is float for k in raw)
    assert all(type(k.score) is float for e in seed_site.result.digest.entries for k in e.keywords)


def test_every_adapter_argument_reaches_yake():
    text = clean_for_keywords(SEED.read_text(encoding="utf-8").split("\n")[3])
    assert len(run_yake(text, DEFAULT)) == 20
    assert len(run_yake(text, KeywordConfig(top=5))) == 5
    singles = run_yake(text, KeywordConfig(max_ngram=1))
    assert singles and all(" " not in k.text for k in singles)
    assert any(len(k.text.split()) == 3 for k in run_yake(text, DEFAULT))
    # Without deduplication near-duplicates come back; the default limit removes some.
    assert {k.text for k in run_yake(text, DEFAULT)} != {
        k.text for k in run_yake(text, KeywordConfig(dedup_limit=1.0))
    }


def test_plural_and_case_variants_fold_to_one_key():
    assert {keyword_key(t) for t in ("neural network", "neural networks", "Neural Networks")} == {
        "neural network"
    }
    assert keyword_key("Large Language Models") == keyword_key("large-language model")
    assert keyword_key("Gaussian processes") == "gaussian process"
    # Words that only look plural keep their form.
    assert keyword_key("time series") == "time series"
    assert keyword_key("physics") == "physics"


def test_variants_in_one_paper_become_one_keyword_with_the_best_score():
    raw = [
        RawKeyword("Graph Neural Networks", 0.30),
        RawKeyword("graph neural networks", 0.10),
        RawKeyword("graph neural network", 0.20),
    ]
    assert tidy(raw, DEFAULT) == [
        ("graph neural network", RawKeyword("graph neural networks", 0.10))
    ]


def test_subsumed_keywords_are_dropped():
    raw = [
        RawKeyword("pruning", 0.01),
        RawKeyword("network pruning", 0.02),
        RawKeyword("sparse network pruning", 0.05),
        RawKeyword("lottery tickets", 0.06),
        RawKeyword("tickets", 0.07),
    ]
    assert [k for k, _ in tidy(raw, DEFAULT)] == ["sparse network pruning", "lottery ticket"]


def test_generic_words_and_numbers_are_not_keywords():
    raw = [
        RawKeyword(t, 0.1) for t in ("model", "Methods", "neural networks", "2023", "x", "graph")
    ]
    assert [k for k, _ in tidy(raw, DEFAULT)] == ["graph"]


def test_keep_caps_the_keywords_per_paper():
    raw = [RawKeyword(f"topic{chr(97 + i)} word", i / 100) for i in range(20)]
    assert len(tidy(raw, KeywordConfig(keep=3))) == 3


def test_a_card_shows_a_keyword_as_its_paper_writes_it():
    """Papers share a keyword's key; each shows it in its own words, as a specialist listing
    that paper's keywords would. The index lists it once, as the paper that brought it first
    writes it, and later papers, however they write it, rename neither."""
    papers = [
        paper("Pruning Graph Neural Networks", "We prune Graph Neural Networks. They shrink.", 0),
        paper("Training graph neural networks", "Graph neural networks learn. We train fast.", 1),
        paper("Scaling graph neural network", "A graph neural network scales. It is big.", 2),
    ]
    found = extract(papers, DEFAULT)
    forms = [[k.text for k in kws if k.key == "graph neural network"] for kws in found]
    assert forms == [["Graph Neural Networks"], ["graph neural networks"], ["graph neural network"]]
    day = datetime(2026, 1, 5, tzinfo=UTC)
    stored = [StoredPaper(p, day + timedelta(days=i)) for i, p in enumerate(papers)]
    (listed,) = [kw for kw in keyword_index(stored, found) if kw.key == "graph neural network"]
    assert listed.text == "Graph Neural Networks"
    assert listed.paper_keys == tuple(p.key for p in papers)
    # A day later, more papers write it otherwise, and come first in the listing.
    later = [paper("graph neural network", "A graph neural network, again. It is big.", 3)]
    again = extract([*later, *papers], DEFAULT)
    assert [k.text for k in again[1] if k.key == "graph neural network"] == forms[0]
    stored = [StoredPaper(later[0], day + timedelta(days=3)), *stored]
    (listed,) = [kw for kw in keyword_index(stored, again) if kw.key == "graph neural network"]
    assert listed.text == "Graph Neural Networks"


def test_a_paper_s_keywords_do_not_depend_on_the_other_papers(seed_site, seed_papers):
    """Keywords are a function of a paper's own text (what lets them be cached by text)."""
    entries = {e.paper.key: e for e in seed_site.result.digest.entries}
    for alone in seed_papers[:3]:
        (found,) = extract([alone], DEFAULT)
        in_corpus = entries[alone.key].keywords
        assert found == in_corpus


def test_cached_keywords_are_not_extracted_again(tmp_path, monkeypatch):
    from digest.state import Cache
    from digest.text import keywords

    papers = [
        paper("Sparse attention", "Sparse attention for long documents.", 0),
        paper("Graph pruning", "We prune graph neural networks.", 1),
    ]
    cache = Cache(tmp_path / "cache")
    first = extract(papers, DEFAULT, cache=cache)
    texts: list[str] = []
    real = keywords.keyphrases

    def counted(title: str, abstract: str, *args: Any) -> list[tuple[str, float]]:
        texts.append(abstract)
        return real(title, abstract, *args)

    monkeypatch.setattr(keywords, "keyphrases", counted)
    again = paper("Lottery tickets", "Winning lottery tickets prune dense networks.", 2)
    assert extract([*papers, again], DEFAULT, cache=cache)[:2] == first
    assert texts == [again.abstract]
    # Other settings are other keywords: nothing cached under them.
    texts.clear()
    extract(papers, KeywordConfig(keep=5), cache=cache)
    assert len(texts) == 2
    # Another model is other keywords too: the model's hash is part of the settings' hash.
    before = keywords.settings_hash(DEFAULT)
    monkeypatch.setattr(keywords, "model_hash", lambda: "another model")
    assert keywords.settings_hash(DEFAULT) != before
    cache.close()


def test_latex_html_and_urls_are_removed_before_extraction():
    text = (
        r"We train {\em sparse codes} with $\alpha$-divergence and F_{1}-norm bounds, "
        r"mathcal{O}(n) time. <b>Bold</b> <a href='x'>links</a> See https://github.com/a/b. "
        "and www.example.org/x &amp; more."
    )
    # What is removed leaves a phrase break (","), so no phrase spans the gap.
    assert clean_for_keywords(text) == (
        "We train sparse codes with , -divergence and , bounds, time. Bold, links , See. and , "
        "& more."
    )
    assert "<" not in clean_for_keywords("Tags <script>x</script> and <img src=x onerror=y> go.")


def test_english_words_that_are_also_tex_names_stay_in_prose():
    text = "We sum the top results in the left half, times two, for a subset of labels."
    assert clean_for_keywords(text) == text


def test_text_formatting_commands_keep_their_argument():
    assert clean_for_keywords(r"We propose \emph{sparse} and \textbf{robust} codes.") == (
        "We propose sparse and robust codes."
    )


def _words(text: str, clean: bool = True) -> str:
    """The words of a text as keywords see them: cleaned, possessives dropped, folded."""
    if clean:
        text = re.sub("['\u2019]s\\b", "", clean_for_keywords(text))
    return " ".join(singular(w) for w in fold(text.replace("-", " ")).split())


def test_keywords_are_phrases_of_the_paper(seed_site):
    glued = []
    for entry in seed_site.result.digest.entries:
        # Acronyms the abstract defines are read as their long forms.
        acronyms = find_acronyms(f"{entry.paper.title}. {entry.paper.abstract}")
        title, abstract = (expand(t, acronyms) for t in (entry.paper.title, entry.paper.abstract))
        text = f" {_words(title)} . {_words(abstract)} "
        # Or as written: an acronym the ranker kept ("entropy-regularized OT"), a name's
        # possessive ("Occam's razor").
        raw = " . ".join(
            _words(clean_for_keywords(t), clean=False)
            for t in (entry.paper.title, entry.paper.abstract)
        )
        raw = f" {raw} "
        glued += [
            (kw.key, kw.text)
            for kw in entry.keywords
            if f" {_words(kw.key, clean=False)} " not in text
            and f" {_words(kw.key, clean=False)} " not in raw
        ]
    assert glued == []


def test_markup_never_becomes_a_keyword_in_the_seed(seed_site):
    digest = seed_site.result.digest

    def in_prose(text: str, entry: Any) -> bool:
        """Written so in the paper, not after a backslash: "variational EM algorithm", "Tsallis
        alpha-entropy" are words of the prose; "{\\em sparse}" is markup."""
        pattern = r"(?<![\\\w$])" + re.escape(text) + r"(?![\w$])"
        return bool(re.search(pattern, f"{entry.paper.title} {entry.paper.abstract}", re.I))

    words = {
        w
        for e in digest.entries
        for k in e.keywords
        if not in_prose(k.text, e)
        for w in k.key.split()
    }
    assert words & DEBRIS == set()
    assert not any(
        "\\" in k.text or "{" in k.text or "$" in k.text for e in digest.entries for k in e.keywords
    )
    names = {w for t in digest.themes for w in t.name.lower().split()}
    assert names & DEBRIS == set()


def test_latex_html_and_urls_in_one_abstract_never_become_keywords():
    hostile = paper(
        r"Sparse Codes via {\em Entropic} Regularisation",
        r"We bound the F_{1}-norm of $\mathcal{O}(n)$ sparse codes with {\em entropic overload} "
        r"and "
        r"\textbf{entropy collapse}; mathcal{O} and mathbb{R} recur. <script>var x;</script> "
        "<b>bold</b> <a href='https://github.com/org/sparse-codes'>code</a> at "
        "https://github.com/org/sparse-codes. Sparse codes generalise.",
    )
    (kws,) = extract([hostile], DEFAULT)
    assert kws
    words = {w for k in kws for w in k.key.split()}
    assert words & (DEBRIS | {"var", "mathcal", "mathbb", "sparse-codes", "r", "o", "n"}) == set()
    assert "sparse code" in {k.key for k in kws} or any("sparse code" in k.key for k in kws)


def test_stopword_only_paper_gets_no_keywords_and_lands_in_other(seed_papers):
    lost = paper("On the", "It is what it is, and so on.", order=99)
    papers = [*seed_papers[:12], lost]
    keywords = extract(papers, DEFAULT)
    assert keywords[-1] == ()
    assert all(keywords[:-1])
    grouping = group(papers, keywords, ThemeConfig())
    other = [t for t in grouping.themes if t.is_other]
    assert [(t.slug, t.name, t.paper_keys) for t in other] == [
        ("other", "Other papers", (lost.key,))
    ]
    assert [p.theme_slug for p in grouping.placements[lost.key]] == ["other"]
    placed = [k for t in grouping.themes for k in t.paper_keys]
    assert sorted(placed) == sorted(p.key for p in papers)


def test_paper_without_keywords_is_logged_and_built(tmp_path, caplog):
    listing = write_listing(
        tmp_path / "in.txt", [*seed_pairs()[:12], ("On the", "It is what it is.")]
    )
    with caplog.at_level(logging.INFO, logger="digest"):
        built = build_site(tmp_path, [listing])
    assert "No keywords for 'On the': its abstract has no usable words" in caplog.messages
    exported = json.loads((built.site / "digest.json").read_text(encoding="utf-8"))
    (lost,) = [p for p in exported["papers"] if p["title"] == "On the"]
    assert lost["keywords"] == [] and lost["themes"] == ["other"]
    assert "On the" in (built.site / "themes" / "other" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text", ["", "   ", "the of and to in", "$x$ \\alpha {}", "https://x.org/a"]
)
def test_empty_or_stopword_text_gives_no_keywords(text):
    assert run_yake(clean_for_keywords(text), DEFAULT) == []
    assert extract([paper("The", text.strip() or "A")], DEFAULT) == [()]


def test_yake_internal_failure_is_an_error_not_no_keywords(monkeypatch):
    import yake.core.yake as yake_core

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

    monkeypatch.setattr(yake_core, "DataCore", Broken)
    with pytest.raises(KeywordError) as info:
        run_yake("Sparse attention for long documents.", DEFAULT)
    assert str(info.value) == (
        "YAKE failed: Exception during keyword extraction: boom "
        "(text preview: 'Sparse attention for long documents....')"
    )
    with pytest.raises(KeywordError):
        extract([paper("Sparse Attention", "Sparse attention for long documents.")], DEFAULT)


def test_yake_failure_is_detected_when_the_application_logs_only_errors(monkeypatch):
    import yake.core.yake as yake_core

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

    monkeypatch.setattr(yake_core, "DataCore", Broken)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with pytest.raises(KeywordError):
            run_yake("Sparse attention for long documents.", DEFAULT)
    finally:
        root.setLevel(level)


def test_non_text_input_is_refused():
    with pytest.raises(KeywordError) as info:
        run_yake(b"bytes are not text", DEFAULT)  # type: ignore[arg-type]
    assert str(info.value) == "keyword extraction needs text, got bytes"


def _config_error(tmp_path: Path, toml: str) -> str:
    path = tmp_path / "digest.toml"
    path.write_text(textwrap.dedent(toml), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value).replace(str(path), "PATH")


@pytest.mark.parametrize("value", [0, -1])
def test_config_rejects_top_below_one(tmp_path, value):
    assert _config_error(tmp_path, f"[keywords]\ntop = {value}\n") == (
        "Invalid configuration in 'PATH':\n"
        f"  Config value 'keywords.top': expected a positive integer, got {value}"
    )


@pytest.mark.parametrize("value", [0, -2])
def test_config_rejects_ngram_length_below_one(tmp_path, value):
    assert _config_error(tmp_path, f"[keywords]\nmax_ngram = {value}\n") == (
        "Invalid configuration in 'PATH':\n"
        f"  Config value 'keywords.max_ngram': expected a positive integer, got {value}"
    )


def test_config_rejects_unknown_language(tmp_path):
    known = (
        "ar, bg, br, cz, da, de, el, en, es, et, fa, fi, fr, hi, hr, hu, hy, id, it, ja, lt, lv, "
        "nl, no, pl, pt, ro, ru, sk, sl, sv, tr, uk, zh"
    )
    assert ", ".join(languages()) == known
    assert _config_error(tmp_path, '[keywords]\nlanguage = "klingon"\n') == (
        "Invalid configuration in 'PATH':\n"
        f"  Config value 'keywords.language': unknown language 'klingon'; YAKE knows {known}"
    )


def test_config_reports_every_problem_at_once_and_unknown_keys(tmp_path):
    message = _config_error(
        tmp_path,
        """
        [keywords]
        top = "ten"
        n = 3
        dedupLim = 0.5
        max_ngram = 0
        language = "xx"
        """,
    )
    assert message.splitlines() == [
        "Invalid configuration in 'PATH':",
        "  Config key 'keywords.dedupLim': unknown option",
        "  Config key 'keywords.n': unknown option",
        "  Config value 'keywords.top': expected an integer, got 'ten'",
        "  Config value 'keywords.max_ngram': expected a positive integer, got 0",
        "  Config value 'keywords.language': unknown language 'xx'; YAKE knows "
        + ", ".join(languages()),
    ]


def test_valid_keyword_config_loads(tmp_path):
    path = tmp_path / "digest.toml"
    path.write_text('[keywords]\ntop = 10\nmax_ngram = 2\nlanguage = "de"\n', encoding="utf-8")
    assert load_config(path).keywords == KeywordConfig(top=10, max_ngram=2, language="de")


_SUBPROCESS = """
import json, random, sys
from pathlib import Path
from digest.config import KeywordConfig
from digest.sources import read_inputs
from digest.state import Cache
from digest.text.keywords import extract
papers = read_inputs([Path(sys.argv[1])])
shuffled = list(papers)
random.Random(int(sys.argv[2])).shuffle(shuffled)
cache = Cache(Path(sys.argv[3]))
found = extract(shuffled, KeywordConfig(), cache=cache)
scores = {p.key: [[k.key, k.score] for k in kws] for p, kws in zip(shuffled, found)}
# In the order the build sees them (first seen, all on one day here, then key), from the
# cache: the build's keywords.
papers = sorted(papers, key=lambda p: p.key)
found = extract(papers, KeywordConfig(), cache=cache)
table = {p.key: [[k.key, k.text, k.score] for k in kws] for p, kws in zip(papers, found)}
print(json.dumps({"scores": scores, "keywords": table}, sort_keys=True))
"""


def test_same_keywords_in_another_order_and_hash_seed(seed_site, seed_papers, tmp_path):
    """Each paper's keywords and scores do not depend on the order of the others; the forms
    shown are the first-seen papers', under any hash seed."""
    digest = seed_site.result.digest
    expected = {e.paper.key: [[k.key, k.text, k.score] for k in e.keywords] for e in digest.entries}
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    seed = "12345" if os.environ.get("PYTHONHASHSEED") != "12345" else "54321"
    env["PYTHONHASHSEED"] = seed
    out = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS, str(SEED), "7", str(tmp_path / "cache")],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = json.loads(out)
    assert found["keywords"] == expected
    assert found["scores"] == {
        key: [[k, score] for k, _, score in kws] for key, kws in expected.items()
    }
    assert len(expected) == len(seed_papers) == 195


def test_other_languages_keep_yake_and_its_rules():
    """The ranker learned English keywords; a German digest gets YAKE's, tidied as before."""
    title = "Neuronale Netze für die Bildsegmentierung"
    abstract = (
        "Wir untersuchen neuronale Netze für die Bildsegmentierung. Neuronale Netze lernen "
        "Merkmale aus Bildern, und die Bildsegmentierung profitiert von tiefen Merkmalen."
    )
    german = KeywordConfig(language="de")
    (kws,) = extract([paper(title, abstract)], german)
    text = keyword_text(title, abstract)
    expected = [k for k, _ in tidy(run_yake(text, german), german, find_acronyms(text))]
    assert [k.key for k in kws] == expected and expected
