"""Theme names from the papers' own phrases: whole noun phrases, sentence case, typical first."""

from __future__ import annotations

import contextlib
import json
import random
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from digest.gather import issues
from digest.model import Entry, Issue, Paper, Placement, Theme
from digest.state import Cache
from digest.text.words import stopwords
from digest.themes import typical
from digest.themes.nameable import Nameable
from digest.themes.naming import Name, hits, name_groups
from digest.themes.phrases import count_phrases
from digest.themes.typical import (
    IssueHeadings,
    issue_headings,
    issue_theme_headings,
    typical_first,
)

# Three topics, eight papers each, written the way abstracts are: titles in title case,
# acronyms defined once, the same term in singular and plural, sentences starting with
# "We" and "In this paper", and filler shared by every topic.
_TOPICS = {
    "mcmc": (
        "Markov Chain Monte Carlo for {x}",
        "We study Markov chain Monte Carlo methods for {x}. Our Markov chain Monte Carlo "
        "sampler mixes fast and the posterior distribution is explored well. In this paper "
        "we show experimental results on {y} data.",
    ),
    "llm": (
        "Fine-Tuning Large Language Models on {x}",
        "Large language models (LLMs) are fine-tuned with LoRA fine-tuning on {x}. We show "
        "that LLMs follow instructions after LoRA fine-tuning. In this paper we show "
        "experimental results on {y} data.",
    ),
    "graphs": (
        "Graph Colouring of {x}",
        "We prove bounds on graph colouring of planar graphs and {x}. The chromatic number of "
        "planar graphs is at most four. In this paper we show experimental results on {y} data.",
    ),
}
_FILLERS = "ships trains roads rivers cities forests deserts islands".split()


def _corpus(seed: int = 0) -> tuple[list[str], list[str], list[list[int]]]:
    rng = random.Random(seed)
    papers = []
    for topic, (title, abstract) in _TOPICS.items():
        for i in range(8):
            x, y = _FILLERS[i], _FILLERS[(i + 3) % 8]
            papers.append((topic, title.format(x=x), abstract.format(x=x, y=y)))
    rng.shuffle(papers)
    topics = list(_TOPICS)
    groups = [[i for i, p in enumerate(papers) if p[0] == t] for t in topics]
    return [p[1] for p in papers], [p[2] for p in papers], groups


@pytest.fixture(scope="module")
def named() -> tuple[list[str], list[str], list[list[int]], list[Name]]:
    titles, abstracts, groups = _corpus()
    return titles, abstracts, groups, name_groups(groups, titles, abstracts)


def _phrases(name: str) -> list[str]:
    return [p for p in re.split(r"\s+and\s+", name) if p]


def test_names_are_whole_phrases_of_the_text(named):
    titles, abstracts, _, names = named
    text = " ".join(titles + abstracts).lower()
    for name in names:
        assert name.text, "every topic is nameable"
        for phrase in _phrases(name.text):
            assert phrase.lower() in text, phrase


def test_no_cut_phrases(named):
    names = [n.text for n in named[3]]
    assert "Markov chain Monte Carlo" in names[0]
    for cut in ("chain monte carlo", "large language", "monte carlo"):
        for name in names:
            assert not any(p.lower() == cut for p in _phrases(name)), name


def test_no_stop_word_at_either_end(named):
    stop = stopwords("en")
    for name in named[3]:
        for phrase in _phrases(name.text):
            words = phrase.lower().split()
            assert words[0] not in stop and words[-1] not in stop, phrase


def test_sentence_case_with_acronyms_and_proper_names_kept(named):
    titles, abstracts, _, names = named
    mcmc, llm, graphs = (n.text for n in names)
    # Proper names keep their capitals, title case does not leak into names.
    assert "Markov chain Monte Carlo" in mcmc
    assert llm.startswith("Large language model"), llm
    assert graphs[:1].isupper() and graphs[1:] == graphs[1:].lower(), graphs
    # Acronyms keep their form, with the corpus's own plural.
    table = count_phrases(titles, abstracts)
    for key, shown in (("llm", "LLMs"), ("lora fine tuning", "LoRA fine-tuning")):
        phrase = table.index(key)
        assert phrase is not None and table.surface(phrase) == shown


def test_names_do_not_depend_on_input_order(named):
    _, _, _, names = named
    titles, abstracts, groups = _corpus(seed=7)
    assert [n.text for n in name_groups(groups, titles, abstracts)] == [n.text for n in names]


def test_typical_papers_carry_the_name_first():
    titles, abstracts, groups = _corpus()
    # One paper of the graph topic says nothing of graphs, and sits closest to the centre.
    odd = groups[2][0]
    abstracts[odd] = "We count ships in harbours with cameras."
    titles[odd] = "Counting Ships"
    table = count_phrases(titles, abstracts)
    names = name_groups(groups, titles, abstracts, table)
    closeness = [1.0 if i == odd else 0.5 for i in groups[2]]
    first = typical_first(groups[2], closeness, table, names[2])
    carried, _ = hits(table, names[2])
    assert sum(bool(carried[i]) for i in first[:3]) >= 2
    assert sorted(first) == sorted(groups[2])


def test_math_and_markup_never_make_phrases():
    titles = ["Sorting in $O(n \\log n)$ Time"] * 3 + ["Fast Sorting"] * 3
    abstracts = ["We sort in $O(n \\log n)$ time with <b>merge sort</b>."] * 6
    table = count_phrases(titles, abstracts)
    assert table.index("log n") is None
    assert table.index("merge sort") is not None


def test_tex_accents_are_letters_and_vague_or_foreign_phrases_name_nothing():
    """arXiv writes accents in TeX: "Schr\\"odinger" is one word, never "Schr" and a break. A
    phrase of vague words around "of" names nothing, nor one of another language's article
    before a common word ("de données"), while "de Sitter space" still can."""
    titles = [rf"Schr\"odinger Equations and Entrep\^ots de Donn\'ees {i}" for i in range(6)]
    abstract = (
        r"We solve the Schr\"odinger equation a number of times over bases de donn\'ees and a "
        r"number of times again. Bases de donn\'ees matter. The de Sitter space is used."
    )
    table = count_phrases(titles, [abstract] * 6)
    nameable = Nameable(table)
    assert table.index("schr") is None
    found = table.index("schrodinger equation")
    assert found is not None and nameable.surface(found) == "Schrödinger equation"
    assert table.index("donn") is None
    for vague in ("number of time", "de donnees"):
        found = table.index(vague)
        assert found is not None and not nameable(found), vague
    found = table.index("de sitter space")
    assert found is not None and nameable(found)
    # Compounds and acronyms that only look like an article: named, never a crash.
    titles = ["De-identification of LES Subgrid Closure Records"] * 4
    abstract = "We study de-identification of records and LES subgrid closure models."
    table = count_phrases(titles, [abstract] * 4)
    nameable = Nameable(table)
    assert all(isinstance(nameable(p), bool) for p in range(len(table.df)))
    for compound in ("les subgrid closure model", "de identification"):
        found = table.index(compound)
        assert found is not None and nameable(found), compound


def test_issue_heading_fits_most_of_its_papers():
    titles, abstracts, groups = _corpus()
    table = count_phrases(titles, abstracts)
    names = name_groups(groups, titles, abstracts, table)
    headings = IssueHeadings(table)
    # The day's papers of a theme that mostly carry its name are shown under it.
    assert headings.heading(groups[0][:4], names[0]) == names[0].text
    # A theme's name that fits none of the day's papers is not their heading.
    heading = headings.heading(groups[1][:4], names[0])
    assert heading != names[0].text
    carried, _ = hits(table, Name(heading, tuple(p.lower() for p in _phrases(heading))))
    assert sum(bool(carried[i]) for i in groups[1][:4]) >= 2


def test_names_are_short_and_free_of_markup(named):
    for name in named[3]:
        assert 0 < len(name.text) <= 50
        assert not set(name.text) & set('<>&"`{}[]|*_\\$'), name.text


def test_first_three_carry_the_name_even_when_far_from_the_centre():
    titles, abstracts, groups = _corpus()
    members = groups[2]
    for i in members[:3]:
        titles[i], abstracts[i] = "Counting Ships", "We count ships in harbours with cameras."
    table = count_phrases(titles, abstracts)
    name = name_groups(groups, titles, abstracts, table)[2]
    # The three papers that do not carry the name are the closest to the centre.
    closeness = [1.0 if i in members[:3] else 0.1 for i in members]
    first = typical_first(members, closeness, table, name)
    carried, _ = hits(table, name)
    assert sum(bool(carried[i]) for i in first[:3]) >= 2


def test_a_sample_counts_its_papers_only():
    titles, abstracts, groups = _corpus()
    only = list(range(0, len(titles), 2))
    table = count_phrases(titles, abstracts, only=only)
    assert table.n_docs == len(titles) and table.counted.sum() == len(only)
    assert set(table.docs.tolist()) <= set(only)
    names = name_groups(groups, titles, abstracts, table)
    carried, _ = hits(table, names[0])
    assert not carried[[i for i in range(len(titles)) if i not in only]].any()


def test_a_sample_names_as_the_whole_does():
    titles, abstracts, groups = _corpus()
    whole = name_groups(groups, titles, abstracts)
    table = count_phrases(titles, abstracts, only=list(range(0, len(titles), 2)))
    assert name_groups(groups, titles, abstracts, table) == whole


def _entries(titles, abstracts, groups, slugs):
    listed = datetime(2026, 1, 2, tzinfo=UTC)
    theme_of = {i: slugs[g] for g, members in enumerate(groups) for i in members}
    return [
        Entry(Paper(f"p{i:02d}", t, a), (), (Placement(theme_of.get(i, "t2"), ()),), listed)
        for i, (t, a) in enumerate(zip(titles, abstracts, strict=True))
    ]


def test_an_issue_heads_a_theme_by_what_its_papers_of_the_day_share():
    titles, abstracts, groups = _corpus()
    names = name_groups(groups, titles, abstracts)
    themes = [Theme(f"t{g}", n.text, n.phrases, ()) for g, n in enumerate(names)]
    # The day's papers: two on MCMC, four on LLMs, four on graphs filed under the MCMC theme.
    day = sorted(groups[0][:2] + groups[1][:4] + groups[2][:4])
    placed = [groups[0][:2] + groups[2][:4], groups[1][:4], []]
    entries = _entries(titles, abstracts, placed, ["t0", "t1", "t2"])
    found = dict(issue_theme_headings([entries[i] for i in day], themes))
    # The LLM papers carry their theme's name: no heading of their own.
    assert "t1" not in found
    heading = found["t0"]
    assert heading != themes[0].name
    issue = Issue(date(2026, 1, 2), tuple(entries[i].paper.key for i in day), tuple(found.items()))
    assert issue.heading(themes[0]) == heading and issue.heading(themes[1]) == themes[1].name
    # Whatever heads the six papers fits at least half of them.
    carried = [
        any(p.lower() in f"{titles[i]} {abstracts[i]}".lower() for p in _phrases(heading))
        for i in placed[0]
    ]
    assert sum(carried) >= 3


def test_issue_headings_are_distinct_and_stable():
    titles, abstracts, groups = _corpus()
    names = name_groups(groups, titles, abstracts)
    # Two themes whose names fit none of the day's papers, which are all about graphs.
    day = groups[2]
    local = [([0, 1, 2, 3], names[0]), ([4, 5, 6, 7], names[1])]
    texts = [titles[i] for i in day], [abstracts[i] for i in day]
    found = issue_headings(*texts, local)
    assert found[0] != found[1]
    reordered = [titles[i] for i in reversed(day)], [abstracts[i] for i in reversed(day)]
    swapped = [([3, 2, 1, 0], names[0]), ([7, 6, 5, 4], names[1])]
    assert issue_headings(*reordered, swapped) == found


def test_an_issue_of_more_papers_than_the_sample_is_headed_from_a_sample(monkeypatch):
    """A cold build's one issue holds every paper: beyond ISSUE_SAMPLE papers its headings
    come from every step-th paper and each group's first few, and a strong topic gets the
    heading the whole issue gives."""
    titles, abstracts, groups = _corpus()
    names = name_groups(groups, titles, abstracts)
    # Each topic filed under another's theme, whose name fits none of its papers.
    filed = [(groups[g], names[(g + 1) % 3]) for g in range(3)]
    whole = issue_headings(titles, abstracts, filed)
    counted = []
    real = typical.count_phrases

    def spy(*args, **kwargs):
        table = real(*args, **kwargs)
        counted.append(int(table.counted.sum()))
        return table

    monkeypatch.setattr(typical, "count_phrases", spy)
    monkeypatch.setattr(typical, "ISSUE_SAMPLE", 12)
    assert issue_headings(titles, abstracts, filed) == whole
    (size,) = counted
    assert 12 <= size < len(titles)  # every other paper, and each group's first few
    assert all(h != name.text for h, (_, name) in zip(whole, filed, strict=True))


def _a_day_of_two_themes() -> tuple[list[Theme], list[Entry]]:
    """Named themes of the corpus, and a day of two MCMC, four LLM and four graph papers, the
    graph papers filed under the MCMC theme."""
    titles, abstracts, groups = _corpus()
    names = name_groups(groups, titles, abstracts)
    themes = [Theme(f"t{g}", n.text, n.phrases, ()) for g, n in enumerate(names)]
    placed = [groups[0][:2] + groups[2][:4], groups[1][:4], []]
    day = sorted(placed[0] + placed[1])
    entries = [_entries(titles, abstracts, placed, ["t0", "t1", "t2"])[i] for i in day]
    return themes, entries


def test_a_pinned_theme_keeps_its_name_in_issues():
    themes, entries = _a_day_of_two_themes()
    assert dict(issues(entries, themes)[0].headings).get("t0")
    assert issues(entries, themes, {"t0"})[0].headings == ()


def test_cached_headings_follow_the_issue_s_papers_and_themes(tmp_path):
    """An issue's headings come from the cache only while its papers and themes are the same:
    a renamed theme or an edited abstract heads the issue afresh, as a build without a cache."""
    themes, entries = _a_day_of_two_themes()
    cache = Cache(tmp_path / "cache")
    first = issues(entries, themes, cache=cache)
    assert first == issues(entries, themes) and dict(first[0].headings).get("t0")
    with contextlib.closing(sqlite3.connect(tmp_path / "cache" / "keywords.sqlite")) as db:
        (key,) = [key for (key,) in db.execute("SELECT key FROM headings")]
    poison = {key: json.dumps([["t0", "Cached heading"]])}
    # A cached heading is what the issue shows, while what it was made of is unchanged
    # (themes in another order included)...
    cache.keep_headings(poison, [key])
    assert issues(entries, themes, cache=cache)[0].headings == (("t0", "Cached heading"),)
    assert issues(entries, themes[::-1], cache=cache)[0].headings == (("t0", "Cached heading"),)
    # ... a damaged entry reads as missing...
    cache.keep_headings({key: "not json"}, [key])
    assert issues(entries, themes, cache=cache) == first
    # ... and never once a theme's name or a paper's text changes.
    renamed = [replace(themes[0], name="Graphs and samplers"), *themes[1:]]
    cache.keep_headings(poison, [key])
    assert issues(entries, renamed, cache=cache) == issues(entries, renamed)
    edited = [
        replace(entries[0], paper=replace(entries[0].paper, abstract="Graphs.")),
        *entries[1:],
    ]
    cache.keep_headings(poison, [key])
    assert issues(edited, themes, cache=cache) == issues(edited, themes)
    cache.close()
