"""Keyword normalisation across keywords: acronyms defined in the abstract, corpus-generic words."""

from __future__ import annotations

import pytest

from digest.config import KeywordConfig
from digest.keywords import RawKeyword, extract_keywords, tidy
from digest.normalise import corpus_generic_words, expand, find_acronyms
from digest.sources.base import build_paper


@pytest.mark.parametrize(
    ("text", "acronym", "long_form"),
    [
        ("We estimate mutual information (MI) between views.", "mi", "mutual information"),
        ("Large language models (LLMs) write text.", "llm", "Large language models"),
        ("the Fisher information matrix (FIM) of", "fim", "Fisher information matrix"),
        (
            "reinforcement learning from human feedback (RLHF) aligns",
            "rlhf",
            "reinforcement learning from human feedback",
        ),
        ("graph neural networks (GNNs) on molecules", "gnn", "graph neural networks"),
        ("a high-dimensional embedding (HDE) space", "hde", "high-dimensional embedding"),
    ],
)
def test_acronym_definitions_are_found(text: str, acronym: str, long_form: str) -> None:
    assert find_acronyms(text)[acronym] == long_form


@pytest.mark.parametrize(
    "text",
    ["list items (a) and (i)", "see Figure (2)", "the result (ResNet) holds", "a model (GPT)"],
)
def test_parentheses_that_define_nothing_are_ignored(text: str) -> None:
    assert find_acronyms(text) == {}


def test_expansion_replaces_acronym_words_only() -> None:
    acronyms = {"mi": "mutual information", "llm": "large language models"}
    assert expand("MI estimation", acronyms) == "mutual information estimation"
    assert expand("LLMs", acronyms) == "large language models"
    assert expand("Mi and mi", acronyms) == "Mi and mi"
    assert expand("OOD data", acronyms) == "OOD data"


def test_an_acronym_and_its_expansion_are_one_keyword() -> None:
    paper = build_paper(
        "p",
        "Estimating mutual information with critics",
        "We estimate mutual information (MI) with neural critics. MI estimation is hard: "
        "MI bounds are loose, and MI estimators are biased for high MI values.",
        order=0,
        source="test",
    )
    [keywords] = extract_keywords([paper], KeywordConfig())
    keys = [k.key for k in keywords]
    assert "mi" not in keys
    assert any("mutual information" in k for k in keys)
    assert len(keys) == len(set(keys))


def test_tidy_folds_an_acronym_into_its_long_form() -> None:
    raw = [
        RawKeyword("MI estimation", 0.01),
        RawKeyword("mutual information estimation", 0.05),
        RawKeyword("MI", 0.02),
        RawKeyword("neural critics", 0.03),
    ]
    acronyms = find_acronyms("We estimate mutual information (MI) with neural critics.")
    tidied = tidy(raw, KeywordConfig(), acronyms)
    # One keyword, with the best score of its two spellings; "MI" alone is subsumed by it.
    assert [(key, kw.score) for key, kw in tidied] == [
        ("mutual information estimation", 0.01),
        ("neural critics", 0.03),
    ]


def test_words_in_a_fifth_of_the_corpus_are_generic_there() -> None:
    texts = [f"Quantum circuits number {i} with topic{i % 7} and widget{i}." for i in range(60)]
    generic = corpus_generic_words(texts)
    assert {"quantum", "circuit", "number"} <= generic
    assert "topic1" not in generic and "widget3" not in generic
    assert corpus_generic_words(texts[:10]) == frozenset()


def test_corpus_generic_words_sink_single_word_keywords_only() -> None:
    papers = [
        build_paper(
            f"p{i}",
            f"Quantum error correction code number {i}",
            f"Quantum computing needs quantum error correction. We design surface code {i} "
            f"variants for superconducting qubits in topology{i % 5}.",
            order=i,
            source="test",
        )
        for i in range(60)
    ]
    found = extract_keywords(papers, KeywordConfig())
    keys = {k.key for kws in found for k in kws}
    assert "quantum" not in keys
    assert any(" " in k and "quantum" in k.split() for k in keys)
