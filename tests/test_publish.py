"""Safe publishing: what a built site must pass before it replaces the last one.

Each refusal is a BuildError with a message that says what happened, and leaves the published
site, the generated docs and the kept state byte for byte as they were.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EPOCH, Site, build_site, project_config, seed_pairs, tree_bytes, write_listing

from digest.build import build, current_digest
from digest.config import PublishConfig, load_config
from digest.errors import BuildError, ConfigError
from digest.model import Digest
from digest.publish import checks
from digest.writers import docs, feeds
from digest.writers.export import export_pieces

DAY = 86_400


def snapshot(root: Path) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
    return (
        tree_bytes(root / "site"),
        tree_bytes(root / "build" / "docs"),
        tree_bytes(root / "state"),
    )


def replace_state(root: Path, other: Site) -> None:
    """Put ``other``'s kept state in place of ``root``'s (a lost state restored from elsewhere)."""
    shutil.rmtree(root / "state")
    shutil.copytree(other.root / "state", root / "state")


def rebuild(root: Path, inputs: list[Path], epoch: int = EPOCH, **options: object) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(epoch))
        mp.chdir(root)
        build(project_config(root, **options), inputs)


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A published site of 12 papers (read-only: tests copy it)."""
    root = tmp_path_factory.mktemp("twelve")
    listing = write_listing(root / "twelve.txt", seed_pairs()[:12])
    return build_site(root, [listing])


def copy_site(site: Site, to: Path) -> Path:
    shutil.copytree(site.root, to, dirs_exist_ok=True)
    return to


def test_collapse_of_the_paper_count_aborts_and_keeps_the_site(
    twelve: Site, tmp_path: Path
) -> None:
    root = copy_site(twelve, tmp_path / "site")
    # The state is replaced by one that knows 4 papers (a lost state restored from elsewhere).
    four = write_listing(tmp_path / "4.txt", seed_pairs()[:4])
    replace_state(root, build_site(tmp_path / "other", [four]))
    before = snapshot(root)
    with pytest.raises(BuildError) as error:
        rebuild(root, [four])
    assert str(error.value) == (
        "The new site lists 4 papers, the published one 12: a drop of 67%, more than "
        "publish.max_drop (50%) allows; the published site is kept. Was the state folder "
        "replaced or lost? If the drop is intended, set publish.max_drop = 1 in digest.toml for "
        "this build"
    )
    assert snapshot(root) == before
    assert not list(root.glob(".site.new-*"))


def test_a_drop_within_the_threshold_publishes(twelve: Site, tmp_path: Path) -> None:
    root = copy_site(twelve, tmp_path / "site")
    seven = write_listing(tmp_path / "7.txt", seed_pairs()[:7])
    replace_state(root, build_site(tmp_path / "other", [seven]))
    rebuild(root, [seven])
    assert checks.published_count(root / "site") == 7


def test_max_drop_one_turns_the_check_off(twelve: Site, tmp_path: Path) -> None:
    root = copy_site(twelve, tmp_path / "site")
    three = write_listing(tmp_path / "3.txt", seed_pairs()[:3])
    replace_state(root, build_site(tmp_path / "other", [three]))
    rebuild(root, [three], publish=PublishConfig(max_drop=1.0))
    assert checks.published_count(root / "site") == 3


def test_a_new_state_on_purpose_is_not_a_collapse(twelve: Site, tmp_path: Path) -> None:
    root = copy_site(twelve, tmp_path / "site")
    shutil.rmtree(root / "state")
    rebuild(root, [write_listing(tmp_path / "4.txt", seed_pairs()[20:24])], new_state=True)
    assert checks.published_count(root / "site") == 4


def test_the_published_papers_are_counted_a_record_at_a_time(twelve: Site, tmp_path: Path) -> None:
    """The export digest writes, a record a line, is counted a line at a time (read whole, the
    export of 100,000 papers was a daily build's peak of memory), as json.loads counts it."""
    export = twelve.site / "digest.json"
    assert checks._count_papers(export) == len(twelve.result.digest.entries) == 12
    empty = replace(twelve.result.digest, entries=(), themes=(), for_you=())
    (tmp_path / "digest.json").write_bytes("".join(export_pieces(empty)).encode())
    assert checks._count_papers(tmp_path / "digest.json") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"title": "t", "papers": [{"id": 1}, [2, 3], 4.5e1, "x"], "themes": []}', 4),
        ('{\n "papers": [\n  {"a": {"b": [1, 2]}},\n  {"c": "]}"}\n ],\n "n": 12345678\n}\n', 2),
        ('{"papers": [], "papers": [null, true]}', 2),  # json.loads keeps the last
        ('  {"for_you": [], "papers": []}  ', 0),
    ],
)
def test_an_export_of_another_layout_is_counted_whole(
    tmp_path: Path, text: str, expected: int
) -> None:
    (tmp_path / "digest.json").write_text(text, encoding="utf-8")
    assert checks.published_count(tmp_path) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"papers": [1, 2}', "cannot be read (Expecting ',' delimiter: line 1 column 17"),
        ('{"papers": 3}', "has no paper list"),
        ('{"title": "t"}', "cannot be read ('papers')"),
        ('[{"papers": []}]', "cannot be read (list indices must be integers"),
        ('{"papers": []} x', "cannot be read (Extra data: line 1 column 16"),
        ('{1: 2, "papers": []}', "cannot be read (Expecting property name enclosed"),
        ('{\n "papers": [\n  {"id": 1},\n  {"id": \n', "cannot be read (Expecting value: line 5"),
        ('{\n "papers": [\n  {"id": 1},\n', "cannot be read (Expecting value: line 4"),
    ],
)
def test_an_unreadable_published_export_is_reported_as_json_reads_it(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "digest.json").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        checks._count_papers(tmp_path / "digest.json")
    with pytest.raises(BuildError) as error:
        checks.published_count(tmp_path)
    assert str(error.value).startswith("The published site's digest.json ")
    assert message in str(error.value)


def test_a_collapsed_day_aborts_when_asked(twelve: Site, tmp_path: Path) -> None:
    """Day one brought 12 papers; day two brings 1: a failing source, with max_issue_drop."""
    root = copy_site(twelve, tmp_path / "site")
    day_two = write_listing(tmp_path / "day2.txt", seed_pairs()[12:13])
    before = snapshot(root)
    strict = PublishConfig(max_issue_drop=0.8)
    with pytest.raises(BuildError) as error:
        rebuild(root, [day_two], EPOCH + DAY, publish=strict)
    assert str(error.value) == (
        "The issue of 2023-11-15 has 1 papers, the one of 2023-11-14 had 12: a drop of 92%, "
        "more than publish.max_issue_drop (80%) allows; the published site is kept. Is a "
        "source failing?"
    )
    assert snapshot(root) == before
    # Off by default: weekends and holidays make small days that are no failure.
    rebuild(root, [day_two], EPOCH + DAY)
    assert checks.published_count(root / "site") == 13


def test_a_feed_that_does_not_parse_is_never_published(
    twelve: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_site(twelve, tmp_path / "site")
    real = feeds.render_feeds

    def broken(*args: object) -> dict[str, bytes]:
        rendered = real(*args)  # type: ignore[arg-type]
        rendered["feeds/atom.xml"] = rendered["feeds/atom.xml"][:-40]
        return rendered

    monkeypatch.setattr(docs, "render_feeds", broken)
    before = snapshot(root)
    new = write_listing(tmp_path / "new.txt", seed_pairs()[12:20])
    with pytest.raises(BuildError, match=r"^The feed feeds/atom.xml does not parse: "):
        rebuild(root, [new], EPOCH + DAY)
    assert snapshot(root) == before


def test_an_empty_digest_is_never_published(twelve: Site, tmp_path: Path) -> None:
    digest = replace(_digest(twelve.root), entries=(), issues=())
    with pytest.raises(BuildError) as error:
        checks.verify(tmp_path, digest, tmp_path, PublishConfig(), 50)
    assert str(error.value) == (
        "The digest has no papers: an empty digest is never published; the published site is kept"
    )


def test_a_site_feed_without_items_is_refused(twelve: Site, tmp_path: Path) -> None:
    site = Path(shutil.copytree(twelve.site, tmp_path / "site"))
    rss = site / "feed.xml"
    text = rss.read_text(encoding="utf-8")
    rss.write_text(text[: text.index("<item>")] + "</channel></rss>\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"^The site feed feed.xml lists no papers"):
        checks.verify(site, _digest(twelve.root), tmp_path, PublishConfig(), 50)


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        (
            "rss",
            b"<rss version='2.0'><channel><title>t</title></channel></rss>",
            "the channel has no link",
        ),
        ("rss", b"<feed/>", "the root is <feed>, not <rss version='2.0'>"),
        (
            "rss",
            b"<rss version='2.0'><channel><title>t</title><link>/rel</link></channel></rss>",
            "the channel links to '/rel', not an absolute http(s) URL",
        ),
        (
            "atom",
            b"<feed xmlns='http://www.w3.org/2005/Atom'><id>x</id></feed>",
            "the feed has no title",
        ),
        ("json", b'{"version": "https://jsonfeed.org/version/1.1"}', "no items list"),
        ("opml", b"<opml version='2.0'><body/></opml>", "it lists no feeds"),
    ],
)
def test_feed_structure_checks(tmp_path: Path, kind: str, body: bytes, message: str) -> None:
    path = tmp_path / "feed"
    path.write_bytes(body)
    with pytest.raises(BuildError) as error:
        checks.check_feed(path, kind, "feeds/x")
    assert str(error.value) == f"The feed feeds/x is invalid: {message}; the published site is kept"


def test_feeds_with_entity_definitions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(b'<!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"/>')
    with pytest.raises(BuildError, match=r"^The feed feed.xml does not parse: "):
        checks.check_feed(path, "rss", "feed.xml")


def test_the_seed_site_passes(seed_site: Site) -> None:
    digest = seed_site.result.digest
    checks.verify(seed_site.site, digest, seed_site.site, PublishConfig(max_drop=0.0), 50)
    assert checks.published_count(seed_site.site) == len(digest.entries) == 195


def test_publish_options_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text("[publish]\nmax_drop = 1.5\nmax_issue_drop = -0.1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"Invalid configuration in '{path}':\n"
        "  Config value 'publish.max_drop': expected a share from 0 to 1, got 1.5\n"
        "  Config value 'publish.max_issue_drop': expected a share from 0 to 1, got -0.1"
    )


def _digest(root: Path) -> Digest:
    """The digest of a built project, gathered again from its state."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        return current_digest(project_config(root))


def test_dates_without_a_time_zone_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "atom.xml"
    naive = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None).isoformat()
    path.write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><id>x</id><title>t</title>"
        f"<updated>{naive}</updated></feed>",
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match="without a time zone"):
        checks.check_feed(path, "atom", "feeds/atom.xml")
