"""Write files and folders so that a crash never leaves a half-written one behind.

write_bytes(path, data)                  # temporary name, then os.replace
with building_dir(target) as tmp: ...    # fill tmp; it replaces target on success

A folder is built as ``.NAME.tmp-XXXX`` beside its target while its writer holds a
lock on ``.NAME.tmp-XXXX.lock``.  A writer killed outright (``kill -9``) leaves
both behind; the next writer into the same place removes them once it can take
their lock, which no live writer holds.  Concurrent writers of one target each
end with a whole folder in place: the last one to finish wins.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (/proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` atomically (see :func:`write_with`)."""
    write_with(path, lambda fh: fh.write(data))


def write_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` fill a file under a temporary name in the same folder, then rename it
    into place, with the permissions the umask gives a new file (a temporary file starts
    at 0600); a failed write leaves nothing behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove(path: Path) -> None:
    """Remove a folder and what it holds, or a file or symlink (never a symlink's target)."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def clean_leftovers(target: Path) -> list[Path]:
    """Remove the temporary folders of writers of ``target`` that died; returns them."""
    removed = []
    for lock in target.parent.glob(f".{target.name}.tmp-*.lock"):
        try:
            fh = open(lock, "a")  # noqa: SIM115 (held across the checks below)
        except OSError:
            continue
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer holds it
            tmp = lock.with_suffix("")
            for leftover in (tmp, *tmp.parent.glob(f"{tmp.name}.old*")):
                _remove(leftover)
                removed.append(leftover)
            with contextlib.suppress(OSError):
                lock.unlink()
    return removed


def _swap_in(tmp: Path, target: Path) -> None:
    """Put ``tmp`` in place of ``target``, retrying when another writer got there first."""
    olds = []
    try:
        for attempt in range(1000):
            if target.exists():
                old = tmp.with_name(f"{tmp.name}.old{attempt}")
                with contextlib.suppress(FileNotFoundError):  # another writer moved it
                    os.replace(target, old)
                    olds.append(old)
            try:
                os.replace(tmp, target)
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        raise OSError(errno.EBUSY, f"{target} kept being replaced by other writers")
    finally:
        for old in olds:
            _remove(old)


@contextlib.contextmanager
def building_dir(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` that replaces it only if the block succeeds; it
    gets the permissions the umask gives a new folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    os.chmod(tmp, 0o777 & ~current_umask())  # as mkdir would make it, not mkdtemp's 0700
    lock = tmp.with_name(tmp.name + ".lock")
    # Locked under another name first, then renamed: a cleaner never sees it unlocked.
    fd, unnamed = tempfile.mkstemp(dir=target.parent, prefix=f".{tmp.name}.", suffix=".part")
    with os.fdopen(fd, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        os.replace(unnamed, lock)
        try:
            yield tmp
            _swap_in(tmp, target)
        except BaseException:
            _remove(tmp)
            raise
        finally:
            with contextlib.suppress(OSError):
                lock.unlink()
