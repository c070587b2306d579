"""Shared fixtures: build real sites into temporary folders, never into the repository.

Every build runs the real pipeline (reader, YAKE, themes, Jinja2, MkDocs) in a throw-away project
folder holding a copy of the repository's ``mkdocs.yml`` and ``site_templates/``, so ``docs_dir``
and ``site_dir`` (resolved next to the MkDocs config) land in ``tmp_path``. The seed build takes
seconds, so it is built once per session and shared read-only.
"""

from __future__ import annotations

import os

# One BLAS thread per process: the suite's matrices are small, and on a 2-core machine OpenBLAS's
# thread pool spinning beside the process pool's workers costs more than it buys.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import shutil  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from digest.build import BuildResult, build  # noqa: E402
from digest.config import Config, FeedConfig, KeywordConfig, ThemeConfig  # noqa: E402
from digest.model import Paper  # noqa: E402
from digest.sources import read_inputs  # noqa: E402

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"
#: The real seed listing (a copy of ``digest/examples/trending-papers.txt``).
SEED = DATA / "trending-papers.txt"
#: Every build in the suite is dated by this, never by the clock: 2023-11-14T22:13:20Z.
EPOCH = 1_700_000_000

_SECTIONS = {"keywords": KeywordConfig, "themes": ThemeConfig, "feed": FeedConfig}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


@dataclass(frozen=True)
class Site:
    """A built project folder: where its config, docs and site are, and what the build said."""

    root: Path
    result: BuildResult

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def docs(self) -> Path:
        return self.root / "build" / "docs"


#: The test projects' site_url: not a placeholder (example.org is one, and warns: see
#: digest.site.warn_placeholder_url), and on a domain reserved for tests (RFC 2606).
SITE_URL = "https://digest.test/digest/"


def make_project(root: Path, site_url: str | None = SITE_URL) -> Path:
    """Copy the repository's mkdocs.yml and templates into ``root``; return the config path.

    ``site_url=None`` drops the setting, to test that a missing site_url is refused.
    """
    root.mkdir(parents=True, exist_ok=True)
    config = root / "mkdocs.yml"
    if not config.exists():
        text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
        original = "site_url: https://example.org/digest/\n"
        assert original in text, "mkdocs.yml changed: update tests/conftest.py"
        replacement = f"site_url: {site_url}\n" if site_url is not None else ""
        config.write_text(text.replace(original, replacement), encoding="utf-8")
    if not (root / "site_templates").exists():
        shutil.copytree(REPO / "site_templates", root / "site_templates")
    return config


def project_config(root: Path, **options: object) -> Config:
    """Return a Config whose MkDocs config and templates are the copies in ``root``.

    ``keywords=``, ``themes=`` and ``feed=`` may be dicts of that section's options. Keyword
    extraction runs in process (``workers = 1``) unless a test asks for a pool.
    """
    keywords = options.get("keywords", {})
    if isinstance(keywords, dict):
        options["keywords"] = {"workers": 1, **keywords}
    for name, cls in _SECTIONS.items():
        if isinstance(options.get(name), dict):
            options[name] = cls(**options[name])  # type: ignore[arg-type]
    options.setdefault("mkdocs_config", str(root / "mkdocs.yml"))
    options.setdefault("templates_dir", str(root / "site_templates"))
    return Config(**options)  # type: ignore[arg-type]


def build_site(
    tmp_path: Path,
    inputs: list[Path] | tuple[Path, ...],
    *,
    epoch: int | None = EPOCH,
    **config: object,
) -> Site:
    """Run the real pipeline on ``inputs`` into ``tmp_path`` (site/ and build/docs/ there).

    The build is dated by ``epoch`` through SOURCE_DATE_EPOCH (None leaves the environment as
    it is); ``config`` are :class:`Config` options such as ``strict=True``.
    """
    make_project(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        if epoch is not None:
            mp.setenv("SOURCE_DATE_EPOCH", str(epoch))
        mp.chdir(tmp_path)
        result = build(project_config(tmp_path, **config), list(inputs))
    return Site(tmp_path, result)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` by relative POSIX path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def write_listing(
    path: Path, papers: list[tuple[str, str]], header: tuple[str, str] | None = None
) -> Path:
    """Write a trending-page listing: two header lines, then a title and an abstract line each."""
    head = header or ("Get trending papers in your email inbox once a day!", "Get trending papers!")
    lines = [*head, *(line for pair in papers for line in pair)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed_pairs() -> list[tuple[str, str]]:
    """Return the seed's (title, abstract) lines as they are in the file, "Subscribe" removed."""
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()][2:]
    pairs = list(zip(lines[0::2], lines[1::2], strict=True))
    pairs[0] = (pairs[0][0].removeprefix("Subscribe"), pairs[0][1])
    return pairs


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The seed built once, in process; tests only read it."""
    return build_site(tmp_path_factory.mktemp("seed-site"), [SEED])


def seeded(seed_site: Site, root: Path) -> Site:
    """A copy at ``root`` of the session's seed project, as ``build_site(root, [SEED])`` leaves
    it (site, docs, kept state and cache: none of them holds its folder's path), for tests
    whose next build is the one under test."""
    shutil.copytree(seed_site.root, root, symlinks=True, dirs_exist_ok=True)
    return Site(root, seed_site.result)


@pytest.fixture(scope="session")
def seed_papers() -> list[Paper]:
    """The seed's papers as the reader returns them."""
    return read_inputs([SEED])
