"""The kept state: what a digest cannot rebuild, as text files that a day only appends to.

```
state/
  digest-state.json          {"format": 1}: refused by a digest that only knows older formats
  papers/2026-01.jsonl       every paper record written in that month, a line each, in the order
                             seen; a new version of a paper is a later line for the same key;
  papers/2026-01_2.jsonl     the month's next part, begun when a part would pass PART_BYTES
  themes/2026-01-05.jsonl    the published themes since the regrouping of that day: a header, a
                             line per theme, then a line per listed paper, in page order
  related/2026-01.jsonl      each paper's related papers as set or changed by that month's
                             builds, a line per paper; a later line for the same paper wins
```

Everything else a build needs (keywords, vectors, rendered pages) is a cache, rebuilt when
missing. Changes are staged during a build and committed at once through a journal
(:mod:`digest.state.journal`): a killed build leaves the state as it was or as it will be.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from digest.errors import StateError
from digest.merge import merge_two
from digest.model import Paper, Theme
from digest.state import journal
from digest.state.lines import json_line, read_lines, text_line
from digest.state.records import RecordError, StoredPaper, dump_record, load_record

#: The state format this digest writes; it reads this one and none newer.
FORMAT = 1
VERSION_FILE = "digest-state.json"
PAPERS = "papers"
THEMES = "themes"
#: A month's records go on in a new part past this size: GitHub refuses files over 100 MB and
#: warns past 50 MB, and a backfill can put 100,000 papers (130 MB) into one month.
PART_BYTES = 32 * 1024 * 1024
RELATED = "related"
_LOCK = ".lock"
_IGNORED = f"{_LOCK}\n{journal.JOURNAL}\n"


@dataclass(frozen=True)
class KeptGrouping:
    """The themes as published since the last regrouping, and where each paper sits.

    ``placed`` gives each placed paper's theme slugs, primary first. ``papers`` is how many
    papers the regrouping placed and ``settings`` what it was made with (see build's
    regroup rule).
    """

    date: str
    papers: int
    settings: str
    themes: tuple[Theme, ...]
    placed: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Upsert:
    """What one build changed: papers seen for the first time, papers whose text changed."""

    new: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass
class State:
    """An open, locked state folder, its papers and grouping read, its changes staged."""

    root: Path
    papers: dict[str, StoredPaper]
    grouping: KeptGrouping | None
    _grouping_file: str | None = None
    #: Each paper's related papers (keys, best first), as kept (see digest.themes.relating).
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The first list of each paper whose list changed since: what its issue page shows.
    announced: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _changes: journal.Changes = field(default_factory=journal.Changes)
    #: Each month's last part this build writes to: (part number, its size with staged lines).
    _parts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def stored(self) -> list[StoredPaper]:
        """Every stored paper, oldest first, then by input order and key."""
        return sorted(
            self.papers.values(), key=lambda s: (s.first_seen, s.paper.order, s.paper.key)
        )

    def upsert(self, papers: Sequence[Paper], seen: datetime) -> Upsert:
        """Stage papers seen for the first time (first seen ``seen``) and new records of
        stored ones; return which keys are new and which changed.

        A stored paper's newer version, or a changed record of the same version, is merged
        into its record (:func:`digest.merge.merge_two`) and appended as a later line of the
        month it is seen in; its first-seen date, and so its issue and feed item, never move.
        Another source listing the same paper is not news; new text or a version is.
        """
        new: list[str] = []
        changed: list[str] = []
        for paper in papers:
            known = self.papers.get(paper.key)
            if known is None:
                self._keep(StoredPaper(paper, seen), seen)
                new.append(paper.key)
                continue
            merged = replace(merge_two(known.paper, paper), order=known.paper.order)
            if merged == known.paper:
                continue
            self._keep(StoredPaper(merged, known.first_seen), seen)
            if (merged.title, merged.abstract, merged.version) != (
                known.paper.title,
                known.paper.abstract,
                known.paper.version,
            ):
                changed.append(paper.key)
        return Upsert(tuple(new), tuple(changed))

    def _keep(self, stored: StoredPaper, seen: datetime) -> None:
        """Stage a paper record, appended to the last part of the month it is seen in."""
        line = text_line(dump_record(stored))
        path = self._part(seen.strftime("%Y-%m"), len(line))
        self._changes.append(path, line)
        self.papers[stored.paper.key] = stored

    def _part(self, month: str, adding: int) -> str:
        """Return the month's part that takes ``adding`` more bytes: its last, or a new one
        when the last would pass PART_BYTES (a part is never rewritten)."""
        if month not in self._parts:
            names = [n for n in _paper_files(self.root / PAPERS) if _month(n)[0] == month]
            last = names[-1] if names else _part_name(month, 1)
            on_disk = self.root / PAPERS / last
            self._parts[month] = (_month(last)[1], on_disk.stat().st_size if names else 0)
        number, size = self._parts[month]
        if size and size + adding > PART_BYTES:
            number, size = number + 1, 0
        self._parts[month] = (number, size + adding)
        return f"{PAPERS}/{_part_name(month, number)}"

    def regrouped(
        self,
        date: str,
        papers: int,
        settings: str,
        themes: Sequence[Theme],
        placed: Mapping[str, Sequence[str]],
    ) -> None:
        """Stage a new grouping file for a regrouping; the previous one is removed."""
        path = f"{THEMES}/{date}.jsonl"
        header = {"grouping": {"date": date, "papers": papers, "settings": settings}}
        lines = [json_line(header)]
        lines += [json_line(_define(t)) for t in themes]
        lines += _members(themes, placed, frozenset())
        self._changes.replaces[path] = b"".join(lines)
        if self._grouping_file and self._grouping_file != path:
            self._changes.deletes.add(self._grouping_file)
        self._grouping_file = path

    def joined(self, themes: Sequence[Theme], placed: Mapping[str, Sequence[str]]) -> None:
        """Stage the papers (and any new theme) that a daily build added to the grouping."""
        assert self.grouping is not None and self._grouping_file is not None
        known = {t.slug for t in self.grouping.themes}
        lines = [json_line(_define(t)) for t in themes if t.slug not in known]
        lines += _members(themes, placed, frozenset(self.grouping.placed))
        self._changes.append(self._grouping_file, b"".join(lines))

    def keep_related(self, lists: Mapping[str, Sequence[str]], seen: datetime) -> None:
        """Stage related lists set or changed by this build, in the file of its month."""
        lines = [
            json_line({"paper": key, "related": list(lists[key])})
            for key in sorted(lists)
            if tuple(lists[key]) != self.related.get(key)
        ]
        if lines:
            self._changes.append(f"{RELATED}/{seen.strftime('%Y-%m')}.jsonl", b"".join(lines))
        self.related.update({k: tuple(v) for k, v in lists.items()})

    def commit(self) -> None:
        """Write every staged change at once (see :mod:`digest.state.journal`)."""
        changes, self._changes = self._changes, journal.Changes()
        try:
            journal.commit(self.root, changes)
        except OSError as exc:
            raise StateError(
                f"Cannot write the state '{self.root}': {exc.strerror or exc}; the next build "
                "finishes or undoes what this one began"
            ) from exc

    def papers_hash(self) -> str:
        """Hash the paper records as they will be once the staged changes are committed."""
        h = hashlib.sha256()
        folder = self.root / PAPERS
        names = set(_paper_files(folder))
        staged = {
            path.removeprefix(f"{PAPERS}/"): data
            for path, data in self._changes.appends.items()
            if path.startswith(f"{PAPERS}/")
        }
        for name in sorted(names | set(staged), key=_month):
            path = folder / name
            data = path.read_bytes() if name in names else b""
            h.update(name.encode() + b"\0" + data + staged.get(name, b"") + b"\0")
        return h.hexdigest()


def _part_name(month: str, number: int) -> str:
    return f"{month}.jsonl" if number == 1 else f"{month}_{number}.jsonl"


def _month(name: str) -> tuple[str, int]:
    """Return a paper file's (month, part number): the order its lines were written in."""
    month, _, number = name.removesuffix(".jsonl").partition("_")
    return month, int(number) if number.isdigit() else 1


def _paper_files(folder: Path) -> list[str]:
    """Return the names of the paper files in ``folder``, in the order they were written."""
    return sorted((p.name for p in folder.glob("*.jsonl")), key=_month)


def _define(theme: Theme) -> dict[str, Any]:
    return {
        "theme": theme.slug,
        "name": theme.name,
        "phrases": list(theme.keywords),
        "other": theme.is_other,
    }


def _members(
    themes: Sequence[Theme], placed: Mapping[str, Sequence[str]], skip: frozenset[str]
) -> list[bytes]:
    """A line per paper a theme lists, in the theme's order, for the papers not in ``skip``."""
    return [
        json_line({"in": theme.slug, "paper": key, "placed": list(placed[key])})
        for theme in themes
        for key in theme.paper_keys
        if key not in skip
    ]


@contextmanager
def open_state(root: Path, *, create: bool) -> Iterator[State]:
    """Lock and read the state folder ``root``; ``create`` allows starting an empty one.

    A journal left by a killed build is applied first. Nothing is written unless the caller
    commits.
    """
    if not (root / VERSION_FILE).exists() and not create:
        raise StateError(
            f"The state folder '{root}' is missing, but a site was already built from one. "
            "Starting afresh would announce every paper again as new: restore it (it is kept "
            "in the repository), or pass --new-state to start a new one on purpose"
        )
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        journal.recover(root)
        if not (root / VERSION_FILE).exists():
            _create(root)
        _check_format(root)
        papers = _read_papers(root)
        grouping, grouping_file = _read_grouping(root)
        yield State(root, papers, grouping, grouping_file, *_read_related(root))


def _create(root: Path) -> None:
    changes = journal.Changes()
    changes.replaces[".gitignore"] = _IGNORED.encode()
    changes.replaces[VERSION_FILE] = json_line({"format": FORMAT})
    journal.commit(root, changes)


def _check_format(root: Path) -> None:
    path = root / VERSION_FILE
    try:
        found = json.loads(path.read_bytes())["format"]
        version = int(found)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StateError(f"'{path}' is not a digest state file: {exc}") from None
    if version > FORMAT:
        raise StateError(
            f"The state '{root}' has format {version}, newer than this digest understands "
            f"({FORMAT}): upgrade digest"
        )


@contextmanager
def _locked(root: Path) -> Iterator[IO[bytes]]:
    name = root / _LOCK
    try:
        lock = open(name, "ab")  # noqa: SIM115 (held until the block ends)
    except OSError as exc:
        raise StateError(f"Cannot open the state's lock file '{name}': {exc.strerror}") from exc
    with lock:
        try:
            # A POSIX record lock belongs to this process alone: workers forked later do not
            # inherit it, so a worker outliving a killed build never holds the state.
            fcntl.lockf(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StateError(
                f"The state '{root}' is locked by another build; try again when it ends"
            ) from None
        yield lock


def _read_papers(root: Path) -> dict[str, StoredPaper]:
    papers: dict[str, StoredPaper] = {}
    for name in _paper_files(root / PAPERS):
        path = root / PAPERS / name
        for number, line in read_lines(path):
            try:
                stored = load_record(line)
            except RecordError as exc:
                raise StateError(f"'{path}' line {number}: {exc}") from None
            known = papers.get(stored.paper.key)
            # A later line is a newer record of the paper; its first sight stays the first.
            first = known.first_seen if known else stored.first_seen
            papers[stored.paper.key] = StoredPaper(stored.paper, first)
    return papers


def _read_related(root: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Return each paper's last related list, and the first of those that changed since."""
    related: dict[str, tuple[str, ...]] = {}
    first: dict[str, tuple[str, ...]] = {}
    for path in sorted((root / RELATED).glob("*.jsonl")):
        for number, line in read_lines(path):
            try:
                data = json.loads(line)
                key, found = str(data["paper"]), tuple(str(k) for k in data["related"])
            except (ValueError, KeyError, TypeError) as exc:
                raise StateError(f"'{path}' line {number}: not a related record ({exc})") from None
            if key in related:
                first.setdefault(key, related[key])
            related[key] = found
    return related, first


def _read_grouping(root: Path) -> tuple[KeptGrouping | None, str | None]:
    files = sorted((root / THEMES).glob("*.jsonl"))
    if not files:
        return None, None
    path = files[-1]
    header: dict[str, Any] | None = None
    themes: dict[str, dict[str, Any]] = {}
    members: dict[str, list[str]] = {}
    placed: dict[str, tuple[str, ...]] = {}
    for number, line in read_lines(path):
        try:
            data = json.loads(line)
            if "grouping" in data:
                header = data["grouping"]
            elif "theme" in data:
                themes[str(data["theme"])] = data
                members.setdefault(str(data["theme"]), [])
            else:
                members[str(data["in"])].append(str(data["paper"]))
                placed[str(data["paper"])] = tuple(str(s) for s in data["placed"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(f"'{path}' line {number}: not a theme record ({exc})") from None
    if header is None:
        raise StateError(f"'{path}' has no grouping header: the state is damaged")
    result = tuple(
        Theme(
            slug,
            str(d["name"]),
            tuple(str(p) for p in d["phrases"]),
            tuple(members[slug]),
            bool(d["other"]),
        )
        for slug, d in themes.items()
    )
    grouping = KeptGrouping(
        str(header["date"]), int(header["papers"]), str(header["settings"]), result, placed
    )
    return grouping, path.relative_to(root).as_posix()
