"""The arXiv API Atom reader on real responses (2026 and 2016 layouts) and broken variants."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.diagnostics import counting_warnings
from digest.errors import SourceError
from digest.model import Author, Paper
from digest.sources import read_inputs, reader_for
from digest.sources.arxiv_atom import READER, AtomPage, QueryError, parse_atom

DATA = Path(__file__).parent / "data" / "arxiv-api"
NEW = DATA / "arxiv-py-2026"
OLD = DATA / "arxiv-py-2016"
ALL_FILES = sorted(DATA.rglob("*.xml"))
ERROR_FILE = NEW / "id_abc_s0_m100_b79c8dcf6bc3.xml"


def page(path: Path) -> AtomPage:
    return parse_atom(path.read_bytes(), path.name)


def by_id(path: Path) -> dict[str, Paper]:
    return {p.arxiv_id: p for p in page(path).papers if p.arxiv_id}


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("arxiv-py-2026/q_testing_s0_m100_cfe7536492ca.xml", 100),
        ("arxiv-py-2026/q_testing_s0_m10_bc5a6c384fe9.xml", 10),
        ("arxiv-py-2026/q_testing_s0_m15_80c242b59d59.xml", 15),
        ("arxiv-py-2026/q_testing_s9_m15_0b78d4b4d476.xml", 15),
        ("arxiv-py-2026/id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml", 1),
        ("arxiv-py-2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml", 1),
        ("arxiv-py-2026/id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml", 1),
        ("arxiv-py-2026/id_0000.0000_s0_m100_8b51d9633a68.xml", 0),
        ("arxiv-py-2026/id_0808.05394_s0_m100_7b0c7d0a7cdd.xml", 0),
        ("arxiv-py-2016/q-au_del_maestro.xml", 10),
        ("arxiv-py-2016/q-au_del_maestro-ANDNOT-ti_checkerboard-OR-ti_Pyrochlore-.xml", 10),
        ("arxiv-py-2016/q-au_del_maestro-AND-ti__quantum-criticality_.xml", 2),
        ("arxiv-py-2016/q-au_del_maestro-AND-ti_checkerboard.xml", 1),
        ("arxiv-py-2016/id-1111.2011v2.xml", 1),
        ("cs-lg-or-cs-ai.xml", 20),
        ("transformer-cs-lg.xml", 5),
        ("ti-random.xml", 5),
    ],
)
def test_every_response_reads_to_its_papers_without_warnings(name: str, count: int) -> None:
    with counting_warnings() as warnings:
        result = page(DATA / name)
    assert len(result.papers) == count == result.entries
    assert len({p.key for p in result.papers}) == count
    assert warnings.messages == []


def test_overlapping_pages_of_one_query_are_100_papers() -> None:
    files = sorted(NEW.glob("q_testing_*.xml"))
    assert sum(page(f).entries for f in files) == 215
    papers = read_inputs(files)
    assert len(papers) == 100
    assert all(p.sources == ("arxiv",) for p in papers)


def test_paging_numbers() -> None:
    result = page(NEW / "q_testing_s10_m10_34e56e15aaac.xml")
    assert (result.total_results, result.start_index, result.items_per_page) == (214881, 10, 10)
    assert result.papers[0].arxiv_id == "2403.16981"  # first entry of that page


def test_empty_answer_is_a_normal_page() -> None:
    result = page(NEW / "id_0000.0000_s0_m100_8b51d9633a68.xml")
    assert result == AtomPage((), total_results=0, start_index=0, items_per_page=100, entries=0)


def test_error_entry_is_a_query_error_not_a_paper() -> None:
    with pytest.raises(QueryError) as info:
        page(ERROR_FILE)
    assert str(info.value) == (
        "arXiv rejected the query of 'id_abc_s0_m100_b79c8dcf6bc3.xml': incorrect id format for "
        "abc (https://arxiv.org/api/errors#incorrect_id_format_for_abc)"
    )
    assert isinstance(info.value, SourceError)


def test_reading_the_error_file_fails_the_input() -> None:
    with pytest.raises(QueryError):
        read_inputs([ERROR_FILE])


def test_a_real_paper_titled_error_stays_a_paper() -> None:
    data = (NEW / "id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    title_start = data.index(b"<title>", data.index(b"<entry>"))
    title_end = data.index(b"</title>", title_start)
    renamed = data[:title_start] + b"<title>Error" + data[title_end:]
    (paper,) = parse_atom(renamed, "renamed.xml").papers
    assert paper.title == "Error"
    assert paper.arxiv_id == "1605.08386"


def test_fields_of_a_2026_entry() -> None:
    paper = by_id(NEW / "q_testing_s0_m10_bc5a6c384fe9.xml")["2202.12139"]
    assert paper.key == "arxiv:2202.12139"
    assert paper.title == (
        "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert paper.abstract.startswith("Deep Learning (DL) has revolutionized the capabilities of")
    assert paper.abstract.endswith("discuss its results.")
    assert paper.version == 1
    assert paper.authors == (
        Author("Mohit Kumar Ahuja"),
        Author("Arnaud Gotlieb"),
        Author("Helge Spieker"),
    )
    assert paper.categories == ("cs.SE", "cs.LG")
    assert paper.primary_category == "cs.SE"
    assert paper.published == datetime(2022, 2, 24, 15, 5, 19, tzinfo=UTC)
    assert paper.updated == datetime(2022, 2, 24, 15, 5, 19, tzinfo=UTC)
    assert paper.doi == "10.1109/ICSTW55395.2022.00035"
    assert paper.journal_ref == (
        "Artificial Intelligence in Software Testing @ 2022 IEEE International Conference on "
        "Software Testing, Verification and Validation Workshops (ICSTW)"
    )
    assert paper.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert paper.url == "https://arxiv.org/abs/2202.12139"
    assert paper.sources == ("arxiv",)


def test_fields_of_a_2016_entry_with_redeclared_namespaces_and_hard_wraps() -> None:
    (paper,) = page(OLD / "id-1111.2011v2.xml").papers
    assert paper.key == "arxiv:1111.2011"
    assert paper.version == 2
    assert paper.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert paper.abstract.startswith(
        "Theoretical description of anisotropic systems, such as layered superconductors and "
        "coupled spin chains, is often"
    )
    assert "\n" not in paper.abstract and "  " not in paper.abstract
    assert [a.name for a in paper.authors] == [
        "James M. Murray",
        "Adrian Del Maestro",
        "Zlatko Tesanovic",
    ]
    assert paper.primary_category == "cond-mat.str-el"
    assert paper.categories == ("cond-mat.str-el", "cond-mat.stat-mech")
    assert paper.published == datetime(2011, 11, 8, 18, 48, 36, tzinfo=UTC)
    assert paper.updated == datetime(2012, 4, 2, 12, 38, 54, tzinfo=UTC)
    assert paper.doi == "10.1103/PhysRevB.85.115117"
    assert paper.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert paper.comment == "8 pages, 3 figures. Published version"


def test_old_style_ids_keep_their_archive() -> None:
    (paper,) = page(NEW / "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml").papers
    assert (paper.key, paper.arxiv_id, paper.version) == (
        "arxiv:astro-ph/0601001",
        "astro-ph/0601001",
        1,
    )
    assert paper.url == "https://arxiv.org/abs/astro-ph/0601001"
    assert paper.categories == ("astro-ph",)
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert [a.name for a in paper.authors] == [
        "Andrew Gould",
        "Susan Dorsher",
        "B. Scott Gaudi",
        "Andrzej Udalski",
    ]
    (old,) = page(OLD / "q-au_del_maestro-AND-ti_checkerboard.xml").papers
    assert old.key == "arxiv:cond-mat/0603029"
    assert old.title == (
        "From stripe to checkerboard order on the square lattice in the presence of quenched "
        "disorder"
    )


def test_a_title_that_is_just_a_digit_is_kept() -> None:
    (paper,) = page(NEW / "id_2104.12255v1_s0_m100_6ae69987ffe1.xml").papers
    assert (paper.title, paper.version, paper.primary_category) == ("0", 1, "cs.CR")
    assert paper.doi is None and paper.comment is None and paper.journal_ref is None


def test_mis_decoded_utf8_of_2026_answers_is_repaired() -> None:
    papers = by_id(NEW / "q_testing_s0_m100_cfe7536492ca.xml")
    assert (
        papers["2306.03845"].title == "$ω$Test: WebView-Oriented Testing for Android Applications"
    )
    assert "$(π, 1-π)$" in papers["2403.16981"].abstract
    authors = {a.name for p in papers.values() for a in p.authors}
    assert {"José Raúl Romero", "Oliver Weißl", "Mika V. Mäntylä"} <= authors
    assert not any("Ã" in name for name in authors)


def test_genuine_non_ascii_and_latex_are_left_alone() -> None:
    paper = by_id(DATA / "cs-lg-or-cs-ai.xml")["2604.26926"]
    assert paper.title == "A Note on How to Remove the $\\ln\\ln T$ Term from the Squint Bound"
    assert paper.abstract.startswith("In Orabona and Pál [2016], we introduced")
    assert paper.categories == ("cs.LG", "math.OC", "stat.ML")


def test_sniffing_picks_the_atom_reader_for_every_response() -> None:
    assert {reader_for(path).name for path in ALL_FILES} == {"arxiv-atom"}
    assert next(iter(READER.read(OLD / "id-1111.2011v2.xml"))).arxiv_id == "1111.2011"


# Broken responses --------------------------------------------------------------------------


def test_truncated_response_is_rejected_whole() -> None:
    data = (NEW / "q_testing_s0_m10_bc5a6c384fe9.xml").read_bytes()
    cut = data[: data.index(b"</entry>", len(data) // 2) + len(b"</entry>")]
    with pytest.raises(SourceError) as info:
        parse_atom(cut, "cut.xml")
    message = str(info.value)
    assert message.startswith("Error reading 'cut.xml': not well-formed XML (no element found: ")
    assert message.endswith("); the whole response is rejected")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"Rate exceeded.",
        b"<html><body><h1>arXiv is down for maintenance</h1></body></html>",
    ],
)
def test_empty_or_non_atom_bodies_are_errors_not_empty_pages(body: bytes) -> None:
    with pytest.raises(SourceError, match=r"^Error reading 'body\.xml': "):
        parse_atom(body, "body.xml")


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE feed [<!ENTITY lol "lol">]>',
        b'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b"<!DOCTYPE feed>",
    ],
)
def test_doctype_and_entities_are_refused(doctype: bytes) -> None:
    data = (NEW / "id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    declaration_end = data.index(b"?>") + 2
    hostile = data[:declaration_end] + b"\n" + doctype + data[declaration_end:]
    with pytest.raises(SourceError) as info:
        parse_atom(hostile, "hostile.xml")
    assert str(info.value).startswith(
        "Error reading 'hostile.xml': XML with a DOCTYPE or entity declarations is refused ("
    )


def test_a_bad_entry_is_skipped_with_a_warning_naming_it() -> None:
    data = (NEW / "q_testing_s0_m10_bc5a6c384fe9.xml").read_bytes()
    second = data.index(b"<entry>", data.index(b"<entry>") + 1)
    start, end = data.index(b"<summary>", second), data.index(b"</summary>", second)
    broken = data[:start] + data[end + len(b"</summary>") :]
    with counting_warnings() as warnings:
        result = parse_atom(broken, "broken.xml")
    assert warnings.messages == ["Error reading paper 2 in 'broken.xml': missing 'summary'"]
    assert len(result.papers) == 9 and result.entries == 10


def test_an_entry_without_an_arxiv_id_is_skipped() -> None:
    data = (NEW / "id_1605.08386_s0_m100_199195aa31ad.xml").read_bytes()
    broken = data.replace(b"<id>http://arxiv.org/abs/1605.08386v1</id>", b"<id>urn:x</id>")
    assert broken != data
    with counting_warnings() as warnings:
        result = parse_atom(broken, "x.xml")
    assert result.papers == ()
    assert warnings.messages == [
        "Error reading paper 1 in 'x.xml': 'id' 'urn:x' is not an arXiv id"
    ]


def test_garbled_paging_number_is_an_error() -> None:
    data = (NEW / "id_0000.0000_s0_m100_8b51d9633a68.xml").read_bytes()
    broken = data.replace(b"<opensearch:totalResults>0<", b"<opensearch:totalResults>many<")
    with pytest.raises(SourceError, match="opensearch:totalResults 'many' is not a number"):
        parse_atom(broken, "x.xml")


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^Cannot read "):
        list(READER.read(tmp_path / "gone.xml"))
