"""The trending-page reader on the real seed and on broken variants of it."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from digest.errors import SourceError
from digest.identity import title_key
from digest.sources import read_inputs, reader_for
from digest.sources.base import build_paper
from tests.conftest import SEED, build_site, tree_bytes, write_listing

FIRST = "A Functional Information Perspective on Model Interpretation"
LAST = "Further Generalizations of the Jaccard Index"
SOMEGA = "SΩI: Score-based O-INFORMATION Estimation"


def seed_lines() -> list[str]:
    """The seed's lines; the file has no trailing newline, so every line is a real one."""
    return SEED.read_text(encoding="utf-8").split("\n")


def write(path: Path, lines: list[str] | bytes) -> Path:
    path.write_bytes(lines if isinstance(lines, bytes) else "\n".join(lines).encode("utf-8"))
    return path


def digest_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "digest" and r.levelno >= logging.WARNING
    ]


def test_seed_has_195_papers_in_page_order(seed_papers):
    assert len(seed_papers) == 195
    assert seed_papers[0].title == FIRST
    assert seed_papers[-1].title == LAST
    assert [p.order for p in seed_papers] == list(range(195))


def test_seed_is_read_by_the_trending_reader():
    assert reader_for(SEED).name == "trending"


def test_subscribe_button_text_is_removed_from_the_first_title(seed_papers):
    assert seed_lines()[2] == "Subscribe" + FIRST
    assert not any("Subscribe" in p.title for p in seed_papers)


def test_title_keys_are_pinned_unique_and_ignore_case_space_and_punctuation(seed_papers):
    # Pinned: a key that changes re-announces the paper under a new feed guid.
    assert seed_papers[0].key == "title-47e64d9c54fbf565"
    assert seed_papers[0].key == "title-" + hashlib.sha256(FIRST.lower().encode()).hexdigest()[:16]
    assert len({p.key for p in seed_papers}) == 195
    assert all(p.arxiv_id is None and p.key.startswith("title-") for p in seed_papers)
    assert (
        title_key("a  FUNCTIONAL information perspective, on model interpretation.")
        == seed_papers[0].key
    )
    assert (
        title_key("A Functional Information Perspective on Model Interpolation")
        != seed_papers[0].key
    )


def test_non_ascii_title_survives(seed_papers):
    titles = [p.title for p in seed_papers if not p.title.isascii()]
    assert titles == [SOMEGA]


def test_odd_line_count_names_the_title_without_abstract(tmp_path):
    path = write(tmp_path / "odd.txt", seed_lines()[:-1])
    with pytest.raises(SourceError) as info:
        read_inputs([path])
    assert str(info.value) == (
        f"Error reading '{path}', line 391: title {LAST!r} has no abstract line "
        "(the file has an odd number of title and abstract lines)"
    )


def test_odd_line_count_message_cuts_a_long_title(tmp_path):
    lines = [*seed_lines()[:6], "x" * 100]
    path = write(tmp_path / "odd.txt", lines)
    with pytest.raises(SourceError) as info:
        read_inputs([path])
    assert str(info.value) == (
        f"Error reading '{path}', line 7: title {'x' * 60!r} has no abstract line "
        "(the file has an odd number of title and abstract lines)"
    )


def test_crlf_bom_nbsp_and_blank_lines_read_like_the_clean_file(tmp_path, seed_papers):
    lines = seed_lines()
    lines[2] = lines[2].replace(" ", "\u00a0", 3)  # non-breaking spaces in the first title
    lines[3] = "  " + lines[3].replace(". ", ".\u00a0\u00a0", 2) + " \t"
    messy = "\r\n\r\n".join(lines) + "\r\n \r\n"
    path = tmp_path / "messy" / SEED.name
    path.parent.mkdir()
    path.write_bytes(b"\xef\xbb\xbf" + messy.encode("utf-8"))
    papers = read_inputs([path])
    assert papers == seed_papers


def test_bom_only_before_the_header_is_tolerated(tmp_path):
    lines = seed_lines()[:6]
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "\n".join(lines).encode())
    assert read_inputs([path])[0].title == FIRST


def test_bytes_that_are_not_utf8_fail_with_their_offset(tmp_path):
    data = SEED.read_bytes()
    bad = data[:1000] + b"\xff" + data[1000:]
    path = write(tmp_path / "latin.txt", bad)
    with pytest.raises(SourceError) as info:
        read_inputs([path])
    assert str(info.value) == f"'{path}' is not UTF-8: byte offset 1000 (0xff) cannot be decoded"


def test_latin1_text_is_refused_not_turned_into_mojibake(tmp_path):
    lines = seed_lines()[:6]
    lines[2] = "Caf\u00e9 Models"
    path = write(tmp_path / "latin1.txt", "\n".join(lines).encode("latin-1"))
    offset = "\n".join(lines).encode("latin-1").index(b"\xe9")
    with pytest.raises(SourceError, match=rf"byte offset {offset} \(0xe9\)"):
        read_inputs([path])


def test_non_utf8_offset_counts_the_bom(tmp_path):
    data = b"\xef\xbb\xbf" + SEED.read_bytes()
    bad = data[:1000] + b"\xff" + data[1000:]
    path = write(tmp_path / "bom-latin.txt", bad)
    with pytest.raises(SourceError) as info:
        read_inputs([path])
    assert str(info.value) == f"'{path}' is not UTF-8: byte offset 1000 (0xff) cannot be decoded"


def test_control_characters_are_stripped_with_a_warning_and_a_count(tmp_path, caplog, seed_papers):
    lines = seed_lines()
    lines[4] = "Layer\x00 Collaboration\x07 in the \ufffeForward-Forward\x1b Algorithm"
    path = write(tmp_path / "ctl.txt", lines)
    with caplog.at_level(logging.WARNING, logger="digest"):
        papers = read_inputs([path])
    assert digest_warnings(caplog) == [
        f"'{path}', line 5 (paper 2): removed 4 control or non-character code point(s) from 'title'"
    ]
    assert papers[1].title == "Layer Collaboration in the Forward-Forward Algorithm"
    assert papers[1].key == seed_papers[1].key
    assert len(papers) == 195


def test_control_characters_in_an_abstract_are_counted(tmp_path, caplog, seed_papers):
    lines = seed_lines()
    lines[5] = "\x00\x01" + lines[5] + "\x7f"
    path = write(tmp_path / "ctl.txt", lines)
    with caplog.at_level(logging.WARNING, logger="digest"):
        papers = read_inputs([path])
    (message,) = digest_warnings(caplog)
    assert message.endswith(
        "(paper 2): removed 3 control or non-character code point(s) from 'abstract'"
    )
    assert papers[1].abstract == seed_papers[1].abstract


def test_control_character_warning_names_the_abstracts_own_line(tmp_path, caplog):
    lines = seed_lines()
    lines[5] = "\x00" + lines[5]
    path = write(tmp_path / "ctl.txt", lines)
    with caplog.at_level(logging.WARNING, logger="digest"):
        read_inputs([path])
    assert digest_warnings(caplog)[0].startswith(f"'{path}', line 6 ")


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_characters_python_treats_as_line_breaks_do_not_split_a_title(tmp_path, char):
    lines = seed_lines()
    lines[4] = f"Layer Collaboration{char} in the Forward-Forward Algorithm"
    path = write(tmp_path / "vt.txt", lines)
    papers = read_inputs([path])
    assert len(papers) == 195
    assert papers[1].title == "Layer Collaboration in the Forward-Forward Algorithm"


def test_lone_surrogates_are_stripped(caplog):
    with caplog.at_level(logging.WARNING, logger="digest"):
        paper = build_paper("record 1", "Bad \ud800Title", "An abstract.", order=0, source="test")
    assert paper.title == "Bad Title"
    assert digest_warnings(caplog) == [
        "record 1: removed 1 control or non-character code point(s) from 'title'"
    ]


def test_a_title_of_thousands_of_characters_warns_with_its_line(tmp_path, caplog):
    # Losing one title line puts every later line out of step: abstracts are read as titles.
    lines = seed_lines()
    del lines[4]  # the second title
    del lines[-1]  # the last abstract, so the count stays even
    path = write(tmp_path / "step.txt", lines)
    with caplog.at_level(logging.WARNING, logger="digest"):
        papers = read_inputs([path])
    length = len(seed_lines()[5])
    assert digest_warnings(caplog)[0] == (
        f"'{path}', line 5 (paper 2): title is {length} characters long; "
        "are title and abstract lines out of step?"
    )
    assert len(papers) == 194


def test_one_very_long_title_warns_once(tmp_path, caplog):
    lines = seed_lines()[:6]
    lines[4] = "Long " * 1000
    path = write(tmp_path / "long.txt", lines)
    with caplog.at_level(logging.WARNING, logger="digest"):
        papers = read_inputs([path])
    assert digest_warnings(caplog) == [
        f"'{path}', line 5 (paper 2): title is 4999 characters long; "
        "are title and abstract lines out of step?"
    ]
    assert len(papers) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "'{path}' is empty: expected a page of titles and abstracts"),
        (b" \n\t\r\n\n  \r\n", "'{path}' is empty: expected a page of titles and abstracts"),
        (b"\xef\xbb\xbf\n", "'{path}' is empty: expected a page of titles and abstracts"),
        (b"Header one\nHeader two\n\n", "'{path}' has only its header lines and no papers"),
    ],
    ids=["empty", "whitespace", "bom-only", "header-only"],
)
def test_empty_files_are_a_clear_error(tmp_path, content, message):
    path = write(tmp_path / "empty.txt", content)
    with pytest.raises(SourceError) as info:
        read_inputs([path])
    assert str(info.value) == message.format(path=path)


def test_an_empty_file_leaves_the_previous_site_untouched(tmp_path):
    good = write_listing(
        tmp_path / "good.txt", [tuple(seed_lines()[i : i + 2]) for i in range(2, 22, 2)]
    )
    built = build_site(tmp_path, [good])
    before_site, before_docs = tree_bytes(built.site), tree_bytes(built.docs)
    assert "index.html" in before_site and "index.md" in before_docs
    names = sorted(p.name for p in tmp_path.iterdir())
    # The kept state (not an SQLite store since the state became text) is left as it was.
    kept = tree_bytes(tmp_path / "state")
    assert kept
    empty = write(tmp_path / "empty.txt", b"  \n\n")
    with pytest.raises(SourceError, match="is empty: expected a page of titles and abstracts"):
        build_site(tmp_path, [empty])
    assert tree_bytes(built.site) == before_site
    assert tree_bytes(built.docs) == before_docs
    assert tree_bytes(tmp_path / "state") == kept
    # Nothing new beside the site: no staging folder left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, "empty.txt"])
