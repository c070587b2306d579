"""The default executor for keyword extraction: a process pool started only when needed.

A rebuild with nothing new extracts nothing and so starts no process. Workers are forked,
import what their tasks need as they start (yake, which the build's own process then never
imports), and ask Linux to kill them if the build dies, so a ``kill -9`` of a build never
leaves orphaned workers behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, ParamSpec, TypeVar

_PR_SET_PDEATHSIG = 1
P = ParamSpec("P")
T = TypeVar("T")


def die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it dies."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # Not Linux: orphaned workers exit when their queue closes.


def _start_worker(preload: Callable[[], object] | None) -> None:
    die_with_parent()
    if preload is not None:
        preload()


def _nothing() -> None:
    """A task that makes a pool start its workers."""


class LazyProcessPool(Executor):
    """A ProcessPoolExecutor that starts its workers on the first task (or :meth:`start`),
    not on creation. Each worker runs ``preload`` as it starts (imports its tasks need)."""

    def __init__(self, workers: int, preload: Callable[[], object] | None = None) -> None:
        self.workers = workers
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.preload,),
            )
        return self._pool

    def start(self) -> None:
        """Start the workers now, so their ``preload`` runs while the caller goes on."""
        if self._pool is None:
            # Forked workers all start with the first task (spawned ones as tasks queue up).
            self._started().submit(_nothing)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._started().submit(fn, *args, **kwargs)

    def map(
        self,
        fn: Callable[..., T],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
    ) -> Iterator[T]:
        return self._started().map(fn, *iterables, timeout=timeout, chunksize=chunksize)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
