"""Replace a folder or file so that a crash leaves either the old or the new one, never half.

Folders are swapped with Linux's ``renameat2(RENAME_EXCHANGE)``: one system call exchanges the
freshly built folder with the published one. Where that call is missing, two renames are used,
and a crash between them is repaired on the next run (:func:`recover`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; return False where the kernel or libc cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        renameat2 = ctypes.CDLL(libc_name, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _old(path: Path) -> Path:
    return path.with_name(f".{path.name}.old")


def recover(path: Path) -> None:
    """Put back a published folder left aside by a crash between two renames."""
    old = _old(path)
    if old.exists() and not path.exists():
        old.rename(path)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)


def remove_stale_staging(path: Path) -> None:
    """Remove staging folders beside ``path`` that a killed build left behind.

    Only call this while holding the build lock: a running build's staging folder looks the same.
    """
    for stale in sorted(path.parent.glob(f".{path.name}.new-*")):
        shutil.rmtree(stale, ignore_errors=True)


def staging_dir(path: Path) -> Path:
    """Return a new empty folder beside ``path`` (same file system, so renames are atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))


def swap_in(new: Path, path: Path) -> None:
    """Publish folder ``new`` at ``path``, replacing what was there, then remove the old one."""
    recover(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        new.rename(path)
        return
    if _exchange(new, path):
        shutil.rmtree(new)
        return
    old = _old(path)
    path.rename(old)
    new.rename(path)
    shutil.rmtree(old)


def write_file(path: Path, data: bytes | bytearray) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    write_chunks(path, (data,))


def write_chunks(path: Path, chunks: Iterable[bytes | bytearray]) -> None:
    """Write ``chunks`` one after the other to ``path``, as :func:`write_file` does: a file too
    large to hold at once is made as it is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
