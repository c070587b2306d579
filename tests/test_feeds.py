"""The feeds parsed back by feedparser and lxml, and the feedgen facts behind the adapter."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from digest.diagnostics import WarningCounter, log
from digest.errors import ConfigError, StrictError
from digest.site import is_placeholder_url
from tests.conftest import (
    EPOCH,
    SITE_URL,
    build_site,
    make_project,
    seed_pairs,
    write_listing,
)

BUILT = "Tue, 14 Nov 2023 22:13:20 +0000"  # EPOCH, as RFC 822
FIRST = "A Functional Information Perspective on Model Interpretation"


def rss_items(path: Path) -> list[etree._Element]:
    return etree.fromstring(path.read_bytes()).findall("channel/item")


def all_feeds(site: Path) -> list[Path]:
    return [site / "feed.xml", *sorted((site / "feeds").rglob("*.xml"))]


def test_every_feed_parses_with_feedparser_and_lxml(seed_site):
    feeds = all_feeds(seed_site.site)
    assert len(feeds) >= 2
    for path in feeds:
        data = path.read_bytes()
        etree.fromstring(data)
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path.name, parsed.get("bozo_exception"))
        assert parsed.version in ("rss20", "atom10"), path.name
        # The rising feed is empty until a baseline window exists (one day of data here).
        assert parsed.entries or path.name == "rising.xml", path.name


def test_site_feed_has_the_item_cap_in_input_order(seed_site):
    items = rss_items(seed_site.site / "feed.xml")
    # 195 papers, all first seen in this build: the 50 first of the page, in page order
    # (feedgen would prepend, reversing them, without order="append").
    assert len(items) == 50
    exported = json.loads((seed_site.site / "digest.json").read_bytes())
    titles = [p["title"] for p in exported["papers"]][:50]
    assert [i.findtext("title") for i in items] == titles
    assert titles[0] == FIRST


def test_guids_are_unique_stable_urns_not_permalinks(seed_site):
    items = rss_items(seed_site.site / "feed.xml")
    guids = [i.find("guid") for i in items]
    assert all(g.get("isPermaLink") == "false" for g in guids)
    texts = [g.text for g in guids]
    assert len(set(texts)) == len(texts)
    assert texts[0] == "urn:digest:paper:title-47e64d9c54fbf565"
    exported = json.loads((seed_site.site / "digest.json").read_bytes())
    assert texts == [f"urn:digest:paper:{p['id']}" for p in exported["papers"][:50]]
    parsed = feedparser.parse((seed_site.site / "feed.xml").read_bytes())
    assert [e.id for e in parsed.entries] == texts
    assert not any(e.guidislink for e in parsed.entries)


def test_dates_carry_a_time_zone_and_come_from_the_build_date_not_the_clock(seed_site):
    channel = etree.fromstring((seed_site.site / "feed.xml").read_bytes()).find("channel")
    assert channel.findtext("lastBuildDate") == BUILT
    # The build date, one second earlier for each paper before it that day: every item has a
    # time of its own, in feed order.
    items = channel.findall("item")
    for rank, item in enumerate(items):
        date = parsedate_to_datetime(item.findtext("pubDate"))
        assert date.tzinfo is not None
        assert date == datetime.fromtimestamp(EPOCH - rank, UTC)
    atom = etree.fromstring((seed_site.site / "feeds" / "atom.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("a:updated/text()", namespaces=ns) == ["2023-11-14T22:13:20+00:00"]
    entries = atom.xpath("a:entry", namespaces=ns)
    assert len(entries) == len(items)
    for rank, entry in enumerate(entries):
        stamp = datetime.fromtimestamp(EPOCH - rank, UTC).isoformat()
        stamps = entry.xpath("a:updated/text() | a:published/text()", namespaces=ns)
        assert stamps and set(stamps) == {stamp}


def test_links_are_absolute_under_site_url(seed_site):
    for path in all_feeds(seed_site.site):
        parsed = feedparser.parse(path.read_bytes())
        links = [e.link for e in parsed.entries] + [link.href for link in parsed.feed.links]
        assert links
        assert all(link.startswith(SITE_URL) for link in links), path.name
    items = rss_items(seed_site.site / "feed.xml")
    first = items[0].findtext("link")
    theme, anchor = urlsplit(first).path, urlsplit(first).fragment
    page = seed_site.site / theme.removeprefix("/digest/") / "index.html"
    assert lxml.html.parse(str(page)).getroot().get_element_by_id(anchor) is not None


def test_rss_channel_link_is_the_site_not_the_feed(seed_site):
    for path in [seed_site.site / "feed.xml", *sorted((seed_site.site / "feeds").rglob("*.xml"))]:
        channel = etree.fromstring(path.read_bytes()).find("channel")
        if channel is not None:
            assert not channel.findtext("link").endswith(".xml"), path.name


def test_site_url_without_trailing_slash_still_gives_absolute_links(tmp_path):
    make_project(tmp_path, site_url="https://papers.digest.test/sub")
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:8])
    built = build_site(tmp_path, [listing])
    parsed = feedparser.parse((built.site / "feed.xml").read_bytes())
    assert parsed.bozo == 0
    assert all(e.link.startswith("https://papers.digest.test/sub/themes/") for e in parsed.entries)
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["https://papers.digest.test/sub/feed.xml"]


def test_missing_site_url_is_a_configuration_error(tmp_path):
    config = make_project(tmp_path, site_url=None)
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:8])
    with pytest.raises(ConfigError) as info:
        build_site(tmp_path, [listing])
    assert str(info.value) == (
        f"'{config}' has no site_url: feeds need absolute links, so set site_url "
        "to the address the site is published at"
    )
    assert not (tmp_path / "site").exists()


PLACEHOLDER = "https://example.org/digest/"


def test_a_placeholder_site_url_warns_once_and_fails_under_strict(tmp_path):
    """The repository's mkdocs.yml says example.org: a build says to set site_url, once."""
    config = make_project(tmp_path / "loose", site_url=PLACEHOLDER)
    listing = write_listing(tmp_path / "in.txt", seed_pairs()[:8])
    warning = (
        f"Set site_url in '{config}' to the address the site is published at: "
        f"feeds and links say '{PLACEHOLDER}', a placeholder"
    )
    counter = WarningCounter()
    log.addHandler(counter)
    try:
        built = build_site(tmp_path / "loose", [listing])
    finally:
        log.removeHandler(counter)
    assert counter.messages == [warning]
    assert built.result.warnings == 1
    make_project(tmp_path / "strict", site_url=PLACEHOLDER)
    with pytest.raises(StrictError) as info:
        build_site(tmp_path / "strict", [listing], strict=True)
    assert str(info.value) == (
        f"1 warning with --strict; the site is unchanged. First: {warning}".replace(
            str(config), str(tmp_path / "strict" / "mkdocs.yml")
        )
    )
    assert not (tmp_path / "strict" / "site").exists()


@pytest.mark.parametrize(
    ("url", "placeholder"),
    [
        ("https://example.org/digest/", True),
        ("http://www.EXAMPLE.com/", True),
        ("https://docs.example/", True),
        ("https://example.net.evil.org/", False),
        ("https://myexample.org/", False),
        ("https://digest.test/digest/", False),
    ],
)
def test_placeholder_urls_are_those_of_domains_reserved_for_examples(url, placeholder):
    assert is_placeholder_url(url) is placeholder


def test_a_bad_config_is_reported_before_the_inputs_are_read(tmp_path):
    """The MkDocs config is checked before the inputs are read (a missing input file would say
    nothing of it), and before any state is kept."""
    make_project(tmp_path, site_url=None)
    with pytest.raises(ConfigError, match="has no site_url"):
        build_site(tmp_path, [tmp_path / "missing.txt"], keywords={"workers": 2})
    assert not (tmp_path / "site").exists() and not (tmp_path / "state").exists()


def test_every_page_links_the_feed_in_its_head(seed_site):
    pages = sorted(seed_site.site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        root = lxml.html.parse(str(page)).getroot()
        links = root.xpath('/html/head/link[@rel="alternate"][@type="application/rss+xml"]')
        relative = page.relative_to(seed_site.site).as_posix()
        targets = {urljoin(f"{SITE_URL}{relative}", link.get("href")) for link in links}
        assert f"{SITE_URL}feed.xml" in targets, relative


def test_item_cap_is_a_setting_and_control_characters_never_reach_the_feed(tmp_path):
    pairs = seed_pairs()[:8]
    pairs[1] = ("Layer\x00 Collaboration\x07 in the \ufffeForward-Forward Algorithm", pairs[1][1])
    listing = write_listing(tmp_path / "in.txt", pairs)
    built = build_site(tmp_path, [listing], feed={"items": 5})
    assert built.result.warnings == 1
    items = rss_items(built.site / "feed.xml")
    assert [i.findtext("title") for i in items] == [t for t, _ in seed_pairs()[:5]]
    assert feedparser.parse((built.site / "feed.xml").read_bytes()).bozo == 0


def test_newest_first_across_days_and_an_unchanged_rebuild_is_byte_identical(tmp_path):
    pairs = seed_pairs()[:12]
    day1 = write_listing(tmp_path / "day1.txt", pairs[:6])
    day2 = write_listing(tmp_path / "day2.txt", pairs[3:12])
    build_site(tmp_path, [day1], epoch=EPOCH)
    second = build_site(tmp_path, [day2], epoch=EPOCH + 86_400)
    feed = second.site / "feed.xml"
    titles = [i.findtext("title") for i in rss_items(feed)]
    # Papers first seen on day 2 come first (in input order), then day 1's.
    assert titles == [t for t, _ in pairs[6:12]] + [t for t, _ in pairs[:6]]
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in rss_items(feed)]
    assert dates == sorted(dates, reverse=True)
    channel = etree.fromstring(feed.read_bytes()).find("channel")
    assert channel.findtext("lastBuildDate") == "Wed, 15 Nov 2023 22:13:20 +0000"
    before = {p.name: p.read_bytes() for p in all_feeds(second.site)}
    # A day later with nothing new: the feeds do not change by a byte.
    third = build_site(tmp_path, [day2], epoch=EPOCH + 2 * 86_400)
    assert {p.name: p.read_bytes() for p in all_feeds(third.site)} == before


# What feedgen 1.0 does on its own: the reasons the adapter passes everything explicitly.


def _feedgen() -> FeedGenerator:
    fg = FeedGenerator()
    fg.title("t")
    fg.link(href="https://example.org/", rel="alternate")
    fg.description("d")
    return fg


def test_feedgen_prepends_entries_unless_told_to_append():
    fg = _feedgen()
    for title in ("first", "second"):
        fg.add_entry().title(title)
    assert [i.findtext("title") for i in etree.fromstring(fg.rss_str()).iter("item")] == [
        "second",
        "first",
    ]
    fg = _feedgen()
    for title in ("first", "second"):
        fg.add_entry(order="append").title(title)
    assert [i.findtext("title") for i in etree.fromstring(fg.rss_str()).iter("item")] == [
        "first",
        "second",
    ]


def test_feedgen_stamps_the_clock_unless_given_a_date():
    before = datetime.now(UTC).replace(microsecond=0)
    stamped = etree.fromstring(_feedgen().rss_str()).findtext("channel/lastBuildDate")
    assert parsedate_to_datetime(stamped) >= before


def test_feedgen_refuses_naive_datetimes():
    entry = _feedgen().add_entry()
    with pytest.raises(ValueError, match="Datetime object has no timezone info"):
        entry.pubDate(datetime(2023, 11, 14))


def test_feedgen_accepts_control_characters_then_fails_to_write():
    fg = _feedgen()
    entry = fg.add_entry()
    entry.title("bad\x00title")
    with pytest.raises(ValueError):
        fg.rss_str()


def test_feedgen_marks_non_url_guids_only_when_told():
    fg = _feedgen()
    entry = fg.add_entry()
    entry.title("t")
    entry.guid("urn:digest:paper:x", permalink=False)
    guid = etree.fromstring(fg.rss_str()).find("channel/item/guid")
    assert guid.get("isPermaLink") == "false"
