"""The JSON readers: the Kaggle arXiv snapshot (JSONL) and digest's generic JSON / JSONL schema."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.diagnostics import counting_warnings
from digest.errors import SourceError
from digest.model import Author, Paper
from digest.sources import read_inputs, reader_for
from digest.sources.generic_json import READER as GENERIC
from digest.sources.kaggle import READER as KAGGLE

DATA = Path(__file__).parent / "data" / "labelled"
SNAPSHOT = DATA / "kaggle-snapshot-head.jsonl"
HARVEST = DATA / "arxiv-cs-2016-head300.jsonl"


def first_record() -> dict[str, Any]:
    with SNAPSHOT.open(encoding="utf-8") as handle:
        record: dict[str, Any] = json.loads(handle.readline())
    return record


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_generic(path: Path) -> tuple[list[Paper], list[str]]:
    with counting_warnings() as warnings:
        papers = list(GENERIC.read(path))
    return papers, warnings.messages


# Kaggle snapshot ---------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "count"), [(SNAPSHOT, 200), (HARVEST, 300)])
def test_snapshot_files_read_to_unique_papers(path: Path, count: int) -> None:
    with counting_warnings() as warnings:
        papers = list(KAGGLE.read(path))
    assert len(papers) == len({p.key for p in papers}) == count
    assert warnings.messages == []
    assert reader_for(path).name == "kaggle"


def test_fields_of_a_snapshot_record() -> None:
    paper = next(iter(KAGGLE.read(SNAPSHOT)))
    assert paper.key == "arxiv:0704.0001"
    assert paper.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert paper.abstract.startswith("A fully differential calculation in perturbative quantum")
    assert "\n" not in paper.abstract
    # authors_parsed has the accent that "authors" spells as Bal\'azs.
    assert paper.authors == (
        Author("C. Balázs"),
        Author("E. L. Berger"),
        Author("P. M. Nadolsky"),
        Author("C. -P. Yuan"),
    )
    assert paper.version == 2
    assert paper.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert paper.updated == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert (paper.categories, paper.primary_category) == (("hep-ph",), "hep-ph")
    assert paper.doi == "10.1103/PhysRevD.76.013009"
    assert paper.journal_ref == "Phys.Rev.D76:013009,2007"
    assert paper.comment == "37 pages, 15 figures; published version"
    assert paper.url == "https://arxiv.org/abs/0704.0001"
    assert paper.sources == ("kaggle",)


def test_fields_of_a_harvested_record_without_versions() -> None:
    papers = {p.arxiv_id: p for p in KAGGLE.read(HARVEST)}
    paper = papers["0704.0047"]
    assert (
        paper.title
        == "Intelligent location of simultaneously active acoustic emission sources: Part I"
    )
    assert [a.name for a in paper.authors] == ["T. Kosel", "I. Grabec"]
    assert (paper.categories, paper.primary_category) == (("cs.NE", "cs.AI"), "cs.NE")
    assert paper.version is None
    assert paper.published == paper.updated == datetime(2007, 4, 1, tzinfo=UTC)
    assert paper.comment == "5 pages, 5 eps figures, uses IEEEtran.cls"
    assert papers["0704.0002"].categories == ("math.CO", "cs.CG")
    assert papers["0704.0002"].updated == datetime(2008, 12, 13, tzinfo=UTC)


def test_the_same_paper_in_both_snapshots_is_one_paper() -> None:
    papers = read_inputs([SNAPSHOT, HARVEST])
    assert len(papers) == len({p.key for p in papers})
    both = next(p for p in papers if p.key == "arxiv:0704.0002")
    # The snapshot knows version 2 (its dates win); the harvest has no versions.
    assert both.sources == ("kaggle",) and both.version == 2
    assert both.published == datetime(2007, 3, 31, 2, 26, 18, tzinfo=UTC)


def test_a_bad_snapshot_record_is_skipped_with_its_line(tmp_path: Path) -> None:
    good = first_record()
    missing = {**good, "id": "0704.0009"}
    del missing["abstract"]
    path = write_lines(tmp_path / "s.jsonl", json.dumps(good), "", json.dumps(missing))
    with counting_warnings() as warnings:
        papers = list(KAGGLE.read(path))
    assert len(papers) == 1
    assert warnings.messages == [f"Error reading paper 2 in '{path}' (line 3): missing 'abstract'"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"versions": [{"version": "2", "created": "x"}]}, "'versions' ends with version '2'"),
        ({"authors_parsed": "Smith"}, "'authors_parsed' must be a list of lists of strings"),
        ({"categories": ["hep-ph"]}, "'categories' must be a string, got list"),
        ({"id": "not-an-id"}, "'id' 'not-an-id' is not an arXiv id"),
        ({"versions": [{"version": "v1", "created": "soon"}]}, "is not an RFC 2822 date"),
    ],
)
def test_wrong_snapshot_types_are_named(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = write_lines(tmp_path / "s.jsonl", json.dumps({**first_record(), **change}))
    with counting_warnings() as warnings:
        assert list(KAGGLE.read(path)) == []
    (warning,) = warnings.messages
    assert warning.startswith(f"Error reading paper 1 in '{path}' (line 1): ")
    assert message in warning


def test_a_huge_jsonl_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    record = first_record()
    path = tmp_path / "huge.jsonl"
    # Long abstracts make a big file from few records: tracing every allocation is slow.
    record["abstract"] *= 3
    count = 1_500
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(json.dumps({**record, "id": f"0801.{number:05d}"}) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        read = sum(1 for _ in KAGGLE.read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == count
    assert size > 5_000_000
    # Reading the whole file at once would peak above its size; streaming stays far below.
    assert peak < size / 10, f"peak {peak} bytes while reading {size} bytes"


# Generic JSON and JSONL --------------------------------------------------------------------

FULL = {
    "title": "A  Title\n  wrapped",
    "abstract": "An abstract with code at https://github.com/org/repo.",
    "id": "https://arxiv.org/pdf/2401.01234v2",
    "authors": "A. Smith, B. Jones and C. Wu",
    "date": "2024-01-31",
    "categories": "cs.LG stat.ML",
}


def test_generic_jsonl_and_array_read_the_same(tmp_path: Path) -> None:
    minimal = {"title": "Only a title", "abstract": "And an abstract."}
    jsonl = write_lines(tmp_path / "p.jsonl", json.dumps(FULL), json.dumps(minimal))
    array = tmp_path / "p.json"
    array.write_text(json.dumps([FULL, minimal], indent=2), encoding="utf-8")
    assert reader_for(jsonl).name == reader_for(array).name == "json"
    from_lines, warnings = read_generic(jsonl)
    from_array, _ = read_generic(array)
    assert warnings == []
    strip = [(p.key, p.title, p.authors, p.published) for p in from_lines]
    assert strip == [(p.key, p.title, p.authors, p.published) for p in from_array]
    full, bare = from_lines
    assert (full.key, full.arxiv_id, full.version) == ("arxiv:2401.01234", "2401.01234", 2)
    assert full.title == "A Title wrapped"
    assert [a.name for a in full.authors] == ["A. Smith", "B. Jones", "C. Wu"]
    assert full.published == datetime(2024, 1, 31, tzinfo=UTC)
    assert (full.categories, full.primary_category) == (("cs.LG", "stat.ML"), "cs.LG")
    assert full.url == "https://arxiv.org/abs/2401.01234"
    assert full.code_urls == ("https://github.com/org/repo",)
    assert full.sources == ("file:p.jsonl",)
    assert bare.key.startswith("title-") and bare.url is None and bare.authors == ()


def test_generic_lists_and_explicit_url(tmp_path: Path) -> None:
    record = {
        **FULL,
        "authors": ["A. Smith", "B. Jones"],
        "categories": ["cs.CL"],
        "url": "https://example.org/paper",
        "date": "2024-01-31T12:00:00+02:00",
    }
    (paper,), _ = read_generic(write_lines(tmp_path / "p.jsonl", json.dumps(record)))
    assert [a.name for a in paper.authors] == ["A. Smith", "B. Jones"]
    assert paper.categories == ("cs.CL",)
    assert paper.url == "https://example.org/paper"
    assert paper.published == datetime(2024, 1, 31, 10, tzinfo=UTC)


def test_missing_abstract_names_paper_file_line_and_field(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "papers.jsonl",
        json.dumps(FULL),
        json.dumps({**FULL, "id": "2401.00002"}),
        json.dumps({"title": "No abstract"}),
    )
    papers, warnings = read_generic(path)
    assert len(papers) == 2
    assert warnings == [f"Error reading paper 3 in '{path}' (line 3): missing 'abstract'"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": None, "abstract": "x"}, "missing 'title'"),
        ({"title": "  ", "abstract": "x"}, "'title' is empty"),
        ({"title": 7, "abstract": "x"}, "'title' must be a string, got int"),
        ({"title": "t", "abstract": ["x"]}, "'abstract' must be a string, got list"),
        ({**FULL, "authors": [1, 2]}, "'authors' must be a list of strings or a string"),
        ({**FULL, "categories": {"cs": 1}}, "'categories' must be a list of strings or a string"),
        ({**FULL, "id": 2401.01234}, "'id' must be a string, got float"),
        ({**FULL, "date": "31/01/2024"}, "'date' '31/01/2024' is not an ISO 8601 date"),
        (["not", "an", "object"], "expected a JSON object, got an array"),
    ],
)
def test_wrong_types_skip_the_record(tmp_path: Path, record: object, message: str) -> None:
    path = write_lines(tmp_path / "p.jsonl", json.dumps(FULL), json.dumps(record))
    papers, warnings = read_generic(path)
    assert len(papers) == 1
    assert warnings == [f"Error reading paper 2 in '{path}' (line 2): {message}"]


def test_an_id_that_is_not_arxiv_s_is_the_paper_s_own(tmp_path: Path) -> None:
    """A source's own id keys its paper; an arXiv id or URL is recognised as arXiv's."""
    records = [
        {**FULL, "id": "doi:10.1/x"},
        {**FULL, "id": "https://arxiv.org/abs/2401.00007v2", "title": "Other"},
    ]
    path = write_lines(tmp_path / "p.jsonl", *(json.dumps(r) for r in records))
    papers, warnings = read_generic(path)
    assert warnings == []
    assert [(p.key, p.arxiv_id) for p in papers] == [
        ("id:doi:10.1/x", None),
        ("arxiv:2401.00007", "2401.00007"),
    ]


def test_records_of_an_array_are_numbered_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([FULL, {"title": "t"}], indent=1), encoding="utf-8")
    _, warnings = read_generic(path)
    assert warnings == [f"Error reading paper 2 in '{path}' (line 10): missing 'abstract'"]


@pytest.mark.parametrize(
    ("name", "text", "where", "problem"),
    [
        ("p.jsonl", '{"title": "a"}\n\n{"title": "b",}\n', "line 3, column 15", "invalid JSON"),
        ("p.jsonl", '{"title": "a"}\n{"title" "b"}\n', "line 2, column 10", "invalid JSON"),
        ("p.jsonl", '{"title": "a"} {"title": "b"}\n', "line 1, column 16", "invalid JSON"),
        ("p.json", '[\n  {"title": "a"},\n  {"title": "b"\n]', "line 4, column 1", "invalid JSON"),
        ("p.json", '[{"title": "a"},]', "line 1, column 17", "invalid JSON"),
        ("p.json", '[{"title": "a"}] []', "line 1, column 18", "invalid JSON"),
    ],
)
def test_invalid_json_fails_with_line_and_column(
    tmp_path: Path, name: str, text: str, where: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_generic(path)
    assert str(info.value).startswith(f"Error reading '{path}', {where}: {problem} (")


def test_exact_invalid_json_message(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "papers.jsonl", json.dumps(FULL), json.dumps(FULL), '{"title": 1,'
    )
    with pytest.raises(SourceError) as info:
        read_generic(path)
    assert str(info.value) == (
        f"Error reading '{path}', line 3, column 13: invalid JSON "
        "(Expecting property name enclosed in double quotes)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"title": "t", "abstract": "a", "score": NaN}', "line 2: NaN is not valid JSON"),
        (
            '{"title": "t", "abstract": "a", "score": Infinity}',
            "line 2: Infinity is not valid JSON",
        ),
        ('{"title": "t", "abstract": "a", "x": -Infinity}', "line 2: -Infinity is not valid JSON"),
        ('{"title": "t", "abstract": "a", "title": "u"}', "line 2: duplicate key 'title'"),
        ('{"title": "t", "abstract": "a", "m": {"k": 1, "k": 2}}', "line 2: duplicate key 'k'"),
    ],
)
def test_nan_infinity_and_duplicate_keys_are_rejected(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write_lines(tmp_path / "p.jsonl", json.dumps(FULL), text)
    with pytest.raises(SourceError) as info:
        read_generic(path)
    assert str(info.value) == f"Error reading '{path}', {message}"


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(SourceError, match="nested too deeply"):
        read_generic(path)


@pytest.mark.parametrize("text", ["", "  \n\n", "\ufeff"])
def test_empty_file_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_generic(path)
    assert str(info.value) == f"'{path}' is empty: expected a JSON array or JSON Lines of papers"


def test_non_utf8_bytes_fail_with_their_offset(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(json.dumps(FULL).encode() + b'\n{"title": "caf\xe9"}\n')
    with pytest.raises(SourceError) as info:
        read_generic(path)
    offset = len(json.dumps(FULL)) + 1 + len('{"title": "caf')
    assert str(info.value) == (
        f"'{path}' is not UTF-8: byte offset {offset} (0xe9, line 2) cannot be decoded"
    )


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FULL).encode() + b"\r\n" + b"\r\n")
    papers, warnings = read_generic(path)
    assert len(papers) == 1 and warnings == []
    assert reader_for(path).name == "json"


def test_sniffing_tells_the_json_formats_apart(tmp_path: Path) -> None:
    hf = Path(__file__).parent / "data" / "hf-daily-papers" / "daily_papers.json"
    assert reader_for(hf).name == "hf-daily"
    assert reader_for(SNAPSHOT).name == "kaggle"
    generic = write_lines(tmp_path / "g.jsonl", json.dumps({"id": "2401.01234", **FULL}))
    assert reader_for(generic).name == "json"
