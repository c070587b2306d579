"""The reader's interests file: the papers a reader likes, for the "For you" page.

Three forms, told apart by the file's first character that is not a comment or blank:
- plain text: an arXiv id or an arXiv abs/pdf URL a line; ``#`` starts a comment;
- BibTeX (``@``), as Zotero or JabRef export it: a paper is its ``eprint`` or ``arxiv`` field
  (or an arXiv URL or arXiv DOI), else its DOI or title matched against the stored papers;
- JSON (``[``): a list of arXiv ids or URLs.

The build fetches nothing: a liked paper the digest has not seen is named in a warning and left
out. The only module that imports bibtexparser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.diagnostics import log
from digest.errors import SourceError
from digest.identity import parse_arxiv_id
from digest.model import Paper
from digest.text.words import fold

#: A comment: ``#`` at the start of a line or after a space (URLs keep their fragments).
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
#: arXiv's own DOIs (10.48550/arXiv.2401.01234) name the arXiv id.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
#: Names shown in the warning about liked papers the digest lacks; the rest are counted.
NAMED = 10


@dataclass(frozen=True)
class Interests:
    """The liked papers the digest holds (keys, in file order), and what it lacks."""

    liked: tuple[str, ...]
    missing: tuple[str, ...]


def read_interests(path: Path, papers: Mapping[str, Paper]) -> Interests:
    """Read ``path`` and match its papers against ``papers`` (by key); warn about the rest.

    A line that names no paper is an error naming the file and line; an empty file is a
    warning (no "For you" page).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceError(f"Cannot read the interests file '{path}': {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"The interests file '{path}' is not UTF-8 text (byte {exc.start})"
        ) from None
    first = next((line.strip()[:1] for line in _content_lines(text)), "")
    if first == "@":
        wanted = list(_bibtex(path, text, papers))
    elif first == "[":
        wanted = list(_json(path, text))
    else:
        wanted = list(_plain(path, text))
    found = _match(wanted, papers, path)
    if not wanted:
        log.warning("The interests file '%s' lists no papers: no \"For you\" page", path)
    return found


@dataclass(frozen=True)
class _Wanted:
    """A liked paper as the file names it: a stored key, or a name to show when it is missing."""

    key: str | None
    name: str


def _content_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "%")):
            yield stripped


def _arxiv(text: str) -> _Wanted | None:
    found = parse_arxiv_id(text)
    if found is None:
        return None
    return _Wanted(f"arxiv:{found[0]}", f"arXiv {found[0]}")


def _plain(path: Path, text: str) -> Iterator[_Wanted]:
    for number, line in enumerate(text.splitlines(), start=1):
        value = _COMMENT.sub("", line).strip()
        if not value:
            continue
        wanted = _arxiv(value)
        if wanted is None:
            raise SourceError(
                f"'{path}' line {number}: not an arXiv id or abs/pdf URL: {value[:80]!r}"
            )
        yield wanted


def _json(path: Path, text: str) -> Iterator[_Wanted]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        raise SourceError(f"'{path}' line {line}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise SourceError(f"'{path}': expected a JSON list of arXiv ids or URLs")
    # Each item's line, when every item is a string (the i-th string literal is the i-th item).
    starts = [m.start() for m in _STRING.finditer(text)]
    same = len(starts) == len(data) and all(isinstance(item, str) for item in data)
    for index, item in enumerate(data):
        wanted = _arxiv(item) if isinstance(item, str) else None
        if wanted is None:
            where = f"line {text.count(chr(10), 0, starts[index]) + 1}" if same else "item"
            raise SourceError(
                f"'{path}' {where} (item {index + 1}): not an arXiv id or URL: "
                f"{json.dumps(item)[:80]}"
            )
        yield wanted


def _bibtex(path: Path, text: str, papers: Mapping[str, Paper]) -> Iterator[_Wanted]:
    import bibtexparser

    # bibtexparser 2 has no __all__: mypy cannot see that parse_string is public.
    library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = (block.start_line or 0) + 1  # bibtexparser numbers lines from 0
        raise SourceError(f"'{path}' line {line}: not a BibTeX entry ({_first_line(block)})")
    by_doi = {_doi(p.doi): key for key, p in papers.items() if p.doi}
    by_title = {fold(p.title): key for key, p in sorted(papers.items())}
    for entry in library.entries:
        fields = {name.lower(): str(f.value).strip() for name, f in entry.fields_dict.items()}
        wanted = _bib_arxiv(fields)
        if wanted is None and fields.get("doi"):
            key = by_doi.get(_doi(fields["doi"]))
            wanted = _Wanted(key, f"DOI {fields['doi']}") if key else None
        if wanted is None:
            title = _plain_title(fields.get("title", ""))
            if not title and not fields.get("doi"):
                line = (entry.start_line or 0) + 1
                raise SourceError(
                    f"'{path}' line {line}: entry '{entry.key}' has no eprint, arxiv, DOI or "
                    "title field"
                )
            name = repr(title) if title else f"DOI {fields['doi']}"
            wanted = _Wanted(by_title.get(fold(title)) if title else None, name)
        yield wanted


def _bib_arxiv(fields: Mapping[str, str]) -> _Wanted | None:
    """An entry's arXiv id: eprint (unless another archive's), arxiv/arxivid, URL or DOI."""
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "arxiv")).lower()
    candidates = [fields.get("eprint", "")] if prefix == "arxiv" else []
    candidates += [fields.get("arxiv", ""), fields.get("arxivid", ""), fields.get("url", "")]
    match = _ARXIV_DOI.match(_doi(fields.get("doi", "")))
    if match:
        candidates.append(match.group("id"))
    for value in candidates:
        found = _arxiv(value) if value else None
        if found is not None:
            return found
    return None


def _doi(value: str | None) -> str:
    return _DOI_PREFIX.sub("", (value or "").strip()).lower()


def _plain_title(value: str) -> str:
    """A BibTeX title without the braces that protect capitals (``{BERT}``)."""
    return " ".join(value.replace("{", "").replace("}", "").split())


def _first_line(block: object) -> str:
    raw = str(getattr(block, "raw", "")).strip().splitlines()
    return raw[0][:60] if raw else "empty"


def _match(wanted: list[_Wanted], papers: Mapping[str, Paper], path: Path) -> Interests:
    liked: list[str] = []
    missing: list[str] = []
    for item in wanted:
        if item.key is not None and item.key in papers:
            if item.key not in liked:
                liked.append(item.key)
        elif item.name not in missing:
            missing.append(item.name)
    if missing:
        named = ", ".join(missing[:NAMED])
        more = f" and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
        log.warning(
            "%d liked %s in '%s' not in the digest (a build fetches nothing; left out of "
            '"For you"): %s%s',
            len(missing),
            "paper" if len(missing) == 1 else "papers",
            path,
            named,
            more,
        )
    return Interests(tuple(liked), tuple(missing))
