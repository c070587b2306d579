"""The reader's interests file and "For you": the three forms, bad input named by file and line,
and the page, feed, email section and export a build makes of it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import feedparser
import pytest
from conftest import DATA, EPOCH, build_site

from digest.build import current_digest
from digest.config import EmailConfig
from digest.errors import SourceError
from digest.model import Paper
from digest.sources import read_inputs
from digest.sources.interests import read_interests
from digest.text import keywords as keyword_module
from digest.writers.email import render as render_email

HEAD = DATA / "labelled" / "arxiv-cs-2016-head300.jsonl"


@pytest.fixture(scope="module")
def store() -> dict[str, Paper]:
    return {p.key: p for p in read_inputs([HEAD])}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_lines_take_ids_and_urls_and_skip_comments(
    tmp_path: Path, store: dict[str, Paper]
) -> None:
    path = _write(
        tmp_path,
        "likes.txt",
        "# papers I like\n"
        "0704.0002\n"
        "\n"
        "https://arxiv.org/abs/0704.0046v2   # channel capacity\n"
        "http://arxiv.org/pdf/0704.0047v1.pdf\n"
        "arXiv:0704.0050\n"
        "0704.0002\n",
    )
    found = read_interests(path, store)
    assert found.liked == (
        "arxiv:0704.0002",
        "arxiv:0704.0046",
        "arxiv:0704.0047",
        "arxiv:0704.0050",
    )
    assert found.missing == ()


def test_a_bad_line_is_an_error_naming_file_and_line(
    tmp_path: Path, store: dict[str, Paper]
) -> None:
    path = _write(tmp_path, "likes.txt", "0704.0002\n# fine\nnot an id\n")
    with pytest.raises(SourceError) as error:
        read_interests(path, store)
    assert str(error.value) == f"'{path}' line 3: not an arXiv id or abs/pdf URL: 'not an id'"


def test_liked_papers_the_store_lacks_are_named_in_one_warning(
    tmp_path: Path, store: dict[str, Paper], caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path, "likes.txt", "0704.0002\n2401.00001\n2401.00002v3\n")
    with caplog.at_level(logging.WARNING, logger="digest"):
        found = read_interests(path, store)
    assert found.liked == ("arxiv:0704.0002",)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"2 liked papers in '{path}' not in the digest (a build fetches nothing; left out of "
        '"For you"): arXiv 2401.00001, arXiv 2401.00002'
    ]


def test_an_empty_file_is_a_warning_and_likes_nothing(
    tmp_path: Path, store: dict[str, Paper], caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path, "likes.txt", "# nothing yet\n\n")
    with caplog.at_level(logging.WARNING, logger="digest"):
        assert read_interests(path, store).liked == ()
    assert f"The interests file '{path}' lists no papers" in caplog.text


def test_bibtex_from_zotero_or_jabref_matches_eprint_doi_and_title(
    tmp_path: Path, store: dict[str, Paper]
) -> None:
    taken = {"arxiv:0704.0002", "arxiv:0704.0046", "arxiv:0704.0047", "arxiv:0704.0050"}
    with_doi = next(p for _, p in sorted(store.items()) if p.doi and p.key not in taken)
    titled = store["arxiv:0704.0047"]
    path = _write(
        tmp_path,
        "library.bib",
        "% Zotero export\n"
        "@article{streinu2007,\n  title = {Sparsity-certifying {Graph} Decompositions},\n"
        "  eprint = {0704.0002},\n  archivePrefix = {arXiv},\n}\n\n"
        "@misc{jabref, title = {Anything}, arxiv = {0704.0046v1}}\n"
        f"@article{{bydoi, title = {{Whatever}}, doi = {{https://doi.org/{with_doi.doi.upper()}}}}}\n"
        f"@inproceedings{{bytitle, title = {{{titled.title.upper()}}}}}\n"
        "@misc{arxivdoi, title = {A}, doi = {10.48550/arXiv.0704.0050}}\n"
        "@article{elsewhere, title = {A paper this digest never saw}}\n",
    )
    found = read_interests(path, store)
    assert found.liked == (
        "arxiv:0704.0002",
        "arxiv:0704.0046",
        with_doi.key,
        "arxiv:0704.0047",
        "arxiv:0704.0050",
    )
    assert found.missing == ("'A paper this digest never saw'",)


def test_a_broken_bibtex_entry_is_an_error_naming_its_line(
    tmp_path: Path, store: dict[str, Paper]
) -> None:
    path = _write(
        tmp_path, "library.bib", "@misc{a, eprint = {0704.0002}}\n\n@article{b title = {x}\n"
    )
    with pytest.raises(SourceError, match=r"^'.*library\.bib' line 3: not a BibTeX entry"):
        read_interests(path, store)
    empty = _write(tmp_path, "empty.bib", "@misc{a,\n  year = {2020}\n}\n")
    with pytest.raises(SourceError) as error:
        read_interests(empty, store)
    assert str(error.value) == (
        f"'{empty}' line 1: entry 'a' has no eprint, arxiv, DOI or title field"
    )


def test_a_json_list_of_ids_and_its_bad_item(tmp_path: Path, store: dict[str, Paper]) -> None:
    path = _write(
        tmp_path, "likes.json", '[\n  "0704.0002",\n  "https://arxiv.org/abs/0704.0046"\n]\n'
    )
    assert read_interests(path, store).liked == ("arxiv:0704.0002", "arxiv:0704.0046")
    bad = _write(tmp_path, "bad.json", '[\n  "0704.0002",\n  "no"\n]\n')
    with pytest.raises(SourceError) as error:
        read_interests(bad, store)
    assert str(error.value) == f"'{bad}' line 3 (item 2): not an arXiv id or URL: \"no\""
    broken = _write(tmp_path, "broken.json", '[\n  "0704.0002"\n  "0704.0046"\n]\n')
    with pytest.raises(SourceError, match=r"broken\.json' line 3: not valid JSON"):
        read_interests(broken, store)
    objects = _write(tmp_path, "objects.json", '[{"id": 1}]')
    with pytest.raises(SourceError, match=r"objects\.json' item \(item 1\): not an arXiv id"):
        read_interests(objects, store)


def _listing(path: Path, stop: int) -> Path:
    path.write_text("\n".join(HEAD.read_text(encoding="utf-8").splitlines()[:stop]) + "\n")
    return path


def test_for_you_page_feed_email_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    likes = _write(tmp_path, "likes.txt", "0704.0046\n0704.0002\n9999.99999\n")
    listing = _listing(tmp_path / "papers.jsonl", 60)
    built = build_site(tmp_path, [listing], interests=str(likes))
    export = json.loads((built.site / "digest.json").read_text())
    ranked = export["for_you"]
    assert len(ranked) == 58 and not {"arxiv:0704.0046", "arxiv:0704.0002"} & set(ranked)
    page = (built.docs / "for-you.md").read_text()
    assert "| 1 | [" in page and "## Papers you like" in page
    html = (built.site / "index.html").read_text()
    assert 'href="for-you/"' in html and "For you" in html
    feed = feedparser.parse((built.site / "feeds" / "for-you.xml").read_bytes())
    assert not feed.bozo
    links = [e.link.rsplit("#p-", 1)[1] for e in feed.entries]
    assert links == [k.replace(":", "-").replace(".", "-") for k in ranked[:50]]
    assert feed.entries[0].summary.startswith("Close to ")
    # Only the interests file changed: re-ranked, one page rendered, no keyword extracted.
    _write(tmp_path, "likes.txt", "0704.0046\n")

    def no_extraction(*args: object) -> None:
        raise AssertionError("keywords extracted again")

    monkeypatch.setattr(keyword_module, "paper_keywords", no_extraction)
    again = build_site(tmp_path, [listing], interests=str(likes))
    assert again.result.rendered == 1
    assert json.loads((again.site / "digest.json").read_text())["for_you"] != ranked
    from conftest import project_config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    digest = current_digest(project_config(tmp_path, interests=str(likes)))
    mail = render_email(
        digest, digest.issues[0], EmailConfig(), tmp_path / "site_templates" / "email"
    )
    sections = [line for line in mail.text.splitlines() if line.startswith("== ")]
    assert sections[0] == "== For you =="
    assert "Close to A limit relation for entropy" in mail.text
    assert ">For you</a>" in mail.html


def test_an_empty_interests_file_gives_no_for_you_page(tmp_path: Path) -> None:
    likes = _write(tmp_path, "likes.txt", "# nothing\n")
    built = build_site(tmp_path, [_listing(tmp_path / "papers.jsonl", 30)], interests=str(likes))
    assert built.result.warnings == 1
    assert not (built.docs / "for-you.md").exists()
    assert not (built.site / "feeds" / "for-you.xml").exists()
    assert "for-you/" not in (built.site / "index.html").read_text()


def test_a_bad_interests_line_fails_the_build_naming_file_and_line(tmp_path: Path) -> None:
    likes = _write(tmp_path, "likes.txt", "0704.0002\nhttps://example.org/paper\n")
    with pytest.raises(SourceError, match=r"likes\.txt' line 2: not an arXiv id"):
        build_site(tmp_path, [_listing(tmp_path / "papers.jsonl", 30)], interests=str(likes))
