"""Every feed of a built site passes the W3C Feed Validator: no error and no warning.

The validator is vendored in tests/vendor/feedvalidator (see its README) and runs offline.
Two sites: the bundled example (papers with no authors, so Atom needs the feed's own author)
and real arXiv records with old-style ids (``math/0611918``: a guid must stay a valid URN).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, SITE_URL, TESTS, Site, build_site

sys.path.insert(0, str(TESTS / "vendor" / "feedvalidator"))
pytest.importorskip("html5lib")
pytest.importorskip("rdflib")
import feedvalidator
from feedvalidator import compatibility
from feedvalidator.formatter.text_plain import Formatter

OLD_STYLE = DATA / "labelled" / "old-style-ids.jsonl"
ATOM_OLD_STYLE = (
    DATA / "arxiv-api" / "arxiv-py-2026" / "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"
)


def messages(site: Path) -> tuple[int, list[str]]:
    """Validate every feed of ``site`` at its own address; return (feeds, messages)."""
    feeds, found = 0, []
    for path in sorted(p for p in site.rglob("*") if p.suffix in (".xml", ".opml")):
        head = path.read_bytes()[:400]
        if not any(tag in head for tag in (b"<rss", b"<feed", b"<opml")):
            continue
        feeds += 1
        relative = path.relative_to(site).as_posix()
        with path.open("rb") as stream:
            events = feedvalidator.validateStream(
                stream, firstOccurrenceOnly=1, base=SITE_URL + relative
            )["loggedEvents"]
        found += [f"{relative}: {line}" for line in Formatter(compatibility.AA(events))]
    return feeds, found


def test_the_example_s_feeds_pass_the_w3c_validator(seed_site: Site) -> None:
    feeds, found = messages(seed_site.site)
    assert feeds >= 5 and found == []


def test_feeds_of_old_style_arxiv_ids_pass_the_w3c_validator(tmp_path: Path) -> None:
    built = build_site(tmp_path, [OLD_STYLE, ATOM_OLD_STYLE], epoch=None, date="2026-01-05")
    assert built.result.papers == 13
    atom = (built.site / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "<id>urn:digest:paper:arxiv:math%2F0611918</id>" in atom
    feeds, found = messages(built.site)
    assert feeds >= 4 and found == []
