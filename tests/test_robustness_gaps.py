"""ROBUSTNESS cases the first sweep found without a test (see tests/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from digest.cleaning import MAX_TOKEN_CHARS, clean_for_keywords
from digest.config import KeywordConfig
from digest.keywords import extract_keywords, run_yake
from digest.sources.base import build_paper
from tests.conftest import build_site, seed_pairs, write_listing


def _paper(title: str, abstract: str, order: int = 0):  # type: ignore[no-untyped-def]
    return build_paper(f"paper {order}", title, abstract, order=order, source="test")


def test_case_23_a_huge_token_never_becomes_a_keyword() -> None:
    token = "x" * 100_000
    text = f"Graph neural networks {token} predict molecular properties of graph neural networks."
    assert token not in clean_for_keywords(text)
    assert all(len(w) <= MAX_TOKEN_CHARS for w in clean_for_keywords(text).split())
    [keywords] = extract_keywords([_paper("Molecules", text)], KeywordConfig())
    assert keywords, "the rest of the abstract still gives keywords"
    assert all(len(k.text) <= KeywordConfig().max_chars for k in keywords)


def test_case_23_the_keyword_length_cap_is_a_setting() -> None:
    paper = _paper(
        "Extraordinarily overparameterised convolutional transformers",
        "Extraordinarily overparameterised convolutional transformers generalise. "
        "Extraordinarily overparameterised convolutional transformers are studied here.",
    )
    long_ones = [k for k in extract_keywords([paper], KeywordConfig())[0] if len(k.text) > 30]
    assert long_ones
    capped = extract_keywords([paper], KeywordConfig(max_chars=30))[0]
    assert all(len(k.text) <= 30 for k in capped)


def test_case_23_non_english_text_is_handled() -> None:
    """Text in another script or language gives no crash and no markup; keywords may be few."""
    texts = [
        "Нейронные сети для распознавания изображений показывают высокую точность.",
        "深度学习模型在图像识别任务中取得了很高的准确率。",
        "Les réseaux de neurones profonds reconnaissent les images avec précision.",
    ]
    for index, text in enumerate(texts):
        [keywords] = extract_keywords([_paper(text[:20], text, index)], KeywordConfig())
        for kw in keywords:
            assert "<" not in kw.text and "&" not in kw.text
        assert isinstance(run_yake(clean_for_keywords(text), KeywordConfig()), list)


def test_case_29_an_undefined_template_name_fails_the_build(tmp_path: Path) -> None:
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:8])
    build_site(tmp_path, [listing])
    before = sorted(p.name for p in (tmp_path / "site").iterdir())
    template = tmp_path / "site_templates" / "themes.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{{ no_such_name }}\n")
    with pytest.raises(UndefinedError, match="no_such_name"):
        build_site(tmp_path, [listing], date="2026-01-02")
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == before
