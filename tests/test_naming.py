"""Theme names from the papers' own phrases: whole noun phrases, sentence case, typical first."""

from __future__ import annotations

import random
import re

import pytest

from digest.text.words import stopwords
from digest.themes.naming import Name, hits, name_groups
from digest.themes.phrases import count_phrases
from digest.themes.typical import IssueHeadings, typical_first

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
