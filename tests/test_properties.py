"""Property-based tests (Hypothesis) for hostile input: readers, escaping, pages, feeds, export.

Every reader is fed documents built properly for its format (``saxutils`` escaping or CDATA for
XML, ``json.dumps`` for JSON) around arbitrary Unicode and a list of known-hostile fragments;
each writer is fed a digest made of such text. The oracles are the real consumers: the readers'
documented normalisation (:func:`digest.sources.hygiene.clean_field`), Python-Markdown with the
extensions of ``mkdocs.yml``, MkDocs' own front-matter parser, lxml, feedparser and ``json``.

Runs are deterministic (``derandomize``, no example database). ``DIGEST_FUZZ_EXAMPLES=N`` turns
them into a long random fuzz: N examples for the pure properties, N/5 for the readers, N/10 for
the writers (the end-to-end build keeps its few examples)::

    DIGEST_FUZZ_EXAMPLES=5000 pytest tests/test_properties.py --hypothesis-show-statistics
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import feedparser
import lxml.etree
import lxml.html
import markdown
import pytest
import yaml
from feedparser.html import _cp1252  # the table feedparser maps text through
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from digest.config import EmailConfig
from digest.diagnostics import counting_warnings
from digest.errors import DigestError, SourceError
from digest.identity import parse_arxiv_id, title_key
from digest.links import safe_url
from digest.merge import merge_papers
from digest.model import (
    Author,
    Digest,
    Entry,
    Issue,
    Keyword,
    KeywordSlug,
    Paper,
    Placement,
    RisingTopic,
    Theme,
)
from digest.sources import READERS, read_inputs, reader_for
from digest.sources.arxiv_atom import QueryError
from digest.sources.hygiene import clean_field
from digest.sources.values import repair_mojibake
from digest.writers import email as email_writer
from digest.writers.cards import author_line, card_date, card_links, paper_links
from digest.writers.escape import markdown_math_text, markdown_text, safe_href, split_math
from digest.writers.export import export_pieces
from digest.writers.feeds import OPML_PATH, feed_specs, paper_guid, render_feeds
from digest.writers.pages import PageWriter
from digest.writers.paging import paper_anchor
from tests.conftest import REPO, build_site, write_listing

TEMPLATES = REPO / "site_templates"

# --- settings --------------------------------------------------------------------------------

_FUZZ = int(os.environ.get("DIGEST_FUZZ_EXAMPLES", "0") or 0)


def _profile(normal: int, share: int) -> settings:
    """``normal`` examples, deterministic; under DIGEST_FUZZ_EXAMPLES, random and more."""
    return settings(
        max_examples=max(normal, _FUZZ // share) if _FUZZ else normal,
        deadline=None,
        derandomize=not _FUZZ,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


PURE = _profile(200, 1)
READER = _profile(100, 5)
WRITER = _profile(40, 10)
BUILD = settings(PURE, max_examples=5, derandomize=True)

# --- text strategies ---------------------------------------------------------------------------

# Pieces that have meant something to one of the formats or consumers on the way to the site.
HOSTILE = (
    "<script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{ onclick=alert(1) }",
    "{: .x #y onclick=alert(1) }",
    "[link](javascript:alert(1))",
    "javascript:alert(1)",
    "{{ 7*7 }}",
    "{% if x %}",
    "{# c #}",
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "---",
    "...",
    "key: value",
    "- item",
    "? q",
    "&amp;",
    "&#60;",
    "&lt;",
    "&",
    "*",
    "**",
    "_",
    "`",
    "```",
    "~~~",
    "|",
    "| a | b |",
    "# ",
    "1. ",
    "> ",
    "    ",
    "!!! note",
    "/// details",
    "\\",
    "$x^2$",
    "$$",
    "\\(",
    "\\)",
    "\\[a\\]",
    "$",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\u2029",
    "\x85",
    "\xa0",
    "\ufeff",
    "\u0301",
    "e\u0301",
    "\u00c3\u00a9",
    "\u00cf\x80",
    "\r\n",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x02wzxhzdk:0\x03",
    "\x1b[31m",
    "\x0b",
    "\x0c",
    "\x7f",
    "\x9f",
    "\ufffe",
    "\uffff",
    "\ufdd0",
    "Subscribe",
    "Error",
    " and ",
    ", ",
    "; ",
    "(",
    ")",
    '"',
    "'",
    "<",
    ">",
    "=",
    "%",
    "@",
    "https://github.com/x/y",
    "arXiv:2401.00001v1 Announce Type: new Abstract: ",
)
SURROGATES = ("\ud800", "\udfff", "\ud83d", "\ude00")
#: Characters XML 1.0 cannot hold, raw or as a character reference.
XML_ILLEGAL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff"


def texts(
    *,
    surrogates: bool = False,
    xml: bool = False,
    exclude: str = "",
    parts: int = 6,
    min_parts: int = 0,
) -> st.SearchStrategy[str]:
    """Arbitrary Unicode mixed with hostile fragments; ``xml`` keeps to what XML 1.0 can hold."""
    bad = set(exclude) | (set(XML_ILLEGAL) if xml else set())
    chars = st.characters(
        exclude_categories=() if surrogates else ("Cs",), exclude_characters="".join(sorted(bad))
    )
    pieces = [f for f in HOSTILE if not set(f) & bad]
    if surrogates:
        pieces += SURROGATES
    piece = st.one_of(st.text(chars, max_size=12), st.sampled_from(pieces))
    return st.lists(piece, min_size=min_parts, max_size=parts).map("".join)


def clean(text: str) -> str:
    """The readers' documented normalisation of every title, abstract and author name."""
    return clean_field(text).text


def xml_newlines(text: str) -> str:
    """What an XML parser hands back for ``text``: line ends normalised to LF (XML 1.0, 2.11)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Text as readers deliver it: cleaned (surrogates, controls removed; whitespace folded).
CLEAN = texts(surrogates=True).map(clean)
CLEAN_WORDS = texts(surrogates=True, min_parts=1).map(clean).filter(bool)
#: Author names that a comma-joined author list keeps whole: no separators or parentheses.
JOINABLE_NAME = texts(xml=True, exclude=",;()").filter(lambda s: not re.search(r"\band\b", s))
BLANK = st.sampled_from(["", " ", "\t", "\xa0", "\u3000"])
ISO_DATE = st.datetimes(min_value=datetime(1991, 1, 1), max_value=datetime(2099, 1, 1)).map(
    lambda d: d.isoformat()
)
ARXIV_IDS = st.sampled_from(
    [
        "2401.01234",
        "2401.01234v2",
        "https://arxiv.org/abs/2401.01234v3",
        "http://arxiv.org/pdf/2312.00001",
        "arXiv:2312.00001",
        "astro-ph/0601001",
        "math.GT/0309136v1",
    ]
)
HOSTS = st.one_of(
    st.sampled_from(
        [
            "example.org",
            "github.com",
            "\u00fc.example",
            "\u00fc..com",
            "a" * 70 + ".\u00fc",
            "exa mple.org",
            'x.org"onmouseover="alert(1)',
            "a'b",
            "a<b>",
            "a)b(",
            "[::1]",
            "user:p\u00e4@host.org",
            "host.org:99999",
        ]
    ),
    st.text(max_size=12),
)
URL_PATHS = texts(surrogates=False)
#: Links as sources give them: any scheme, hosts that are no hosts, any text after them.
URLS = st.one_of(
    st.builds(
        "{}://{}/{}".format,
        st.sampled_from(["http", "https", "HTTPS", "javascript", "data", "ftp", " https"]),
        HOSTS,
        URL_PATHS,
    ),
    texts(),
)
#: Links a reader lets through (``safe_url``): http(s) with something that parses as a host.
SAFE_URLS = st.builds(
    "{}://{}/{}".format, st.sampled_from(["http", "https", "HTTPS"]), HOSTS, URL_PATHS
).filter(safe_url)

# --- JSON values, and JSON texts that digest's strict decoder must refuse -------------------

#: A 5000-digit number (int() refuses it with a ValueError, not JSON's error), the non-finite
#: constants Python's json accepts, and a duplicate key: each makes a file refused whole.
REFUSED_JSON = ("9" * 5000, "NaN", "-Infinity", "Infinity", '{"title": "a", "title": "b"}')


@dataclass(frozen=True)
class Raw:
    """A JSON text that ``json.dumps`` cannot write, written as it is by :func:`json_dump`."""

    text: str


def json_dump(value: object, *, ascii_only: bool = True) -> str:
    """Serialise ``value`` (surrogates force ``\\u`` escapes), writing ``Raw`` texts as they are."""
    raws: list[str] = []

    def mark(raw: Raw) -> str:
        raws.append(raw.text)
        return f"@@digest-raw-{len(raws) - 1}@@"

    text = json.dumps(value, ensure_ascii=ascii_only, default=mark, allow_nan=False)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"@@digest-raw-{index}@@"), raw, 1)
    return text


def has_surrogate(value: object) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(value, ensure_ascii=False))


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    texts(surrogates=True),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)

# --- reading helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """A document in one input format and what its reader must make of it."""

    reader: str
    suffix: str
    data: bytes
    #: (order, title, abstract, authors) of each record the reader must accept, in order.
    expected: tuple[tuple[int, str, str, tuple[str, ...]], ...]
    records: int
    #: Warnings about removed control characters the reader must log (None: not checked).
    removed: int | None = None


def read_counting(path: Path, reader_name: str | None = None) -> tuple[list[Paper], list[str]]:
    """Read ``path`` with its sniffed (or named) reader; return papers and logged warnings."""
    reader = READERS[reader_name] if reader_name else reader_for(path)
    with counting_warnings() as counter:
        papers = list(reader.read(path))
    return papers, counter.messages


def skipped(messages: Sequence[str]) -> list[str]:
    """The warnings that say a record was skipped (each names its file and record)."""
    return [m for m in messages if m.startswith(("Error reading", "Skipped paper"))]


def assert_clean_paper(paper: Paper) -> None:
    """Whatever the input, an accepted paper holds only normalised text and safe links."""
    texts_ = (paper.title, paper.abstract, *(a.name for a in paper.authors))
    optional = (paper.primary_category, paper.doi, paper.journal_ref, paper.comment)
    for text in (*texts_, *paper.categories, *paper.source_keywords, *filter(None, optional)):
        assert text, paper
        assert clean(text) == text, text
    for url in (paper.url, paper.project_url, *paper.code_urls):
        assert url is None or safe_url(url), url
    if paper.arxiv_id is not None:
        assert parse_arxiv_id(paper.arxiv_id) == (paper.arxiv_id, None)


def outcome(papers: Sequence[Paper]) -> list[tuple[int, str, str, tuple[str, ...]]]:
    return [(p.order, p.title, p.abstract, tuple(a.name for a in p.authors)) for p in papers]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module's input files (Hypothesis reuses it across examples)."""
    return tmp_path_factory.mktemp("properties")


def write(workdir: Path, doc: Doc, stem: str = "input") -> Path:
    path = workdir / f"{stem}{doc.suffix}"
    path.write_bytes(doc.data)
    return path


# --- document strategies, one per format -------------------------------------------------------

HEADER = ("Get trending papers in your email inbox once a day!", "Get trending papers!")
# A title or abstract line: no line end inside, not blank (blank lines are skipped as layout).
LINE = texts(exclude="\r\n", min_parts=1).filter(lambda s: s.strip())


@st.composite
def trending_docs(draw: st.DrawFn) -> Doc:
    """A page dump with CRLF, CR or LF, a BOM or not, blank lines anywhere (case 2)."""
    pairs = draw(st.lists(st.tuples(LINE, LINE), min_size=1, max_size=5))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines: list[str] = []
    for line in (*HEADER, *(line for pair in pairs for line in pair)):
        lines += [*draw(st.lists(BLANK, max_size=1)), line]
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    data = bom + (newline.join(lines) + newline).encode("utf-8")
    expected = []
    removed = 0
    for index, (title, abstract) in enumerate(pairs):
        if index == 0:  # the page's "Subscribe" button text runs into the first title
            title = re.sub(r"^Subscribe(?=\S)", "", title.lstrip("\ufeff "))
        t, a = clean_field(title), clean_field(abstract)
        # The abstract is only looked at once the title has been accepted.
        removed += (t.removed > 0) + (bool(t.text) and a.removed > 0)
        if t.text and a.text:
            expected.append((index, t.text, a.text, ()))
    return Doc("trending", ".txt", data, tuple(expected), len(pairs), removed)


def xml_text(text: str, cdata: bool) -> str:
    if cdata:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return escape(text)


ATOM_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"'
    ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
    "<title>arXiv Query</title><id>http://arxiv.org/api/x</id>"
    "<updated>2024-01-02T00:00:00-05:00</updated>\n"
)


@st.composite
def atom_docs(draw: st.DrawFn) -> Doc:
    """An arXiv API answer; text is repaired if it is mis-decoded UTF-8, then cleaned."""
    items = draw(
        st.lists(
            st.tuples(texts(xml=True), texts(xml=True), st.lists(texts(xml=True), max_size=3)),
            max_size=4,
        )
    )
    cdata = draw(st.booleans())
    out = [ATOM_HEAD, f"<opensearch:totalResults>{len(items)}</opensearch:totalResults>\n"]
    expected = []

    def read_back(text: str) -> str:
        return clean(repair_mojibake(xml_newlines(text)))

    for index, (title, summary, names) in enumerate(items):
        authors = "".join(f"<author><name>{xml_text(n, cdata)}</name></author>" for n in names)
        out.append(
            f"<entry><id>http://arxiv.org/abs/2401.{index:05d}v1</id>"
            "<updated>2024-01-02T10:00:00Z</updated><published>2024-01-01T10:00:00Z</published>"
            f"<title>{xml_text(title, cdata)}</title><summary>{xml_text(summary, cdata)}</summary>"
            f'{authors}<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/></entry>\n'
        )
        t, s = read_back(title), read_back(summary)
        if t and s:
            names_back = tuple(n for n in map(read_back, names) if n)
            expected.append((index, t, s, names_back))
    out.append("</feed>\n")
    return Doc("arxiv-atom", ".xml", "".join(out).encode("utf-8"), tuple(expected), len(items))


RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' version="2.0"><channel><title>cs.LG updates on arXiv.org</title>'
    "<link>http://rss.arxiv.org/rss/cs.LG</link><description>d</description>\n"
)


#: The start of an arXiv listing description, before the abstract (``digest.sources.arxiv_rss``).
ANNOUNCE_PREFIX = re.compile(
    r"^\s*arXiv:\S+\s+Announce\s+Type:\s*[\w-]+\s+Abstract:\s*", re.IGNORECASE
)


@st.composite
def rss_docs(draw: st.DrawFn) -> Doc:
    """An arXiv listing feed: the abstract follows the description's id prefix, or stands alone
    with the id in the guid; authors come comma-joined in one ``dc:creator``."""
    items = draw(
        st.lists(
            st.tuples(
                texts(xml=True), texts(xml=True), st.lists(JOINABLE_NAME, max_size=4), st.booleans()
            ),
            max_size=4,
        )
    )
    cdata = draw(st.booleans())
    out = [RSS_HEAD]
    expected = []
    for index, (title, abstract, names, prefixed) in enumerate(items):
        ident = f"2604.{index:05d}"
        description = (
            f"arXiv:{ident}v1 Announce Type: new \nAbstract: {abstract}" if prefixed else abstract
        )
        out.append(
            f"<item><title>{xml_text(title, cdata)}</title>"
            f"<link>https://arxiv.org/abs/{ident}</link>"
            f"<description>{xml_text(description, cdata)}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{ident}v1</guid>'
            "<category>cs.LG</category><pubDate>Mon, 27 Apr 2026 00:00:00 -0400</pubDate>"
            f"<dc:creator>{xml_text(', '.join(names), cdata)}</dc:creator>"
            "<arxiv:announce_type>new</arxiv:announce_type></item>\n"
        )
        # Text that starts like arXiv's prefix is read as one, whoever wrote it.
        shown = xml_newlines(description)
        shown = shown[m.end() :] if (m := ANNOUNCE_PREFIX.match(shown)) else shown
        t, a = clean(xml_newlines(title)), clean(shown)
        if t and a:
            expected.append((index, t, a, tuple(n for n in map(clean, names) if n)))
    out.append("</channel></rss>\n")
    return Doc("arxiv-rss", ".xml", "".join(out).encode("utf-8"), tuple(expected), len(items))


def json_records(
    draw: st.DrawFn, good: list[dict[str, object]], bad: st.SearchStrategy[object]
) -> tuple[list[object], list[int]]:
    """Return records with bad ones mixed in after the first, and the indices of the good ones."""
    records: list[object] = list(good)
    for value in draw(st.lists(bad, max_size=3)):
        records.insert(draw(st.integers(1 if records else 0, len(records))), value)
    good_ids = {id(g) for g in good}
    return records, [i for i, r in enumerate(records) if id(r) in good_ids]


def dump_records(draw: st.DrawFn, records: list[object], *, lines: bool) -> tuple[bytes, object]:
    """Serialise records as a JSON array or JSON Lines; return the bytes and what they decode to."""
    ascii_only = draw(st.booleans()) or has_surrogate(records)
    if lines:
        text = "".join(json_dump(r, ascii_only=ascii_only) + "\n" for r in records)
    else:
        text = json_dump(records, ascii_only=ascii_only)
    decoded = json.loads(json_dump(records))  # a "\ud83d\ude00" pair decodes as one character
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.encode("utf-8"), decoded


GENERIC_BAD = st.one_of(
    JSON_SCALARS,
    st.lists(JSON_SCALARS, max_size=2),
    st.sampled_from(
        [
            {"abstract": "an abstract"},
            {"title": "a title"},
            {"title": None, "abstract": "an abstract"},
            {"title": 5, "abstract": "an abstract"},
            {"title": ["a"], "abstract": "an abstract"},
            {"title": "a title", "abstract": {"text": "x"}},
            {"title": "a title", "abstract": "x", "id": "not-an-id"},
            {"title": "a title", "abstract": "x", "authors": 3},
            {"title": "a title", "abstract": "x", "date": "yesterday"},
            {"title": "a title", "abstract": "x", "categories": {"a": 1}},
        ]
    ),
)


@st.composite
def generic_docs(draw: st.DrawFn) -> Doc:
    """digest's own schema, as a JSON array or JSON Lines, with bad records mixed in."""
    lines = draw(st.booleans())
    good: list[dict[str, object]] = []
    for _ in range(draw(st.integers(1 if lines else 0, 4))):
        record: dict[str, object] = {
            "title": draw(texts(surrogates=True)),
            "abstract": draw(texts(surrogates=True)),
        }
        if draw(st.booleans()):
            record["authors"] = draw(st.lists(texts(surrogates=True), max_size=3))
        elif draw(st.booleans()):
            record["authors"] = ", ".join(draw(st.lists(JOINABLE_NAME, max_size=3)))
        if draw(st.booleans()):
            record["id"] = draw(ARXIV_IDS)
            record["date"] = draw(ISO_DATE)
        if draw(st.booleans()):
            categories = texts(surrogates=True)
            record["categories"] = draw(st.one_of(categories, st.lists(categories, max_size=3)))
        good.append(record)
    records, good_at = json_records(draw, good, GENERIC_BAD)
    data, decoded = dump_records(draw, records, lines=lines)
    assert isinstance(decoded, list)
    expected = []
    for index in good_at:
        rec = decoded[index]
        t, a = clean(rec["title"]), clean(rec["abstract"])
        authors = rec.get("authors", [])
        names = authors if isinstance(authors, list) else authors.split(", ")
        if t and a:
            expected.append((index, t, a, tuple(n for n in map(clean, names) if n)))
    return Doc("json", ".jsonl" if lines else ".json", data, tuple(expected), len(records))


HF_BAD = st.one_of(
    JSON_SCALARS,
    st.sampled_from(
        [
            {"title": "no paper object"},
            {"paper": "x"},
            {"paper": {"title": "t", "summary": "s"}},
            {"paper": {"id": "nope", "title": "t", "summary": "s"}},
            {"paper": {"id": "2401.00001", "summary": "s"}},
            {"paper": {"id": "2401.00001", "title": "t", "summary": "s", "upvotes": True}},
            {"paper": {"id": "2401.00001", "title": "t", "summary": "s", "authors": ["x"]}},
            {"paper": {"id": "2401.00001", "title": "t", "summary": "s", "publishedAt": "?"}},
        ]
    ),
)


@st.composite
def hf_docs(draw: st.DrawFn) -> Doc:
    """A Hugging Face daily_papers answer (at least one submission, so that it sniffs as one)."""
    good: list[dict[str, object]] = []
    for index in range(draw(st.integers(1, 4))):
        paper = {
            "id": f"2401.{index:05d}",
            "title": draw(texts(surrogates=True)),
            "summary": draw(texts(surrogates=True)),
            "authors": [{"name": n, "hidden": False} for n in draw(st.lists(texts(), max_size=3))],
            "upvotes": draw(st.integers(0, 10**6)),
            "publishedAt": "2024-01-02T10:00:00.000Z",
        }
        good.append({"paper": paper, "title": paper["title"], "numComments": 0})
    records, good_at = json_records(draw, good, HF_BAD)
    data, decoded = dump_records(draw, records, lines=False)
    assert isinstance(decoded, list)
    expected = []
    for index in good_at:
        paper = decoded[index]["paper"]
        t, a = clean(paper["title"]), clean(paper["summary"])
        if t and a:
            names = tuple(n for n in (clean(x["name"]) for x in paper["authors"]) if n)
            expected.append((index, t, a, names))
    return Doc("hf-daily", ".json", data, tuple(expected), len(records))


KAGGLE_BAD = st.one_of(
    JSON_SCALARS,
    st.sampled_from(
        [
            {"title": "t", "abstract": "a"},
            {"id": 5, "title": "t", "abstract": "a"},
            {"id": "nope", "title": "t", "abstract": "a"},
            {"id": "2401.00001", "abstract": "a"},
            {"id": "2401.00001", "title": "t", "abstract": "a", "versions": []},
            {"id": "2401.00001", "title": "t", "abstract": "a", "versions": [{"version": "1"}]},
            {"id": "2401.00001", "title": "t", "abstract": "a", "authors_parsed": "x"},
        ]
    ),
)


@st.composite
def kaggle_docs(draw: st.DrawFn) -> Doc:
    """Kaggle's arXiv snapshot, JSON Lines; names come from ``authors_parsed``."""
    good: list[dict[str, object]] = []
    for index in range(draw(st.integers(1, 4))):
        parsed = draw(st.lists(st.lists(texts(), min_size=3, max_size=3), max_size=3))
        good.append(
            {
                "id": f"2401.{index:05d}",
                "submitter": draw(texts()),
                "authors": "A. Writer",
                "title": draw(texts(surrogates=True)),
                "comments": None,
                "journal-ref": None,
                "doi": None,
                "categories": "cs.LG stat.ML",
                "abstract": draw(texts(surrogates=True)),
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                "update_date": "2008-11-13",
                "authors_parsed": parsed,
            }
        )
    records, good_at = json_records(draw, good, KAGGLE_BAD)
    data, decoded = dump_records(draw, records, lines=True)
    assert isinstance(decoded, list)
    expected = []
    for index in good_at:
        rec = decoded[index]
        t, a = clean(rec["title"]), clean(rec["abstract"])
        if t and a:
            # [last, first, suffix] is shown "first last suffix".
            names = (
                clean(f"{first} {last} {suffix}") for last, first, suffix in rec["authors_parsed"]
            )
            expected.append((index, t, a, tuple(n for n in names if n)))
    return Doc("kaggle", ".jsonl", data, tuple(expected), len(records))


DOCS: dict[str, Callable[[], st.SearchStrategy[Doc]]] = {
    "trending": trending_docs,
    "arxiv-atom": atom_docs,
    "arxiv-rss": rss_docs,
    "hf-daily": hf_docs,
    "kaggle": kaggle_docs,
    "json": generic_docs,
}


def test_every_reader_has_a_document_strategy():
    """Cases 2, 4, 8, 17: every registered reader has a document strategy, so none is skipped."""
    assert set(DOCS) == set(READERS)


# --- 1. readers ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(DOCS))
@READER
@given(data=st.data())
def test_reader_round_trips_text(fmt, data, workdir):
    """Cases 2, 4, 8, 17: any text survives its format's encoding and comes back as the reader
    documents it (``clean_field``: controls and non-characters removed with a warning,
    NFC, whitespace runs folded; arXiv API text also has mis-decoded UTF-8 repaired). A record
    whose title or abstract cleans to nothing, or that breaks the schema, is skipped with one
    warning naming it; sniffing picks the format's own reader."""
    doc = data.draw(DOCS[fmt]())
    path = write(workdir, doc, stem=f"round-trip-{fmt}")
    assert reader_for(path).name == doc.reader
    papers, messages = read_counting(path)
    assert outcome(papers) == list(doc.expected)
    assert len(skipped(messages)) == doc.records - len(doc.expected), messages
    if doc.removed is not None:
        removals = [m for m in messages if "control or non-character" in m]
        assert len(removals) == doc.removed, messages
    for paper in papers:
        assert_clean_paper(paper)


def mostly(*valid: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """A field's usual shapes three times in four, else any JSON value at all."""
    usual = st.one_of(*valid)
    return st.integers(0, 3).flatmap(lambda n: usual if n else JSON_VALUES)


def hostile_record(
    required: dict[str, st.SearchStrategy[object]], optional: dict[str, st.SearchStrategy[object]]
) -> st.SearchStrategy[object]:
    """Mostly an object with the schema's keys (optional ones may be missing), else any value."""
    record = st.fixed_dictionaries(required, optional=optional)
    return st.integers(0, 4).flatmap(lambda n: record if n else JSON_VALUES)


def hostile_generic() -> st.SearchStrategy[object]:
    return hostile_record(
        {
            "title": mostly(texts(surrogates=True)),
            "abstract": mostly(texts(surrogates=True)),
        },
        {
            "id": mostly(ARXIV_IDS),
            "authors": mostly(st.lists(texts()), texts()),
            "date": mostly(ISO_DATE),
            "url": mostly(URLS),
            "categories": mostly(st.lists(texts()), texts()),
        },
    )


def hostile_hf() -> st.SearchStrategy[object]:
    paper = hostile_record(
        {
            "id": mostly(ARXIV_IDS),
            "title": mostly(texts(surrogates=True)),
            "summary": mostly(texts(surrogates=True)),
        },
        {
            "authors": mostly(st.lists(st.fixed_dictionaries({"name": texts()}), max_size=3)),
            "upvotes": mostly(st.integers(0, 10**6)),
            "githubRepo": mostly(URLS),
            "projectPage": mostly(URLS),
            "ai_keywords": mostly(st.lists(texts(), max_size=3)),
            "publishedAt": mostly(ISO_DATE),
        },
    )
    return hostile_record({"paper": paper}, {"title": texts(), "summary": texts()})


def hostile_kaggle() -> st.SearchStrategy[object]:
    version = st.fixed_dictionaries(
        {"version": st.sampled_from(["v1", "v2", "1", "vx"]), "created": texts()}
    )
    return hostile_record(
        {
            "id": mostly(ARXIV_IDS),
            "title": mostly(texts(surrogates=True)),
            "abstract": mostly(texts(surrogates=True)),
        },
        {
            "submitter": JSON_VALUES,
            "authors": mostly(texts()),
            "authors_parsed": mostly(st.lists(st.lists(texts(), max_size=4), max_size=3)),
            "categories": mostly(texts()),
            "versions": mostly(st.lists(version, max_size=2)),
            "update_date": mostly(ISO_DATE),
            "created": mostly(ISO_DATE),
            "doi": mostly(texts()),
            "journal-ref": mostly(texts()),
            "comments": mostly(texts()),
        },
    )


HOSTILE_JSON = {
    "json": (hostile_generic, False, lambda rec: (rec.get("title"), rec.get("abstract"))),
    "hf-daily": (
        hostile_hf,
        False,
        lambda rec: (
            rec["paper"].get("title", rec.get("title")),
            rec["paper"].get("summary", rec.get("summary")),
        ),
    ),
    "kaggle": (hostile_kaggle, True, lambda rec: (rec.get("title"), rec.get("abstract"))),
}


def write_everything(papers: Sequence[Paper]) -> None:
    """Run every writer on what a reader accepted: no crash whatever the fields hold."""
    if not papers:
        return
    digest = make_digest(merge_papers(list(papers)))
    PageWriter(TEMPLATES, digest, feed_specs(digest, 50)).pages()
    render_feeds(digest, feed_specs(digest, 50))
    "".join(export_pieces(digest))
    email_writer.render(digest, digest.issues[0], EmailConfig(), TEMPLATES / "email")


@pytest.mark.parametrize("fmt", sorted(HOSTILE_JSON))
@READER
@given(data=st.data())
def test_json_readers_survive_any_values(fmt, data, workdir):
    """Cases 7, 8, 9: any JSON value in any field (wrong types, nesting, URLs of any scheme,
    bad dates) is a skipped record with a warning; ``NaN``, ``Infinity``, a duplicate key or a
    5000-digit number refuses the file with an error naming it; never a crash. Accepted
    records keep their text, and every writer takes them."""
    make_record, lines, text_of = HOSTILE_JSON[fmt]
    records = data.draw(st.lists(make_record(), min_size=1, max_size=4))
    refused = data.draw(st.integers(0, 9)) == 0
    if refused:
        raw = Raw(data.draw(st.sampled_from(REFUSED_JSON)))
        records.insert(data.draw(st.integers(0, len(records))), raw)
    path = workdir / f"hostile-{fmt}{'.jsonl' if lines else '.json'}"
    ascii_only = data.draw(st.booleans()) or has_surrogate(
        [r for r in records if not isinstance(r, Raw)]
    )
    if lines:
        text = "".join(json_dump(r, ascii_only=ascii_only) + "\n" for r in records)
    else:
        text = json_dump(records, ascii_only=ascii_only)
    path.write_text(text, encoding="utf-8")
    if refused:
        with pytest.raises(SourceError, match=re.escape(str(path))):
            read_counting(path, fmt)
        return
    decoded = [json.loads(json_dump(r)) for r in records]
    papers, messages = read_counting(path, fmt)
    event(f"{len(papers)} of {len(records)} records accepted" if papers else "none accepted")
    assert len(papers) + len(skipped(messages)) == len(records), messages
    for paper in papers:
        assert_clean_paper(paper)
        title, abstract = text_of(decoded[paper.order])
        assert (paper.title, paper.abstract) == (clean(title), clean(abstract))
    write_everything(papers)


def optional_element(tag: str, text: str | None, cdata: bool) -> str:
    return "" if text is None else f"<{tag}>{xml_text(text, cdata)}</{tag}>"


MAYBE_XML = st.one_of(st.none(), texts(xml=True))


def usually(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    """An element's usual content three times in five, else any text, else no element."""
    return st.integers(0, 4).flatmap(
        lambda n: valid if n > 1 else texts(xml=True) if n else st.none()
    )


WORDS_XML = texts(xml=True, min_parts=1)


@st.composite
def hostile_atom(draw: st.DrawFn) -> tuple[bytes, list[dict[str, str | None]]]:
    cdata = draw(st.booleans())
    entries = []
    body = []
    for _ in range(draw(st.integers(0, 4))):
        entry = {
            "id": draw(usually(ARXIV_IDS)),
            "title": draw(usually(WORDS_XML)),
            "summary": draw(usually(WORDS_XML)),
        }
        extras = "".join(
            optional_element(tag, draw(usually(ISO_DATE)), cdata)
            for tag in ("published", "updated")
        ) + "".join(
            optional_element(f"arxiv:{tag}", draw(MAYBE_XML), cdata)
            for tag in ("doi", "journal_ref", "comment")
        )
        names = "".join(
            f"<author>{optional_element('name', n, cdata)}</author>"
            for n in draw(st.lists(MAYBE_XML, max_size=2))
        )
        terms = "".join(
            f"<{tag} term={quoteattr(t)}/>"
            for tag, t in draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["category", "arxiv:primary_category"]), texts(xml=True)
                    ),
                    max_size=2,
                )
            )
        )
        body.append(
            "<entry>"
            + "".join(optional_element(k, v, cdata) for k, v in entry.items())
            + extras
            + names
            + terms
            + "</entry>\n"
        )
        entries.append(entry)
    document = ATOM_HEAD + "".join(body) + "</feed>\n"
    return document.encode("utf-8"), entries


@READER
@given(doc=hostile_atom())
def test_atom_reader_survives_any_element_text(doc, workdir):
    """Cases 8, 13, 17: any text in any element of an API answer (ids, dates, DOIs, category
    terms, missing elements) is a skipped entry with a warning, or arXiv's error answer
    (an entry titled "Error" without an arXiv id), never a crash; accepted entries keep
    their text as the reader documents it."""
    data, entries = doc
    path = workdir / "hostile.atom.xml"
    path.write_bytes(data)

    def stripped(entry: dict[str, str | None], key: str) -> str:
        return xml_newlines(entry[key] or "").strip()

    if any(
        stripped(e, "title") == "Error" and parse_arxiv_id(stripped(e, "id")) is None
        for e in entries
    ):
        with pytest.raises(QueryError):
            read_counting(path, "arxiv-atom")
        return
    papers, messages = read_counting(path, "arxiv-atom")
    event("some accepted" if papers else "none accepted")
    assert len(papers) + len(skipped(messages)) == len(entries), messages
    for paper in papers:
        assert_clean_paper(paper)
        entry = entries[paper.order]
        assert paper.title == clean(repair_mojibake(xml_newlines(entry["title"] or "")))
        assert paper.abstract == clean(repair_mojibake(xml_newlines(entry["summary"] or "")))
        assert paper.arxiv_id == parse_arxiv_id(entry["id"] or "")[0]  # type: ignore[index]


@st.composite
def hostile_rss(draw: st.DrawFn) -> tuple[bytes, list[dict[str, str | None]]]:
    cdata = draw(st.booleans())
    items = []
    body = []
    for index in range(draw(st.integers(0, 4))):
        description = draw(usually(WORDS_XML))
        if description is not None and draw(st.booleans()):
            kind = draw(st.sampled_from(["new", "replace", "cross", "replace-cross"]))
            description = f"arXiv:2604.{index:05d}v2 Announce Type: {kind} \nAbstract: " + (
                description
            )
        item = {
            "title": draw(usually(WORDS_XML)),
            "link": draw(usually(ARXIV_IDS)),
            "description": description,
            "guid": draw(
                st.one_of(
                    st.none(),
                    texts(xml=True),
                    st.just(f"oai:arXiv.org:2604.{index:05d}v1"),
                )
            ),
            "pubDate": draw(usually(st.just("Mon, 27 Apr 2026 00:00:00 -0400"))),
            "dc:creator": draw(MAYBE_XML),
            "arxiv:announce_type": draw(MAYBE_XML),
        }
        categories = "".join(
            optional_element("category", c, cdata) for c in draw(st.lists(MAYBE_XML, max_size=2))
        )
        body.append(
            "<item>"
            + "".join(optional_element(k, v, cdata) for k, v in item.items())
            + categories
            + "</item>\n"
        )
        items.append(item)
    document = RSS_HEAD + "".join(body) + "</channel></rss>\n"
    return document.encode("utf-8"), items


@READER
@given(doc=hostile_rss())
def test_rss_reader_survives_any_element_text(doc, workdir):
    """Cases 8, 17: any text in any element of a listing feed (ids, guids, dates, creators)
    is a skipped item with a warning, never a crash; accepted items keep their title as
    cleaned text and their abstract is the cleaned end of the description."""
    data, items = doc
    path = workdir / "hostile.rss.xml"
    path.write_bytes(data)
    papers, messages = read_counting(path, "arxiv-rss")
    event("some accepted" if papers else "none accepted")
    assert len(papers) + len(skipped(messages)) == len(items), messages
    for paper in papers:
        assert_clean_paper(paper)
        item = items[paper.order]
        assert paper.title == clean(xml_newlines(item["title"] or ""))
        assert clean(xml_newlines(item["description"] or "")).endswith(paper.abstract)


@READER
@given(
    doc=st.sampled_from(["arxiv-atom", "arxiv-rss"]).flatmap(lambda f: DOCS[f]()),
    bad=st.sampled_from(XML_ILLEGAL),
    as_reference=st.booleans(),
    where=st.floats(0, 1),
)
def test_xml_that_xml_cannot_hold_is_rejected_whole(doc, bad, as_reference, where, workdir):
    """Cases 4, 15: a character XML 1.0 cannot hold (a NUL, a C0 control, U+FFFE), raw or as a
    character reference, makes the document not well-formed: the whole file is refused with
    an error naming it, never read in part."""
    text = doc.data.decode("utf-8")
    # Into character data: just after the first start tag of the body at or past ``where``.
    starts = [m.end() for m in re.finditer(r"<(title|summary|description|name)>", text)]
    if not starts:
        starts = [text.index("<title>") + len("<title>")]
    at = starts[min(int(where * len(starts)), len(starts) - 1)]
    char = f"&#{ord(bad)};" if as_reference else bad
    path = workdir / "illegal.xml"
    path.write_bytes((text[:at] + char + text[at:]).encode("utf-8"))
    with pytest.raises(SourceError, match="not well-formed XML"):
        read_inputs([path])


ENCODINGS = ("utf-16", "UTF-16LE", "utf-32", "shift_jis", "no-such-codec", "latin-1", "utf-7")
USABLE_ENCODINGS = ("UTF-8", "utf8", "us-ascii", "iso-8859-1", "windows-1252")


@READER
@given(
    doc=st.sampled_from(["arxiv-atom", "arxiv-rss"]).flatmap(lambda f: DOCS[f]()),
    declared=st.one_of(
        st.sampled_from(ENCODINGS),
        st.sampled_from(USABLE_ENCODINGS),
        st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,15}", fullmatch=True),
    ),
)
def test_xml_encoding_declarations_read_or_fail_cleanly(doc, declared, workdir):
    """Cases 3, 15: whatever encoding a saved response declares (unknown, multi-byte, wrong),
    it is read or refused whole with an error naming the file, never a crash; declaring the
    UTF-8 it is in changes nothing."""
    body = doc.data.split(b"?>", 1)[1]
    path = workdir / "declared.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{declared}"?>'.encode() + body)
    try:
        papers = read_inputs([path])
    except DigestError as exc:
        assert str(path) in str(exc)
        event("refused")
        return
    event("read")
    for paper in papers:
        assert_clean_paper(paper)
    if declared.lower().replace("_", "-") in ("utf-8", "utf8"):
        assert outcome(papers) == list(doc.expected)


@st.composite
def damaged(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A valid document of any format, then cut, spliced, overwritten or re-declared."""
    doc = draw(st.one_of([strategy() for strategy in DOCS.values()]))
    data = bytearray(doc.data)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "delete", "insert", "overwrite", "encoding"]))
        at = draw(st.integers(0, len(data)))
        if kind == "truncate":
            del data[at:]
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "overwrite" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "encoding":
            if data.startswith(b"<?xml") and b"?>" in data:
                del data[: data.index(b"?>") + 2]
            declared = draw(st.sampled_from(ENCODINGS))
            data[:0] = f'<?xml version="1.0" encoding="{declared}"?>'.encode()
    return bytes(data), draw(st.one_of(st.none(), st.sampled_from(sorted(READERS))))


TEXT_READERS = {"trending", "json", "kaggle", "hf-daily"}


@READER
@given(case=damaged())
def test_damaged_input_fails_cleanly_or_reads_clean_papers(case, workdir):
    """Cases 3, 6, 7, 15: truncated, spliced or re-declared bytes, read with the sniffed
    reader or any named one, give clean papers or a DigestError naming the problem, never
    another exception; bytes that are not UTF-8 are refused by the text formats, never
    read as mojibake."""
    data, fmt = case
    path = workdir / "damaged.in"
    path.write_bytes(data)
    try:
        reader = reader_for(path, fmt)
        papers = read_inputs([path], fmt)
    except DigestError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    event(f"read {'some' if papers else 'no'} papers")
    for paper in papers:
        assert_clean_paper(paper)
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert reader.name not in TEXT_READERS, f"{reader.name} read bytes that are not UTF-8"


# --- 2. escaping -------------------------------------------------------------------------------


def _mkdocs_markdown() -> markdown.Markdown:
    """Python-Markdown as MkDocs runs it: its built-in extensions, then mkdocs.yml's."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    names = ["toc", "tables", "fenced_code"]  # MkDocs always loads these
    configs: dict[str, dict[str, object]] = {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        if name not in names:
            names.append(name)
        configs[name] = options or {}
    return markdown.Markdown(extensions=names, extension_configs=configs)


MARKDOWN = _mkdocs_markdown()
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def to_html(text: str) -> lxml.html.HtmlElement:
    MARKDOWN.reset()
    body = MARKDOWN.convert(text)
    return lxml.html.fragment_fromstring(body, create_parent="div")


def assert_inert(tree: lxml.html.HtmlElement, allowed: set[str]) -> None:
    """No element but ``allowed``, no comment, no ``on*`` attribute, no non-http(s) URL."""
    for element in tree.iter():
        assert isinstance(element.tag, str), f"comment or PI in the output: {element!r}"
        assert element.tag in allowed | {"div"}, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            if name.lower() in URL_ATTRIBUTES:
                scheme = _SCHEME.match(re.sub(r"[\x00-\x20]", "", value))
                assert scheme is None or scheme.group(1).lower() in ("http", "https"), value


def math_shown(text: str) -> str:
    """The text a browser holds before KaTeX runs: each formula wrapped in ``\\(...\\)``."""
    out = []
    for span in split_math(text):
        if span.math:
            out.append(r"\(" + span.text.replace("<", r"\lt ").replace(">", r"\gt ") + r"\)")
        else:
            out.append(span.text)
    return "".join(out)


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@PURE
@given(raw=texts(surrogates=True, parts=10))
def test_markdown_text_renders_as_its_text(raw):
    """Cases 27, 29: any cleaned text, escaped by ``markdown_text`` (the page templates'
    finalize), renders to one paragraph with no other element and no attribute, whose text
    is the input with whitespace folded."""
    text = clean(raw)
    tree = to_html(str(markdown_text(text)))
    assert_inert(tree, {"p"})
    assert all(not el.attrib for el in tree.iter())
    assert len(tree) == (1 if text else 0)
    assert tree.text_content() == folded(text)
    # The template filter is this function: a Markup value passes, any other string is escaped.
    env = PageWriter(TEMPLATES, make_digest([])).env
    assert env.from_string("{{ v }}").render(v=text) == str(markdown_text(text))


@PURE
@given(raw=texts(surrogates=True, parts=10))
@example(raw="$a &lt; b$ and $&ap;$")  # found by the long fuzz: references decoded in math
def test_markdown_math_text_renders_as_text_and_math(raw):
    """Cases 22, 27: any cleaned abstract renders to one paragraph holding only Arithmatex's
    math spans; its text is the input with each sound formula wrapped in \\( \\)."""
    text = clean(raw)
    tree = to_html(str(markdown_math_text(text)))
    assert_inert(tree, {"p", "span"})
    for span in tree.iter("span"):
        assert dict(span.attrib) == {"class": "arithmatex"}
    assert len(list(tree.iter("span"))) == sum(1 for s in split_math(text) if s.math)
    assert tree.text_content() == math_shown(text)


#: A whole character reference, which Python-Markdown's serializer leaves undecoded.
ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
_BREAKS_OUT = re.compile(r"[\s\"'<>()`\\{}|^\x00-\x1f\x7f]")


@PURE
@given(url=URLS)
@example(url='https://x.org"onmouseover="alert(1)/')  # was written raw into the email's href
@example(url="https://\u00fc..com/")  # crashed the page writer (UnicodeError from IDNA)
def test_safe_href_is_an_inert_http_link(url):
    """Case 27: ``safe_href`` never raises; it refuses what ``safe_url`` refuses, and what it
    returns is an http(s) URL with nothing that ends a Markdown link target or an HTML
    attribute, so that it links as itself from a page and from the email's raw ``href``."""
    href = safe_href(url)
    if not safe_url(url.strip()):
        assert href is None
    if href is None:
        return
    assert re.match(r"^https?://[^/?#]", href), href
    assert not _BREAKS_OUT.search(href), href
    tree = to_html(f"[x]({href})")
    ((got, label),) = [(a.get("href"), a.text) for a in tree.iter("a")]
    assert label == "x"
    # Python-Markdown leaves a whole character reference in a URL ("&amp;") as it is, so the
    # browser decodes it: a known, harmless difference (the scheme and host stay).
    assert got == href or (ENTITY.search(href) and got.startswith(href.split("&")[0]))
    anchor = lxml.html.fragment_fromstring(f'<a href="{href}">x</a>')
    assert list(anchor.attrib) == ["href"]


# --- pages --------------------------------------------------------------------------------------

BUILT = datetime(2026, 1, 2, tzinfo=UTC)
LISTED = datetime(2026, 1, 1, 9, tzinfo=UTC)


def make_digest(
    papers: Sequence[Paper],
    *,
    title: str = "Digest",
    themes: Sequence[str] = ("Theme",),
    keywords: Sequence[Sequence[str]] = (),
) -> Digest:
    """A digest of ``papers``: paper i in theme i mod len(themes), with ``keywords[i]``."""
    entries = []
    index: dict[str, list[str]] = {}
    for i, paper in enumerate(papers):
        texts_ = keywords[i] if i < len(keywords) else ()
        kws = tuple(Keyword(f"k{j}-{t}", t, 0.1 * (j + 1)) for j, t in enumerate(texts_))
        for kw in kws:
            index.setdefault(kw.key, []).append(paper.key)
        slug = f"t{i % len(themes)}"
        entries.append(Entry(paper, kws, (Placement(slug, tuple(texts_[:2])),), LISTED))
    theme_rows = tuple(
        Theme(
            f"t{j}",
            name,
            (name,),
            tuple(e.paper.key for e in entries if e.themes[0].theme_slug == f"t{j}"),
        )
        for j, name in enumerate(themes)
    )
    text_of = {kw.key: kw.text for e in entries for kw in e.keywords}
    keys = tuple(e.paper.key for e in entries)
    rising = tuple(
        RisingTopic(key, text_of[key], 2, 1, 0.5, 0.1, 3.0, (0, 1, 2), tuple(found))
        for key, found in sorted(index.items())[:1]
    )
    return Digest(
        title=title,
        description=title,
        site_url="https://example.org/d/",
        built=BUILT,
        entries=tuple(entries),
        themes=tuple(t for t in theme_rows if t.paper_keys) or theme_rows[:1],
        keyword_index=tuple(
            KeywordSlug(key, text_of[key], f"kw-{n}", tuple(found))
            for n, (key, found) in enumerate(sorted(index.items()))
        ),
        issues=(Issue(LISTED.date(), keys),) if keys else (),
        rising=rising,
    )


@st.composite
def hostile_papers(draw: st.DrawFn, max_papers: int = 3) -> list[Paper]:
    """Papers as readers deliver them (cleaned text), with hostile text and links."""
    papers = []
    for i in range(draw(st.integers(1, max_papers))):
        arxiv = draw(st.booleans())
        upvotes = draw(st.one_of(st.none(), st.integers(0, 10**6)))
        papers.append(
            Paper(
                key=f"arxiv:2401.{i:05d}" if arxiv else f"title-{i:016x}",
                title=draw(CLEAN_WORDS),
                # Long enough, often, to be folded behind a teaser.
                abstract=clean(" ".join(draw(st.lists(CLEAN_WORDS, min_size=1, max_size=12)))),
                arxiv_id=f"2401.{i:05d}" if arxiv else None,
                authors=tuple(Author(n) for n in draw(st.lists(CLEAN_WORDS, max_size=10))),
                project_url=draw(st.one_of(st.none(), SAFE_URLS)),
                code_urls=tuple(draw(st.lists(SAFE_URLS, max_size=2, unique=True))),
                upvotes=upvotes,
                sources=("huggingface",) if upvotes is not None else ("file:x.txt",),
                order=i,
            )
        )
    return papers


@st.composite
def hostile_digests(draw: st.DrawFn) -> Digest:
    papers = draw(hostile_papers())
    keywords = [draw(st.lists(CLEAN_WORDS, max_size=3, unique=True)) for _ in papers]
    themes = draw(st.lists(CLEAN_WORDS, min_size=1, max_size=2))
    return make_digest(papers, title=draw(CLEAN_WORDS), themes=themes, keywords=keywords)


PAGE_TAGS = {
    "h1", "h2", "h3", "p", "a", "small", "span", "em", "strong", "details", "summary",
    "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "div",
    "article", "time",
}  # fmt: skip
SVG_TAGS = {"svg", "g", "rect", "text", "title", "circle", "line", "path", "polyline", "desc"}
#: Elements of the pages' own: the search page's form and result list (search.md.j2), the
#: themes page's list of sizes (digest/writers/charts.py).
OWN_TAGS = {"search.md": {"form", "input", "ol"}, "themes/index.md": {"ol"}}


def page_html(page: str) -> tuple[lxml.html.HtmlElement, dict[str, object]]:
    """Convert a generated page as MkDocs does: front matter off, the rest through Markdown."""
    body, meta = get_data(page)
    tree = to_html(body)
    for link in tree.xpath('//a[@class="headerlink"]'):
        link.drop_tree()
    return tree, meta


def card_of(tree: lxml.html.HtmlElement, paper: Paper) -> lxml.html.HtmlElement:
    """Return a paper's card: the ``<article>`` whose id is the paper's anchor."""
    (card,) = tree.xpath(f'//article[@id="{paper_anchor(paper.key)}"]')
    return card


def class_texts(card: lxml.html.HtmlElement, cls: str) -> list[str]:
    return [el.text_content() for el in card.find_class(cls)]


@WRITER
@given(digest=hostile_digests())
def test_pages_show_hostile_text_as_text(digest):
    """Cases 27, 28, 29: every page of a digest whose titles, abstracts, authors, keywords,
    theme names and digest title are hostile renders (as MkDocs would) to the template's
    own elements only, with no ``on*`` attribute and no non-http(s) link; each card shows its
    title, its authors and its whole abstract (math kept as math) as text; the front matter
    MkDocs reads back is what the writer meant."""
    pages = PageWriter(TEMPLATES, digest, feed_specs(digest, 50)).pages()
    for name, page in pages.items():
        tree, meta = page_html(page)
        # Charts are raw SVG in the template; escaped text can never write "<svg" itself.
        svg = SVG_TAGS if "<svg" in page else set()
        assert_inert(tree, PAGE_TAGS | svg | OWN_TAGS.get(name, set()))
        if not name.startswith("themes/") or name == "themes/index.md":
            assert meta == {}, name
    for theme in digest.themes:
        tree, meta = page_html(pages[f"themes/{theme.slug}.md"])
        assert meta == {"feed": f"feeds/themes/{theme.slug}.xml"}
        assert tree.xpath("//h1")[0].text_content() == theme.name
        for key in theme.paper_keys:
            entry = digest.by_key[key]
            paper = entry.paper
            card = card_of(tree, paper)
            # Titles keep their TeX as math too.
            assert class_texts(card, "dg-card__title") == [math_shown(paper.title)]
            names = author_line([a.name for a in paper.authors])
            assert class_texts(card, "dg-card__authors") == ([names] if names else [])
            day, label = card_date(entry)
            assert class_texts(card, "dg-card__date") == [f"{label} {day}".strip()]
            upvotes = [] if paper.upvotes is None else [f"▲ {paper.upvotes}"]
            assert class_texts(card, "dg-card__votes") == upvotes
            assert [s.text_content() for s in card.iter("summary")] == [math_shown(paper.abstract)]
            (links,) = card.find_class("dg-card__links")
            shown = [(a.text_content(), a.get("href")) for a in links.iter("a")]
            wanted = [(link.label, str(link.href)) for link in card_links(paper_links(entry))]
            assert [label for label, _ in shown] == [label for label, _ in wanted]
            for (_, got), (_, want) in zip(shown, wanted, strict=True):
                # The card prints a checked URL as it is, and an HTML attribute decodes a
                # complete "&name;" in it: only such links may differ (still http(s), same
                # host).
                assert got == want or (ENTITY.search(want) and got.startswith(want.split("&")[0]))
    tree, _ = page_html(pages["index.md"])
    link_texts = {a.text_content() for a in tree.iter("a")}
    assert {e.paper.title for e in digest.entries} <= link_texts
    assert {t.name for t in digest.themes} <= link_texts
    tree, _ = page_html(pages["keywords.md"])
    listed = [s.text or "" for s in tree.xpath("//details[@class='dg-kw']/summary")]
    assert all(text.endswith(" ") for text in listed)
    assert {k.text for k in digest.keyword_index} == {text[:-1] for text in listed}


@WRITER
@given(digest=hostile_digests())
def test_email_html_stays_inert(digest):
    """Case 27: the email's HTML (autoescaped, links from ``safe_href``) holds no ``on*``
    attribute, no script and no non-http(s) link whatever the papers' text and links, and
    each paper keeps its links, in order."""
    settings_ = EmailConfig(papers_per_theme=0)
    rendered = email_writer.render(digest, digest.issues[0], settings_, TEMPLATES / "email")
    tree = lxml.html.document_fromstring(rendered.html)
    allowed = {"html", "head", "body", "meta", "title", "p", "a", "h1", "h2", "span", "div"}
    allowed |= {"table", "tr", "td", "tbody", "small", "br", "strong", "em", "ul", "li"}
    assert_inert(tree, allowed)
    shown = [[a.text_content() for a in p.iter("a")] for p in tree.find_class("links")]
    by_theme = [
        [link.label for link in paper_links(digest.by_key[key])]
        for theme in digest.themes
        for key in digest.issues[0].paper_keys
        if digest.by_key[key].themes[0].theme_slug == theme.slug
    ]
    assert shown == by_theme


FRONT_KEYS = texts().map(clean)
FRONT_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), CLEAN, texts().map(clean)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(FRONT_KEYS, inner, max_size=3)
    ),
    max_leaves=6,
)


@PURE
@given(
    front=st.dictionaries(FRONT_KEYS, FRONT_VALUES, min_size=1, max_size=4),
    body=texts(surrogates=True).map(clean),
)
def test_front_matter_reads_back_equal(front, body, tmp_path_factory):
    """Case 28: whatever ``PageWriter.render`` puts in front matter (``yaml.safe_dump``) is
    read back equal by MkDocs' own front-matter parser, and the page body after it is the
    template's output untouched."""
    templates = tmp_path_factory.getbasetemp() / "front-templates"
    templates.mkdir(exist_ok=True)
    (templates / "t.md.j2").write_text("{{ body }}\n", encoding="utf-8")
    page = PageWriter(templates, make_digest([])).render("t.md.j2", front=front, body=body)
    rest, meta = get_data(page)
    assert meta == front
    assert rest == (str(markdown_text(body)) + "\n").lstrip("\n")  # MkDocs drops blank lines


# --- feeds and export ------------------------------------------------------------------------


def feedparser_view(text: str) -> str:
    """The text feedparser hands back for ``text``: it "repairs" what round-trips as UTF-8
    mis-read as Latin-1 (``Â¡`` becomes ``¡``) and maps C1 controls to cp1252 (mixin.py)."""
    with contextlib.suppress(UnicodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def feedparse(data: bytes) -> feedparser.FeedParserDict:
    # feedparser fetches when handed a URL-looking string: bytes are never fetched.
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


@WRITER
@given(digest=hostile_digests())
def test_feeds_carry_hostile_text_as_text(digest):
    """Cases 30, 31: the RSS, Atom, JSON Feed and OPML of a digest with hostile text parse
    with lxml, feedparser (``bozo == 0``) and json; titles, abstracts and authors come back
    as the text they are (RSS descriptions are HTML that renders as the abstract, Atom
    content is text that is the abstract); guids are the papers' stable URNs."""
    specs = feed_specs(digest, 50)
    entries = {e.paper.key: e for e in digest.entries}
    site_rss, site_atom, site_json = specs[0], specs[1], specs[2]
    assert (site_rss.kind, site_atom.kind, site_json.kind) == ("rss", "atom", "json")
    order = [e.paper.key for e in site_rss.entries]
    files = render_feeds(digest, specs)

    data = files[site_rss.path]
    items = lxml.etree.fromstring(data).findall("channel/item")
    assert [i.findtext("guid") for i in items] == [paper_guid(k) for k in order]
    for item, key in zip(items, order, strict=True):
        paper = entries[key].paper
        assert item.findtext("title") == paper.title
        shown = lxml.html.fragment_fromstring(item.findtext("description"), create_parent="div")
        assert len(shown) == 0 and shown.text_content() == paper.abstract
        assert [c.text for c in item.findall("category")] == [k.text for k in entries[key].keywords]
    parsed = feedparse(data)
    for got, key in zip(parsed.entries, order, strict=True):
        assert got.id == paper_guid(key)
        if got.title_detail.type == "text/plain":  # else feedparser guessed HTML: its business
            assert got.title == feedparser_view(entries[key].paper.title)

    data = files[site_atom.path]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = lxml.etree.fromstring(data)
    for entry, key in zip(root.findall("a:entry", ns), order, strict=True):
        paper = entries[key].paper
        assert entry.findtext("a:title", namespaces=ns) == paper.title
        content = entry.find("a:content", ns)
        assert content.get("type", "text") == "text"
        assert content.text == paper.abstract
        assert entry.xpath("a:author/a:name/text()", namespaces=ns) == [
            a.name for a in paper.authors
        ]
    parsed = feedparse(data)
    for got, key in zip(parsed.entries, order, strict=True):
        paper = entries[key].paper
        assert (got.id, got.title) == (paper_guid(key), feedparser_view(paper.title))
        assert got.content[0].type == "text/plain"
        assert got.content[0].value == feedparser_view(paper.abstract)

    document = json.loads(files[site_json.path])
    assert [(i["title"], i["content_text"]) for i in document["items"]] == [
        (entries[k].paper.title, entries[k].paper.abstract) for k in order
    ]
    outlines = lxml.etree.fromstring(files[OPML_PATH]).findall("body/outline")
    assert [o.get("title") for o in outlines] == [s.title for s in specs]
    assert lxml.etree.fromstring(files[OPML_PATH]).findtext("head/title") == (
        f"{digest.title} feeds"
    )


@PURE
@given(papers=hostile_papers(max_papers=4), title=CLEAN_WORDS)
def test_json_export_round_trips(papers, title):
    """Case 30 (the export beside the feeds): ``digest.json`` decodes with ``json`` to the
    papers' exact titles, abstracts and authors, in input order, and the digest's title."""
    digest = make_digest(papers, title=title)
    document = json.loads("".join(export_pieces(digest)))
    assert document["title"] == title
    assert [(p["title"], p["abstract"], p["authors"]) for p in document["papers"]] == [
        (p.title, p.abstract, [a.name for a in p.authors]) for p in papers
    ]


# --- 3. end to end ----------------------------------------------------------------------------

E2E_LINE = texts(exclude="\r\n", parts=4).filter(lambda s: clean(s) and s.strip())
_ABSTRACT = "We study sparse attention for long documents and show that it scales to long inputs. "


@BUILD
@given(
    pairs=st.lists(st.tuples(E2E_LINE, E2E_LINE), min_size=1, max_size=2),
)
def test_built_site_shows_hostile_titles_as_text(pairs, tmp_path_factory):
    """Cases 27, 29, 30: the real pipeline (reader, YAKE, themes, Jinja2, MkDocs) builds a
    site from a listing of hostile titles and abstracts; in the built HTML each title is its
    card's heading text, no page has an ``on*`` attribute, a ``javascript:`` link or a
    script the theme did not put there."""
    root = tmp_path_factory.mktemp("e2e")
    # A plain sentence keeps YAKE's keywords (and so the themes) from being all noise.
    listing = write_listing(root / "in.txt", [(t, f"{_ABSTRACT}{a}") for t, a in pairs])
    site = build_site(root / "project", [listing])
    entries = site.result.digest.entries
    # Every record is accepted (its abstract has the sentence); titles that fold alike merge.
    titles = [clean(t) for t, _ in pairs]
    titles[0] = clean(re.sub(r"^Subscribe(?=\S)", "", pairs[0][0].lstrip("\ufeff ")))
    titles = [t for t in titles if t]
    assert {e.paper.title for e in entries} <= set(titles)
    assert len(entries) == len({title_key(t) for t in titles})
    for entry in entries:
        theme = entry.themes[0].theme_slug
        page = lxml.html.parse(str(site.site / "themes" / theme / "index.html")).getroot()
        (heading,) = card_of(page, entry.paper).xpath("h3")
        assert heading.text_content() == math_shown(entry.paper.title)
    for path in site.site.rglob("*.html"):
        tree = lxml.html.parse(str(path)).getroot()
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (path, name)
                if name in URL_ATTRIBUTES:
                    assert (
                        not re.sub(r"[\x00-\x20]", "", value)
                        .lower()
                        .startswith(("javascript:", "data:", "vbscript:"))
                    ), (path, value)
            if element.tag == "script":
                assert "alert(" not in (element.text or ""), path
        assert not tree.xpath("//img[@src='x']"), path
