"""Acronyms defined in an abstract: found, and folded with their long forms into one keyword."""

from __future__ import annotations

import pytest

from digest.config import KeywordConfig
from digest.sources.base import build_paper
from digest.text.acronyms import expand, find_acronyms
from digest.text.keywords import extract, tidy
from digest.text.yake_adapter import RawKeyword


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
    [keywords] = extract([paper], KeywordConfig())
    keys = [k.key for k in keywords]
    assert "mi" not in keys
    assert any("mutual information" in k for k in keys)
    assert len(keys) == len(set(keys))
    # Shown once, the way the paper defines it; keyed by the long form alone, like the same
    # keyword of a paper that defines no acronym.
    (shown,) = [k for k in keywords if k.key == "mutual information"]
    assert shown.text == "mutual information (MI)"
    assert not any(k.text in ("MI", "mutual information") for k in keywords)


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
