"""Publish a gathered digest: write and render it aside, check it, keep the state, swap it in.

Order of effects: the docs and site are built and checked in staging folders beside the
published ones, then the state commits, then the new docs and site are swapped in. A failure
or a kill before the commit changes nothing; after it, the old site stays until the next build
rebuilds it from the state (the site records what it was built from, see
:func:`digest.site.built_from`). tests/test_faults.py kills builds at random moments.
"""

from __future__ import annotations

import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from digest import atomic
from digest.config import Config
from digest.diagnostics import WarningCounter, check_strict, log
from digest.errors import BuildError
from digest.model import Digest
from digest.publish.checks import verify
from digest.site import RenderReport, SiteSettings, render, search
from digest.state import Cache, State
from digest.writers.docs import write_docs
from digest.writers.export import EXPORT_PATH
from digest.writers.feeds import RSS_PATH
from digest.writers.templates import templates_dir


def publish(
    digest: Digest,
    config: Config,
    settings: SiteSettings,
    state: State,
    inputs: str,
    counter: WarningCounter,
    cache: Cache | None = None,
) -> RenderReport:
    """Build the docs and site of ``digest``, check them, commit ``state``, swap them in.

    Each staging folder sits beside the folder it replaces, so the swap is a rename within one
    file system even when the site is published on another one (``--site-dir /var/www/...``).
    ``inputs`` (what the build was made from) is recorded in the site.
    """
    atomic.remove_stale_staging(settings.docs_dir)
    atomic.remove_stale_staging(settings.site_dir)
    stages: list[Path] = []
    committed = False
    try:
        stages.append(atomic.staging_dir(settings.docs_dir))
        stages.append(atomic.staging_dir(settings.site_dir))
        docs, site = stages[0] / "docs", stages[1] / "site"
        write_docs(
            digest,
            templates_dir(config.templates_dir),
            config.feed.items,
            docs,
            config.issue_card_days,
            cache,
        )
        published = None if config.new_state else settings.site_dir
        epoch = int(digest.built.timestamp())
        report = render(settings, docs, site, epoch, published, inputs)
        log.info("Rendered %d pages, kept %d unchanged", report.rendered, report.kept)
        search.index(digest, site, published)
        _required(site)
        verify(
            site,
            digest,
            settings.site_dir,
            config.publish,
            config.feed.items,
            new_state=config.new_state,
        )
        check_strict(config.strict, counter)
        with _uninterrupted():
            state.commit()
            committed = True
            atomic.swap_in(docs, settings.docs_dir)
            atomic.swap_in(site, settings.site_dir)
        return report
    except OSError as exc:
        raise BuildError(_write_failure(exc, settings.site_dir, committed=committed)) from exc
    finally:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Let no Ctrl-C part the state's commit from the site's swap (a few milliseconds).

    A Ctrl-C before this point leaves the site and the state as they were, and says so
    (tests/test_interrupt.py); one during it is dropped, and the build ends as it would have.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if signal.SIGINT in signal.sigpending():
            signal.sigtimedwait({signal.SIGINT}, 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _required(site: Path) -> None:
    """Refuse to publish a site that lacks its home page, feed or export."""
    for required in ("index.html", RSS_PATH, EXPORT_PATH):
        if not (site / required).is_file():
            raise BuildError(f"The built site lacks {required}; the previous site is kept")


def _write_failure(exc: OSError, site_dir: Path, *, committed: bool) -> str:
    """Say which write failed, why (disk full, read-only...) and what is left as it was."""
    problem = exc.strerror or str(exc)
    where = exc.filename2 or exc.filename  # a copy's or rename's target, else the file
    if where:
        problem += f" ('{where}')"
    if not committed:
        return f"Cannot write the new site: {problem}; the published site is unchanged"
    return (
        f"Cannot publish the new site into '{site_dir}': {problem}; the state keeps the new "
        "papers, and the next build publishes them"
    )
