"""The arXiv RSS listing reader on real daily feeds and broken variants."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest.diagnostics import counting_warnings
from digest.errors import SourceError
from digest.model import Author, Paper
from digest.sources import read_inputs, reader_for
from digest.sources.arxiv_rss import parse_rss
from digest.sources.values import split_authors

DATA = Path(__file__).parent / "data" / "arxiv-rss"
AI = DATA / "arxiv_cs_ai.rss.xml"
EASTERN = timezone(timedelta(hours=-4))


def feed(path: Path) -> dict[str, Paper]:
    return {p.arxiv_id: p for p in parse_rss(path.read_bytes(), path.name) if p.arxiv_id}


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("arxiv_cs_ai.rss.xml", 3),
        ("arxiv_cs_cl.rss.xml", 3),
        ("arxiv_cs_lg.rss.xml", 3),
        ("arxiv_cs_empty_weekend.rss.xml", 0),
    ],
)
def test_every_feed_reads_to_its_papers(name: str, count: int) -> None:
    with counting_warnings() as warnings:
        papers = parse_rss((DATA / name).read_bytes(), name)
    assert len(papers) == len({p.key for p in papers}) == count
    assert warnings.messages == []


def test_feeds_without_xml_declaration_are_read() -> None:
    assert AI.read_bytes().startswith(b"<rss ")
    assert len(read_inputs(sorted(DATA.glob("*.xml")))) == 9


def test_fields_of_an_item() -> None:
    paper = feed(AI)["2604.21935"]
    assert paper.key == "arxiv:2604.21935"
    assert paper.title == (
        "Math Takes Two: A test for emergent mathematical reasoning in communication"
    )
    assert paper.abstract.startswith("Although language models demonstrate remarkable proficiency")
    assert paper.abstract.endswith("models with emergent numerical reasoning capabilities.")
    assert paper.version == 1
    assert paper.announce_type == "new"
    assert paper.authors == (Author("Michael Cooper"), Author("Samuel Cooper"))
    assert paper.categories == ("cs.AI", "cs.LG")
    assert paper.primary_category is None
    assert paper.published == datetime(2026, 4, 27, tzinfo=EASTERN)
    assert paper.updated is None
    assert paper.url == "https://arxiv.org/abs/2604.21935"
    assert paper.sources == ("arxiv",)


def test_description_prefix_is_removed_everywhere() -> None:
    papers = [p for path in sorted(DATA.glob("*.xml")) for p in feed(path).values()]
    assert papers and not any("Announce Type" in p.abstract for p in papers)
    assert not any(p.abstract.startswith(("arXiv:", "Abstract")) for p in papers)


def test_comma_joined_creators_become_authors() -> None:
    cl = feed(DATA / "arxiv_cs_cl.rss.xml")
    assert [a.name for a in cl["2604.22002"].authors] == [
        "Anamta Khan",
        "Ratna Kandala",
        "Deepti",
        "Sheza Munir",
        "Joyojeet Pal",
    ]
    assert len(feed(AI)["2604.21936"].authors) == 18


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("A. Smith, B. Jones, and C. Wu", ["A. Smith", "B. Jones", "C. Wu"]),
        ("A. Smith, B. Jones and C. Wu", ["A. Smith", "B. Jones", "C. Wu"]),
        ("A. Smith and B. Jones", ["A. Smith", "B. Jones"]),
        ("Anand Kumar, Sandra Anderson", ["Anand Kumar", "Sandra Anderson"]),
        ("A. Smith (MIT, Cambridge) and B. Jones (Oxford)", ["A. Smith", "B. Jones"]),
        ("Ratna Kandala,  Deepti, ", ["Ratna Kandala", "Deepti"]),
        ("", []),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


def test_a_replacement_is_dated_as_an_update() -> None:
    data = AI.read_bytes()
    replaced = data.replace(
        b"arXiv:2604.21935v1 Announce Type: new", b"arXiv:2604.21935v3 Announce Type: replace", 1
    ).replace(b"<arxiv:announce_type>new<", b"<arxiv:announce_type>replace<", 1)
    paper = {p.arxiv_id: p for p in parse_rss(replaced, "r.xml")}["2604.21935"]
    assert (paper.version, paper.announce_type) == (3, "replace")
    assert paper.published is None
    assert paper.updated == datetime(2026, 4, 27, tzinfo=EASTERN)


def test_id_falls_back_to_the_guid_without_the_prefix() -> None:
    data = AI.read_bytes().replace(b"arXiv:2604.21935v1 Announce Type: new \nAbstract: ", b"")
    paper = {p.arxiv_id: p for p in parse_rss(data, "g.xml")}["2604.21935"]
    assert paper.version == 1
    assert paper.abstract.startswith("Although language models")


def test_sniffing_picks_the_rss_reader() -> None:
    assert {reader_for(path).name for path in DATA.glob("*.xml")} == {"arxiv-rss"}


# Broken feeds ------------------------------------------------------------------------------


def test_truncated_feed_is_rejected_whole() -> None:
    data = AI.read_bytes()
    with pytest.raises(SourceError, match=r"^Error reading 'cut.xml': not well-formed XML \("):
        parse_rss(data[: len(data) // 2], "cut.xml")


def test_doctype_is_refused() -> None:
    hostile = b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaa">]>\n' + AI.read_bytes()
    with pytest.raises(SourceError, match="XML with a DOCTYPE or entity declarations is refused"):
        parse_rss(hostile, "hostile.xml")


def test_an_atom_feed_is_not_an_rss_feed() -> None:
    atom = Path(__file__).parent / "data" / "arxiv-api" / "ti-random.xml"
    with pytest.raises(SourceError, match=r"^Error reading 'a.xml': not an RSS 2.0 feed"):
        parse_rss(atom.read_bytes(), "a.xml")


def test_an_item_without_any_id_is_skipped_with_a_warning() -> None:
    data = AI.read_bytes()
    data = data.replace(b"arXiv:2604.21936v1 Announce Type: new \nAbstract: ", b"")
    data = data.replace(b"oai:arXiv.org:2604.21936v1", b"urn:nothing")
    data = data.replace(b"<link>https://arxiv.org/abs/2604.21936</link>", b"")
    with counting_warnings() as warnings:
        papers = parse_rss(data, "x.xml")
    assert [p.arxiv_id for p in papers] == ["2604.21935", "2604.21937"]
    assert warnings.messages == [
        "Error reading paper 2 in 'x.xml': no arXiv id in its description, guid or link"
    ]
