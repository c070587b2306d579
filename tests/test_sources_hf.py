"""The Hugging Face daily-papers reader, and its merge with arXiv's record of the same paper."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.diagnostics import counting_warnings
from digest.errors import SourceError
from digest.merge import merge_papers
from digest.model import Paper
from digest.sources import read_inputs, reader_for
from digest.sources.arxiv_atom import parse_atom
from digest.sources.hf_daily import parse_hf_daily

DAILY = Path(__file__).parent / "data" / "hf-daily-papers" / "daily_papers.json"


def records() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(DAILY.read_bytes())
    return loaded


def parse(value: object, origin: str = "daily.json") -> tuple[Paper, ...]:
    return parse_hf_daily(json.dumps(value, indent=1).encode(), origin)


def test_the_daily_answer_reads_to_30_papers() -> None:
    with counting_warnings() as warnings:
        papers = parse_hf_daily(DAILY.read_bytes(), "daily_papers.json")
    assert len(papers) == len({p.key for p in papers}) == 30
    assert warnings.messages == []
    assert reader_for(DAILY).name == "hf-daily"


def test_fields_of_a_paper_with_code() -> None:
    paper = {p.arxiv_id: p for p in parse_hf_daily(DAILY.read_bytes(), "d.json")}["2606.12730"]
    assert paper.key == "arxiv:2606.12730"
    assert paper.title == (
        "Rethinking Psychometric Evaluation of LLMs: When and Why Self-Reports Predict Behavior"
    )
    assert paper.abstract.startswith("Anticipating LLM behavioral tendencies from low-cost")
    assert [a.name for a in paper.authors][:2] == ["Rafal Kocielnik", "Pengrui Han"]
    assert paper.authors[-1].name == "R. Michael Alvarez" and len(paper.authors) == 8
    assert paper.upvotes == 5
    assert paper.code_urls == (
        "https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs",
    )
    assert paper.project_url is None
    assert paper.source_keywords[:3] == ("LLMs", "psychometric probes", "self-reports")
    assert len(paper.source_keywords) == 11
    assert paper.published == datetime(2026, 6, 10, tzinfo=UTC)
    assert paper.url == "https://arxiv.org/abs/2606.12730"
    assert paper.version is None
    assert paper.sources == ("huggingface",)


def test_project_pages_and_upvotes() -> None:
    papers = {p.arxiv_id: p for p in parse_hf_daily(DAILY.read_bytes(), "d.json")}
    assert (
        papers["2606.13594"].project_url == "https://chicychen.github.io/dense-hetero-latent-mas/"
    )
    assert papers["2606.13594"].code_urls == ()
    top = papers["2606.13681"]
    assert (top.upvotes, top.project_url) == (118, "https://aiden0526.github.io/EvoArena/")
    assert top.code_urls == ("https://github.com/Aiden0526/EvoArena",)
    assert papers["2606.00467"].upvotes == 0


# Merging with arXiv ------------------------------------------------------------------------

ATOM_ENTRY = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/2606.12730v2</id>
    <title>Rethinking Psychometric Evaluation of LLMs (arXiv's wording)</title>
    <updated>2026-06-12T10:00:00Z</updated>
    <summary>arXiv's own abstract.</summary>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
    <published>2026-06-09T17:00:00Z</published>
    <arxiv:primary_category term="cs.CL"/>
    <author><name>Rafal Kocielnik</name></author>
  </entry>
</feed>
"""


def arxiv_copy() -> Paper:
    (paper,) = parse_atom(ATOM_ENTRY.encode(), "arxiv.xml").papers
    return paper


def hf_copy() -> Paper:
    papers = parse_hf_daily(DAILY.read_bytes(), "d.json")
    return next(p for p in papers if p.arxiv_id == "2606.12730")


@pytest.mark.parametrize("hf_first", [True, False])
def test_hugging_face_adds_to_arxiv_and_arxiv_text_wins(hf_first: bool) -> None:
    arxiv, hf = arxiv_copy(), hf_copy()
    (merged,) = merge_papers([hf, arxiv] if hf_first else [arxiv, hf])
    assert merged.title == "Rethinking Psychometric Evaluation of LLMs (arXiv's wording)"
    assert merged.abstract == "arXiv's own abstract."
    assert merged.published == datetime(2026, 6, 9, 17, tzinfo=UTC)
    assert (merged.version, merged.primary_category) == (2, "cs.CL")
    assert merged.categories == ("cs.CL", "cs.AI")
    assert merged.upvotes == 5
    assert merged.code_urls == hf.code_urls
    assert merged.source_keywords == hf.source_keywords
    assert merged.sources == ("arxiv", "huggingface")
    assert merged.order == 0


def test_arxiv_wins_even_when_it_gives_no_version() -> None:
    arxiv = arxiv_copy()
    unversioned = Paper(**{**arxiv.__dict__, "version": None})
    (merged,) = merge_papers([hf_copy(), unversioned])
    assert merged.abstract == "arXiv's own abstract."


def test_two_days_of_votes_keep_the_larger_count() -> None:
    hf = hf_copy()
    later = Paper(**{**hf.__dict__, "upvotes": 9, "order": 1})
    (merged,) = merge_papers([later, hf])
    assert merged.upvotes == 9


def test_files_from_both_sources_merge_into_one_paper(tmp_path: Path) -> None:
    atom = tmp_path / "arxiv.xml"
    atom.write_text(ATOM_ENTRY, encoding="utf-8")
    papers = read_inputs([DAILY, atom])
    assert len(papers) == 30
    merged = next(p for p in papers if p.key == "arxiv:2606.12730")
    assert merged.abstract == "arXiv's own abstract." and merged.upvotes == 5


# Bad answers -------------------------------------------------------------------------------


def test_a_bad_record_is_skipped_with_a_warning_naming_record_line_and_field() -> None:
    good, bad = records()[:2]
    del bad["paper"]["summary"]
    bad.pop("summary")
    text = f"[\n{json.dumps(good)},\n\n{json.dumps(bad)}\n]"
    with counting_warnings() as warnings:
        papers = parse_hf_daily(text.encode(), "daily.json")
    assert [p.arxiv_id for p in papers] == ["2606.00467"]
    assert warnings.messages == [
        "Error reading paper 2 in 'daily.json' (line 4): missing 'paper.summary'"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"upvotes": "5"}, "'paper.upvotes' must be an integer"),
        ({"upvotes": True}, "'paper.upvotes' must be an integer"),
        ({"id": "abc"}, "'paper.id' 'abc' is not an arXiv id"),
        ({"id": 2606.1}, "'paper.id' 2606.1 is not an arXiv id"),
        ({"authors": "A. Smith"}, "'paper.authors' must be a list"),
        ({"authors": [{"_id": "x"}]}, "each of 'paper.authors' needs a 'name' string"),
        ({"ai_keywords": "llm"}, "'paper.ai_keywords' must be a list of strings"),
        ({"publishedAt": "yesterday"}, "'paper.publishedAt' 'yesterday' is not an ISO 8601 date"),
        ({"title": 42}, "'paper.title' must be a string, got int"),
    ],
)
def test_wrong_types_are_named(change: dict[str, Any], message: str) -> None:
    record = records()[0]
    record["paper"].update(change)
    with counting_warnings() as warnings:
        assert parse([record]) == ()
    assert warnings.messages == [f"Error reading paper 1 in 'daily.json' (line 2): {message}"]


def test_a_javascript_link_is_dropped_but_the_paper_kept() -> None:
    record = records()[1]
    record["paper"]["githubRepo"] = "javascript:alert(1)"
    with counting_warnings() as warnings:
        (paper,) = parse([record])
    assert paper.code_urls == ()
    assert warnings.messages == [
        "paper 1 in 'daily.json' (line 2): ignored 'paper.githubRepo' 'javascript:alert(1)': "
        "not an http(s) URL"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "'d.json' is empty: expected a JSON list of daily papers"),
        (b'{"paper": {}}', "'d.json' is not a JSON array of papers"),
        (b'[{"paper": {"upvotes": NaN}}]', "Error reading 'd.json', line 1: NaN is not valid JSON"),
        (
            b'[\n {"paper": {"id": "1", "id": "2"}}]',
            "Error reading 'd.json', line 2: duplicate key 'id'",
        ),
        (
            b'[\n {"paper": {"id": "1"}\n]',
            "Error reading 'd.json', line 3, column 1: invalid JSON (Expecting ',' delimiter)",
        ),
    ],
)
def test_broken_answers_fail_whole(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_hf_daily(data, "d.json")
    assert str(info.value) == message
