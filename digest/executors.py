"""Where the keyword stage runs: a local process pool started only when needed, or a Dask cluster.

A rebuild with nothing new extracts nothing and so starts no process. Pool workers are forked
and ask Linux to kill them when the build dies: a forked worker holds the pool's own pipes
open, so without that it would wait on them forever after a ``kill -9`` of its build
(tests/test_faults.py counts processes left behind).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from digest.errors import ConfigError

_PR_SET_PDEATHSIG = 1
P = ParamSpec("P")
T = TypeVar("T")
DASK_SCHEME = "dask://"


def start_worker() -> None:
    """Make a pool worker die with the build and leave Ctrl-C to it.

    Ctrl-C reaches every process of the terminal's group: the build stops the pool itself, so
    a worker ignores it (else each prints a traceback of its own, tests/test_interrupt.py).
    Linux kills the worker when the process that started it dies.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # Not Linux: orphaned workers exit when their queue closes.


class LazyProcessPool(Executor):
    """A ProcessPoolExecutor whose workers start with its first task, not on creation.

    ``preload`` runs in this process just before forked workers start: what it imports or
    reads, the workers inherit, instead of each doing it again.
    """

    def __init__(self, workers: int, preload: Callable[[], object] | None = None) -> None:
        self.workers = workers
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            if method == "fork" and self.preload is not None:
                self.preload()
            context = multiprocessing.get_context(method)
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context, initializer=start_worker
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

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        # A failed or interrupted build does not wait for the work in flight.
        failed = error is not None
        self.shutdown(wait=not failed, cancel_futures=failed)


@contextmanager
def keyword_executor(
    workers: int, address: str = "", given: Executor | None = None
) -> Iterator[Executor | None]:
    """Yield where keywords are extracted: ``given``, a Dask cluster at ``address``
    (``dask://HOST:PORT``), a local pool of ``workers`` processes (0: one per CPU), or None
    (in-process) when one process is all there is."""
    if given is not None:
        yield given
        return
    if address:
        with _dask(address) as executor:
            yield executor
        return
    count = workers or os.cpu_count() or 1
    if count <= 1:
        yield None
        return
    with LazyProcessPool(count, _load_keyword_stage) as pool:
        yield pool


def _load_keyword_stage() -> None:
    """Import yake and read the keyphrase model once, for every forked worker: each imported
    yake itself (0.3 s of CPU a worker) while the build's process waited."""
    from digest.text.keywords import load_extraction

    load_extraction()


@contextmanager
def _dask(address: str) -> Iterator[Executor]:
    """Connect to a Dask scheduler (the optional ``dask`` extra) and yield its executor."""
    if not address.startswith(DASK_SCHEME):
        raise ConfigError(f"executor must be {DASK_SCHEME}HOST:PORT, got {address!r}")
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("executor = dask://... needs Dask: pip install 'digest[dask]'") from None
    try:
        client = Client(f"tcp://{address.removeprefix(DASK_SCHEME)}", timeout=30)
    except OSError as exc:
        raise ConfigError(f"Cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        yield client.get_executor()
    finally:
        client.close()
