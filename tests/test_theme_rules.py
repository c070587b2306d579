"""Themes over time and by rule: pinned themes, stable slugs across days, hash-seed independence."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from digest.config import KeywordConfig, PinnedTheme, ThemeConfig, load_config
from digest.errors import ConfigError
from digest.gather import placed_slugs
from digest.sources import read_inputs
from digest.text.keywords import extract
from digest.themes.grouping import Grouping, group, join, refit
from tests.conftest import DATA, REPO, SEED

SETTINGS = ThemeConfig()
OT = PinnedTheme(name="Optimal transport", include=["optimal transport", "wasserstein"])


@pytest.fixture(scope="module")
def seed() -> tuple[list, list]:  # type: ignore[type-arg]
    papers = read_inputs([SEED])
    return papers, extract(papers, KeywordConfig())


@pytest.fixture(scope="module")
def grouped(seed) -> Grouping:  # type: ignore[no-untyped-def]
    """The seed grouped with the default settings (read-only: a grouping is immutable)."""
    papers, keywords = seed
    return group(papers, keywords, SETTINGS)


@pytest.fixture(scope="module")
def pinned(seed) -> Grouping:  # type: ignore[no-untyped-def]
    """The seed grouped with an optimal transport theme pinned."""
    papers, keywords = seed
    return group(papers, keywords, ThemeConfig(pinned=[OT]))


@pytest.fixture(scope="module")
def day_two(seed) -> list:  # type: ignore[no-untyped-def,type-arg]
    """A new day: every seed paper with its keywords, then twenty papers from another real
    source (the Kaggle snapshot head) with theirs."""
    papers, keywords = seed
    new = read_inputs([DATA / "labelled" / "kaggle-snapshot-head.jsonl"])[:20]
    return list(zip([*papers, *new], [*keywords, *extract(new, KeywordConfig())], strict=True))


def _mentions(paper, phrases: list[str]) -> bool:  # type: ignore[no-untyped-def]
    text = f" {paper.title} {paper.abstract} ".lower().replace("-", " ")
    return any(p in text for p in phrases)


def test_a_pinned_theme_takes_its_papers_first(seed, pinned) -> None:  # type: ignore[no-untyped-def]
    papers, _ = seed
    grouping = pinned
    first = grouping.themes[0]
    assert (first.slug, first.name) == ("optimal-transport", "Optimal transport")
    expected = {p.key for p in papers if _mentions(p, ["optimal transport", "wasserstein"])}
    assert len(expected) >= 5
    assert set(first.paper_keys) == expected
    for key in expected:
        primary = grouping.placements[key][0]
        assert primary.theme_slug == "optimal-transport"
        assert primary.because, "the placement names the phrases that matched"
    # Pinned papers are not clustered again: each paper is in one primary theme.
    primaries = [places[0].theme_slug for places in grouping.placements.values()]
    assert len(primaries) == len(papers)


def test_exclude_keeps_papers_out(seed) -> None:  # type: ignore[no-untyped-def]
    papers, keywords = seed
    rule = PinnedTheme(name="Optimal transport", include=["optimal transport"], exclude=["neural"])
    grouping = group(papers, keywords, ThemeConfig(pinned=[rule]))
    members = {p.key: p for p in papers if p.key in grouping.themes[0].paper_keys}
    assert members
    assert not any(_mentions(p, ["neural"]) for p in members.values())


def test_two_pinned_themes_in_config_order(seed) -> None:  # type: ignore[no-untyped-def]
    papers, keywords = seed
    entropy = PinnedTheme(name="Entropy", include=["entropy"])
    grouping = group(papers, keywords, ThemeConfig(pinned=[OT, entropy]))
    assert [t.slug for t in grouping.themes[:2]] == ["optimal-transport", "entropy"]
    both = [
        k for k, places in grouping.placements.items()
        if [p.theme_slug for p in places][:2] == ["optimal-transport", "entropy"]
    ]  # fmt: skip
    assert both, "a paper matching both lists the second as a secondary theme"


def test_pinned_themes_load_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(
        '[[themes.pinned]]\nname = "Optimal transport"\ninclude = ["optimal transport"]\n'
        '[[themes.pinned]]\nname = ""\ninclude = []\nwhat = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"Invalid configuration in '{path}':\n"
        "  Config key 'themes.pinned[1].what': unknown option\n"
        "  Config value 'themes.pinned[1].name': a pinned theme needs a name\n"
        "  Config value 'themes.pinned[1].include': list at least one phrase"
    )
    path.write_text(
        '[[themes.pinned]]\nname = "Optimal transport"\ninclude = ["optimal transport"]\n',
        encoding="utf-8",
    )
    assert load_config(path).themes.pinned == [
        PinnedTheme(name="Optimal transport", include=["optimal transport"])
    ]


def test_seed_themes_meet_the_quality_bar(seed, grouped) -> None:  # type: ignore[no-untyped-def]
    papers, _ = seed
    grouping = grouped
    n = len(papers)
    sizes = {t.slug: len(t.paper_keys) for t in grouping.themes}
    assert max(sizes.values()) <= 0.2 * n
    assert sum(len(t.paper_keys) for t in grouping.themes if t.is_other) <= 0.05 * n
    assert min(sizes.values()) >= 3
    assert 4 <= len(grouping.themes) <= 30


def test_adding_a_day_keeps_nine_in_ten_theme_slugs(grouped, day_two) -> None:  # type: ignore[no-untyped-def]
    """A regrouping keeps the slugs (and names) of the themes it finds again."""
    day1 = grouped
    papers, keywords = [p for p, _ in day_two], [k for _, k in day_two]
    day2 = group(papers, keywords, SETTINGS, previous=day1.themes)
    before = {t.slug for t in day1.themes if not t.is_other}
    after = {t.slug for t in day2.themes}
    kept = len(before & after) / len(before)
    assert kept >= 0.9, (sorted(before - after), sorted(after - before))
    names = {t.slug: t.name for t in day1.themes}
    assert all(names[t.slug] == t.name for t in day2.themes if t.slug in names)


def test_same_themes_in_any_order(seed, grouped) -> None:  # type: ignore[no-untyped-def]
    papers, keywords = seed
    pairs = list(zip(papers, keywords, strict=True))
    random.Random(7).shuffle(pairs)
    assert group([p for p, _ in pairs], [k for _, k in pairs], SETTINGS) == grouped


GROUP_SCRIPT = """
import json, sys
from pathlib import Path
from digest.config import KeywordConfig, ThemeConfig
from digest.sources import read_inputs
from digest.text.keywords import extract
from digest.themes.grouping import group
papers = read_inputs([Path(sys.argv[1])])
g = group(papers, extract(papers, KeywordConfig()), ThemeConfig())
print(json.dumps([[t.slug, t.name, list(t.paper_keys)] for t in g.themes]))
"""


def test_same_themes_under_another_hash_seed(grouped) -> None:  # type: ignore[no-untyped-def]
    """This process's hash seed is random (or the caller's): another one groups alike."""
    seed = "12345" if os.environ.get("PYTHONHASHSEED") != "12345" else "54321"
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", GROUP_SCRIPT, str(SEED)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == [
        [t.slug, t.name, list(t.paper_keys)] for t in grouped.themes
    ]


def test_a_pinned_theme_keeps_its_slug_from_day_to_day(seed, day_two) -> None:  # type: ignore[no-untyped-def]
    """Its URL and feed must not move: claimed afresh, its own published slug was taken."""
    papers, keywords = seed
    settings = ThemeConfig(pinned=[OT, PinnedTheme(name="Diffusion", include=["diffusion"])])
    first = group(papers, keywords, settings)
    again = group(papers, keywords, settings, "en", first.themes)
    joined = join(
        day_two, again.themes, placed_slugs(again), again.space, again.centres, settings, "en"
    )
    slugs = [t.slug for t in first.themes[:2]]
    assert slugs == ["optimal-transport", "diffusion"]
    assert [t.slug for t in again.themes[:2]] == slugs
    assert joined is not None and [t.slug for t in joined.themes[:2]] == slugs


def test_a_new_day_joins_the_published_themes_and_moves_no_paper(grouped, day_two) -> None:  # type: ignore[no-untyped-def]
    """Between regroupings a build adds the new papers to the published themes: every published
    paper keeps its themes and its rank, and each new paper is placed once as primary."""
    day1, pairs = grouped, day_two
    placed = placed_slugs(day1)
    joined = join(pairs, day1.themes, placed, day1.space, day1.centres, SETTINGS, "en")
    assert joined is not None
    assert {key: placed[key] for key in placed} == {
        key: places for key, places in placed_slugs(joined).items() if key in placed
    }
    before = {t.slug: t for t in day1.themes}
    assert {t.slug for t in joined.themes} == set(before)
    for theme in joined.themes:
        old = before[theme.slug]
        assert (theme.name, theme.keywords) == (old.name, old.keywords)
        if not theme.is_other:
            assert theme.paper_keys[: len(old.paper_keys)] == old.paper_keys
    members = [k for t in joined.themes for k in t.paper_keys]
    assert sorted(members) == sorted(p.key for p, _ in pairs)
    # The same day joined again places the new papers the same way.
    assert join(pairs, day1.themes, placed, day1.space, day1.centres, SETTINGS, "en") == joined


def test_a_new_day_without_a_space_asks_for_a_regrouping(seed, grouped, day_two) -> None:  # type: ignore[no-untyped-def]
    papers, keywords = seed
    day1, pairs = grouped, day_two
    assert join(pairs, day1.themes, placed_slugs(day1), None, {}, SETTINGS, "en") is None
    # Nothing new to place: no space is needed.
    same = list(zip(papers, keywords, strict=True))
    assert join(same, day1.themes, placed_slugs(day1), None, {}, SETTINGS, "en") == day1


def test_refit_finds_the_space_and_centres_of_the_grouping_bit_for_bit(seed, pinned) -> None:  # type: ignore[no-untyped-def]
    """What a lost cache costs is time: the centres fitted again are the grouping's own (its
    pinned theme's papers left out, as the grouping left them out)."""
    papers, keywords = seed
    settings, grouping = ThemeConfig(pinned=[OT]), pinned
    pairs = list(zip(papers, keywords, strict=True))
    space, centres = refit(pairs, grouping.themes, placed_slugs(grouping), settings, "en")
    assert space is not None and grouping.space is not None
    assert space.to_bytes() == grouping.space.to_bytes()
    assert sorted(centres) == sorted(grouping.centres)
    for slug, centre in centres.items():
        assert centre.tobytes() == grouping.centres[slug].tobytes(), slug
