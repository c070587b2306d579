"""Daily digests over the kept state: three consecutive days, stable guids, versions, feeds, OPML.

The inputs are derived in the test from the real Kaggle snapshot head: three overlapping days,
the third carrying a v2 of a day-1 paper with a revised title.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from digest.text import keywords as keywords_module
from tests.conftest import DATA, SITE_URL, build_site, tree_bytes

KAGGLE = DATA / "labelled" / "kaggle-snapshot-head.jsonl"
DAYS = ("2026-04-27", "2026-04-28", "2026-04-29")
REVISED = "0704.0003"


def _records() -> list[dict[str, object]]:
    lines = KAGGLE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:60]]


def _write_days(folder: Path) -> list[Path]:
    """Day 1: papers 0-24; day 2: 15-39; day 3: 30-59 plus a v2 of paper 0704.0003."""
    records = _records()
    slices = [records[0:25], records[15:40], records[30:60]]
    revised = dict(next(r for r in records if r["id"] == REVISED))
    versions = list(revised["versions"])  # type: ignore[arg-type]
    versions.append(
        {"version": f"v{len(versions) + 1}", "created": "Mon, 27 Apr 2026 10:00:00 GMT"}
    )
    revised["versions"] = versions
    revised["title"] = "A revised title for the third paper"
    slices[2] = [*slices[2], revised]
    paths = []
    for index, day in enumerate(slices):
        path = folder / f"day{index + 1}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in day), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Build the three days in one project; keep each day's site files and export."""
    root = tmp_path_factory.mktemp("daily")
    inputs = _write_days(root)
    snapshots: dict[str, object] = {}
    for day, path in zip(DAYS, inputs, strict=True):
        site = build_site(root, [path], epoch=None, date=day, keywords={"workers": 1})
        snapshots[day] = {
            "result": site.result,
            "tree": tree_bytes(site.site),
            "export": json.loads((site.site / "digest.json").read_bytes()),
        }
    snapshots["root"] = root
    snapshots["inputs"] = inputs
    return snapshots


def _feed(tree: dict[str, bytes], path: str = "feed.xml") -> feedparser.FeedParserDict:
    return feedparser.parse(tree[path])


def test_each_issue_holds_only_newly_seen_papers(days: dict[str, object]) -> None:
    export = days[DAYS[2]]["export"]  # type: ignore[index]
    first_seen = {p["id"]: p["listed"][:10] for p in export["papers"]}
    records = _records()
    day1 = {f"arxiv:{r['id']}" for r in records[0:25]}
    day2 = {f"arxiv:{r['id']}" for r in records[15:40]} - day1
    day3 = {f"arxiv:{r['id']}" for r in records[30:60]} - day1 - day2
    assert {k for k, d in first_seen.items() if d == DAYS[0]} == day1
    assert {k for k, d in first_seen.items() if d == DAYS[1]} == day2
    assert {k for k, d in first_seen.items() if d == DAYS[2]} == day3
    assert len(day2) == 15 and len(day3) == 20
    tree = days[DAYS[2]]["tree"]  # type: ignore[index]
    for day in DAYS:
        assert f"issues/{day}/index.html" in tree
    results = [days[d]["result"] for d in DAYS]  # type: ignore[index]
    assert [r.new for r in results] == [25, 15, 20]
    assert [r.changed for r in results] == [0, 0, 1]


def test_day_one_guids_and_dates_are_unchanged_on_day_three(days: dict[str, object]) -> None:
    day1 = _feed(days[DAYS[0]]["tree"])  # type: ignore[index]
    day3 = _feed(days[DAYS[2]]["tree"])  # type: ignore[index]
    dates3 = {e.id: e.published for e in day3.entries}
    # The feed keeps the newest 50 items: day 1's newest 15 are still listed on day 3.
    shared = [e for e in day1.entries if e.id in dates3]
    assert len(shared) == 15
    for entry in shared:
        assert dates3[entry.id] == entry.published
    assert all(e.guidislink is False for e in day3.entries)


def test_a_new_version_updates_its_paper_without_a_new_item(days: dict[str, object]) -> None:
    export = days[DAYS[2]]["export"]  # type: ignore[index]
    paper = next(p for p in export["papers"] if p["id"] == f"arxiv:{REVISED}")
    assert paper["title"] == "A revised title for the third paper"
    assert paper["listed"].startswith(DAYS[0])
    assert paper["version"] >= 2
    feed = _feed(days[DAYS[2]]["tree"])  # type: ignore[index]
    items = [e for e in feed.entries if e.id == f"urn:digest:paper:arxiv:{REVISED}"]
    assert len(items) == 1
    assert items[0].title == "A revised title for the third paper"
    assert items[0].published.startswith("Mon, 27 Apr 2026")


def test_every_feed_parses_and_is_well_formed(days: dict[str, object]) -> None:
    tree: dict[str, bytes] = days[DAYS[2]]["tree"]  # type: ignore[index]
    xml_feeds = ["feed.xml", "feeds/atom.xml"] + [p for p in tree if p.startswith("feeds/themes/")]
    assert len(xml_feeds) >= 4
    for path in xml_feeds:
        parsed = feedparser.parse(tree[path])
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        etree.fromstring(tree[path])
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)), path
    atom = etree.fromstring(tree["feeds/atom.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert entries
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated"):
            assert entry.find(required, ns) is not None
    newest = max(e.find("a:updated", ns).text for e in entries)
    assert atom.find("a:updated", ns).text == newest
    feed = json.loads(tree["feeds/feed.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["items"]
    for item in feed["items"]:
        assert item["id"].startswith("urn:digest:paper:")
        assert "content_text" in item or "content_html" in item


def test_opml_lists_every_feed(days: dict[str, object]) -> None:
    tree: dict[str, bytes] = days[DAYS[2]]["tree"]  # type: ignore[index]
    opml = etree.fromstring(tree["feeds/feeds.opml"])
    urls = {o.get("xmlUrl") for o in opml.iter("outline")}
    files = {"feed.xml"} | {
        p for p in tree if p.startswith("feeds/") and p.endswith((".xml", ".json"))
    }
    assert {"feeds/atom.xml", "feeds/feed.json", "feeds/rising.xml"} <= files
    assert urls == {f"{SITE_URL}{p}" for p in files}


def test_theme_pages_link_their_feed_in_the_head(days: dict[str, object]) -> None:
    tree: dict[str, bytes] = days[DAYS[2]]["tree"]  # type: ignore[index]
    themes = [
        p
        for p in tree
        if p.startswith("themes/") and p.count("/") == 2 and p != "themes/index.html"
    ]
    assert themes
    for page in themes:
        slug = page.split("/")[1]
        html = tree[page].decode()
        assert f'href="../../feeds/themes/{slug}.xml"' in html


def test_rebuild_with_nothing_new_extracts_nothing_and_keeps_feeds(
    days: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    root: Path = days["root"]  # type: ignore[assignment]
    inputs: list[Path] = days["inputs"]  # type: ignore[assignment]
    before = tree_bytes(root / "site")

    def no_yake(*args: object) -> None:
        raise AssertionError("YAKE ran on a rebuild with nothing new")

    monkeypatch.setattr(keywords_module, "run_yake", no_yake)
    site = build_site(root, [inputs[2]], epoch=None, date="2026-04-30", keywords={"workers": 1})
    assert site.result.new == 0
    after = tree_bytes(site.site)
    feeds = [p for p in before if p.startswith("feeds/") or p == "feed.xml"]
    for path in feeds:
        assert after[path] == before[path], path
