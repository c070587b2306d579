"""One paper, one key: ids, versions, URL spellings and old-style ids across readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.identity import paper_key, parse_arxiv_id, title_key
from digest.sources import read_inputs

DATA = Path(__file__).parent / "data"
ASTRO_PH = DATA / "arxiv-api" / "arxiv-py-2026" / "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.01234", ("2401.01234", None)),
        ("2401.01234v1", ("2401.01234", 1)),
        ("2401.01234v2", ("2401.01234", 2)),
        ("arXiv:2401.01234v3", ("2401.01234", 3)),
        ("http://arxiv.org/abs/2401.01234v2", ("2401.01234", 2)),
        ("https://arxiv.org/abs/2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/pdf/2401.01234v2", ("2401.01234", 2)),
        ("https://arxiv.org/pdf/2401.01234v2.pdf", ("2401.01234", 2)),
        ("http://export.arxiv.org/abs/2401.01234", ("2401.01234", None)),
        (" 0704.0001 ", ("0704.0001", None)),
        ("astro-ph/0601001", ("astro-ph/0601001", None)),
        ("http://arxiv.org/abs/astro-ph/0601001v1", ("astro-ph/0601001", 1)),
        ("https://arxiv.org/pdf/astro-ph/0601001v1", ("astro-ph/0601001", 1)),
        ("quant-ph/0201082v1", ("quant-ph/0201082", 1)),
        ("cond-mat/0603029", ("cond-mat/0603029", None)),
    ],
)
def test_parse_arxiv_id(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["abc", "", "2401.123", "https://example.org/abs/2401.01234", "javascript:alert(1)"],
)
def test_not_arxiv_ids(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_keys_drop_the_version() -> None:
    assert paper_key("2401.01234", "whatever") == "arxiv:2401.01234"
    assert paper_key(None, "A Title") == title_key("A Title")


def test_title_key_ignores_wrapping_case_and_punctuation() -> None:
    assert title_key("Attention Is All\n  You Need") == title_key("attention is all you need.")
    assert title_key("Attention Is All You Need") != title_key("Attention Is Not All You Need")


def _jsonl(path: Path, *records: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_every_spelling_of_one_paper_is_one_paper(tmp_path: Path) -> None:
    spellings = [
        "2401.01234v1",
        "http://arxiv.org/abs/2401.01234v1",
        "https://arxiv.org/abs/2401.01234v2",
        "https://arxiv.org/pdf/2401.01234v2",
        "http://arxiv.org/pdf/2401.01234v1.pdf",
        "2401.01234",
    ]
    records = [
        {"id": s, "title": f"Title as of {s}", "abstract": f"Abstract {n}."}
        for n, s in enumerate(spellings)
    ]
    (paper,) = read_inputs([_jsonl(tmp_path / "p.jsonl", *records)])
    assert (paper.key, paper.version) == ("arxiv:2401.01234", 2)
    # The newest version's text wins; among equal versions, the first record.
    assert paper.title == "Title as of https://arxiv.org/abs/2401.01234v2"
    assert paper.order == 0


def test_old_style_id_from_the_api_and_from_a_url_is_one_paper(tmp_path: Path) -> None:
    other = _jsonl(
        tmp_path / "p.jsonl",
        {
            "id": "https://arxiv.org/pdf/astro-ph/0601001v1",
            "title": "Another title",
            "abstract": "Another abstract.",
        },
    )
    papers = read_inputs([ASTRO_PH, other])
    assert [p.key for p in papers] == ["arxiv:astro-ph/0601001"]
    assert papers[0].sources == ("arxiv", "file:p.jsonl")
    assert papers[0].title.startswith("Frequency of Hot Jupiters")


def test_the_same_paper_from_kaggle_and_the_api_is_one_paper(tmp_path: Path) -> None:
    api = DATA / "arxiv-api" / "arxiv-py-2026" / "id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml"
    snapshot = _jsonl(
        tmp_path / "s.jsonl",
        {
            "id": "quant-ph/0201082",
            "submitter": "x",
            "title": "Kaggle's title",
            "abstract": "Kaggle's abstract.",
            "categories": "quant-ph",
        },
    )
    papers = read_inputs([snapshot, api])
    assert [p.key for p in papers] == ["arxiv:quant-ph/0201082"]
    assert papers[0].sources == ("arxiv", "kaggle")
    # The API's record has a version, the snapshot line none: the API's text wins.
    assert papers[0].title != "Kaggle's title"
