"""The default executor for keyword extraction: a process pool started only when needed.

A rebuild with nothing new extracts nothing and so starts no process. Workers are forked
(fast: yake is already imported) and ask Linux to kill them if the build dies, so a
``kill -9`` of a build never leaves orphaned workers behind.
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


class LazyProcessPool(Executor):
    """A ProcessPoolExecutor that starts its workers on the first task, not on creation."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context, initializer=die_with_parent
            )
        return self._pool

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
