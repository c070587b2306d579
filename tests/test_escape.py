"""Math-aware escaping: inline TeX becomes math for Arithmatex, everything else stays inert.

The oracle for the property tests is Python-Markdown itself, run with the extensions of
mkdocs.yml: whatever the text, the HTML holds only a paragraph and Arithmatex's spans, and its
text is the input with each formula wrapped in ``\\(...\\)``.
"""

from __future__ import annotations

import re

import lxml.html
import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.writers.escape import MAX_MATH, Span, is_math, markdown_math_text, split_math

EXTENSIONS = [
    "admonition",
    "attr_list",
    "tables",
    "toc",
    "pymdownx.blocks.details",
    "pymdownx.arithmatex",
]
CONFIG = {"pymdownx.arithmatex": {"generic": True, "inline_syntax": ["round"], "block_syntax": []}}


def render(text: str) -> lxml.html.HtmlElement:
    html = markdown.markdown(
        str(markdown_math_text(text)), extensions=EXTENSIONS, extension_configs=CONFIG
    )
    return lxml.html.fragment_fromstring(html, create_parent="div")


def shown(spans: list[Span]) -> str:
    """The text a reader's browser holds before KaTeX: formulas wrapped in \\( \\)."""
    out = []
    for span in spans:
        if span.math:
            out.append(r"\(" + span.text.replace("<", r"\lt ").replace(">", r"\gt ") + r"\)")
        else:
            out.append(span.text)
    return "".join(out)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("plain words", [Span("plain words")]),
        ("a $x^2$ b", [Span("a "), Span("x^2", True), Span(" b")]),
        (r"\(a<b\) and \[c\]", [Span("a<b", True), Span(" and "), Span("c", True)]),
        ("$$E = mc^2$$", [Span("E = mc^2", True)]),
        ("costs $5 and $10 a day", [Span("costs $5 and $10 a day")]),
        # Unbalanced braces stay text, and the search resumes: the next formula is still math.
        (r"bad $\frac{a$ then $x$", [Span(r"bad $\frac{a$ then "), Span("x", True)]),
        (r"open \frac{ never closed", [Span(r"open \frac{ never closed")]),
        ("tick $a`b$ stays", [Span("tick $a`b$ stays")]),
        (r"escaped \$5 and \$6", [Span(r"escaped \$5 and \$6")]),
        ("lone $ sign", [Span("lone $ sign")]),
        # Found by Hypothesis: a formula judged before its spaces were stripped.
        ("$$\\ $$", [Span("$$\\ $$")]),
        ("$$ x $$", [Span("x", True)]),
        (r"ends in a backslash $x\\$ here", [Span(r"ends in a backslash $x\\$ here")]),
    ],
)
def test_split_math(text, spans):
    assert split_math(text) == spans


def test_is_math_refuses_what_could_end_the_formula_early():
    assert is_math(r"\frac{1}{2}") and is_math(r"\{x\}")
    for tex in ("", " ", "a}b{", r"\frac{", "a`b", r"a\)b", "a$b", r"a\\\\" + "\\", "x" * 401):
        assert not is_math(tex), tex
    assert len("x" * MAX_MATH) == MAX_MATH and is_math("x" * MAX_MATH)


def test_markdown_math_text_escapes_text_and_keeps_math():
    out = str(markdown_math_text(r"Under $O(n^2)$ time, <b>*x*</b> & \(a<b\)"))
    assert out == (
        r"Under \(O(n^2)\) time, &#60;b&#62;&#42;x&#42;&#60;&#47;b&#62; &#38; \(a\lt b\)"
    )


@pytest.mark.parametrize(
    "text",
    [
        r"$<script>alert(1)</script>$",
        r"$x$ {: onclick=alert(1) }",
        r"$\href{javascript:alert(1)}{x}$",
        r"$a$ [link](javascript:alert(1)) $b$",
        "${{ 7*7 }}$ and {% if x %}",
        r"\(<img src=x onerror=alert(1)>\)",
        r"1. $x$",
        r"--- $y$",
    ],
)
def test_hostile_math_renders_as_math_or_text_only(text):
    tree = render(text)
    tags = {el.tag for el in tree.iter() if el is not tree}
    assert tags <= {"p", "span"}, tags
    for el in tree.iter("span"):
        assert dict(el.attrib) == {"class": "arithmatex"}
    assert tree.text_content() == shown(split_math(text))


TEXT = st.lists(
    st.sampled_from([*"ab $\\(){}[]^_<>&*#|`'\"=.-1 \n", "\\frac", "$$", "{: x }"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_any_text_is_a_paragraph_of_text_and_math(text):
    spans = split_math(text)
    tree = render(text)
    assert {el.tag for el in tree.iter() if el is not tree} <= {"p", "span"}
    for el in tree.iter("span"):
        assert dict(el.attrib) == {"class": "arithmatex"}
        assert re.fullmatch(r"\\\(.*\\\)", el.text_content(), re.DOTALL)
    assert tree.text_content() == shown(spans)
    assert sum(1 for s in spans if s.math) == len(list(tree.iter("span")))
