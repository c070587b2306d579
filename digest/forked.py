"""Run one piece of a build in a forked process, on the second core, and take its result back.

For work that needs the whole gathered digest (too large to send to a worker) and writes its
own files: a fork shares the parent's memory as it is. The child never returns into the
caller's code: it hands back its result (or the exception it raised) and leaves with
``os._exit``, and it dies with the build (see :func:`digest.workers.die_with_parent`).
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import IO, Generic, TypeVar

from digest.errors import BuildError
from digest.workers import die_with_parent

T = TypeVar("T")


class Forked(Generic[T]):
    """``work()`` running in a child process (or run here, where forking is not possible)."""

    def __init__(self, work: Callable[[], T], *, fork: bool = True) -> None:
        self._pid: int | None = None
        self._channel: IO[bytes] | None = None
        self._value: T | None = None
        if not fork or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
            self._value = work()
            return
        self._channel = tempfile.TemporaryFile()  # noqa: SIM115 - closed by result()
        pid = fork_child()
        if pid:
            self._pid = pid
            return
        status = 1
        try:
            try:
                outcome: tuple[bool, object] = (True, work())
                status = 0
            except BaseException as exc:  # Handed to the parent, which raises it.
                outcome = (False, _portable(exc))
            pickle.dump(outcome, self._channel)
            self._channel.flush()
        finally:
            os._exit(status)

    def result(self) -> T:
        """Wait for the child and return its result; raise what it raised."""
        if self._pid is None:
            return self._value  # type: ignore[return-value]
        assert self._channel is not None
        code, data = collect(self._pid, self._channel)
        self._pid = None
        try:
            ok, value = pickle.loads(data)
        except Exception:  # A child killed mid-write left no whole result.
            raise BuildError(f"A helper process of the build died (status {code})") from None
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child if it still runs (the build failed before taking its result)."""
        if self._pid is not None:
            stop(self._pid)
            self._pid = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None


class Tickets:
    """The numbers 0 to ``count - 1``, each handed out once, to whichever process asks first.

    For work cut into independent pieces that a build and its forked child share: each takes
    the next piece when it is free, so neither waits while the other still has a queue. The
    next number is a counter in shared memory behind a lock; create the tickets before the
    fork.
    """

    def __init__(self, count: int) -> None:
        import multiprocessing

        self.count = count
        self._next = multiprocessing.Value("q", 0)

    def __iter__(self) -> Iterator[int]:
        """Yield the pieces this process takes, until none are left."""
        while True:
            with self._next.get_lock():
                number = self._next.value
                self._next.value = number + 1
            if number >= self.count:
                return
            yield number


def share_out(
    count: int, piece: Callable[[int], T], first: Callable[[], object], *, fork: bool = True
) -> dict[int, T]:
    """Run ``piece(0)`` to ``piece(count - 1)`` shared between this process and a forked
    child that runs ``first()`` before its share; return every piece's result by number.

    The pieces' results come back from the child pickled: return what the caller needs to
    know of a piece (a path, a hash), not what the piece wrote. Without a fork (``fork``
    False, or no second core) ``first()`` and every piece run here.
    """
    tickets = Tickets(count)

    def theirs() -> dict[int, T]:
        first()
        return {number: piece(number) for number in tickets}

    other = Forked(theirs, fork=fork)
    try:
        done = {number: piece(number) for number in tickets}
        done.update(other.result())
    finally:
        other.cancel()
    return done


def fork_child() -> int:
    """``os.fork()``, the child dying with the parent and deaf to Ctrl-C.

    A Ctrl-C reaches the whole process group: a child interrupted between the fork and its
    own ``try`` would unwind into the caller's code (and remove the build's staging folders,
    roll back its store). The child never sees SIGINT; the parent stops it (``SIGKILL``) when
    it is interrupted itself, and Linux kills it if the parent dies.
    """
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    with warnings.catch_warnings():
        # Python 3.12 warns about forking beside threads (an idle executor's): the child only
        # does its one piece of work and leaves with os._exit.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    else:
        die_with_parent()
    return pid


def collect(pid: int, channel: IO[bytes]) -> tuple[int, bytes]:
    """Wait for a child started by :func:`fork_child`; return its exit code and what it wrote
    to ``channel`` (a temporary file it inherited), and close ``channel``."""
    _, status = os.waitpid(pid, 0)
    channel.seek(0)
    data = channel.read()
    channel.close()
    return os.waitstatus_to_exitcode(status), data


def stop(pid: int) -> None:
    """Kill a child started by :func:`fork_child` and reap it (gone already: nothing to do)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a BuildError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        text = "".join(traceback.format_exception_only(exc)).strip()
        return BuildError(f"A helper process of the build failed: {text}")
    return exc
