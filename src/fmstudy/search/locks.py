"""Locks between search workers: the study's lock while a trial is asked for, and each
worker's lease, held for its whole life.

    with study_lock(url, "fashion-mnist-4-5-6-7"): ...     # one worker asks at a time
    with worker_lease(url, name, worker=3): ...             # while it lives
    worker_alive(url, name, 3)                              # False once it died

SQLite studies lock files beside the database (``DB.lock``, ``DB.worker-N.lock``);
PostgreSQL studies take advisory locks, each on a connection of its own, which the
server releases when a worker's connection dies with it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from pathlib import Path


def connect_args(url: str) -> dict:
    """Connection options: a timeout, so a worker waits for another's write or fails."""
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        return {"connect_timeout": 10}
    if backend == "sqlite":
        return {"timeout": 60}  # several local workers wait for each other's writes
    return {}


@contextlib.contextmanager
def study_lock(url: str, study_name: str) -> Iterator[None]:
    """Mutual exclusion between workers of one study, wherever they run."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with open(f"{parsed.database}.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if parsed.get_backend_name() != "postgresql":
        yield  # other databases: counts may overshoot by one per extra worker
        return
    with _advisory_lock(url, _advisory_key(study_name)):
        yield


_ENGINES: dict = {}


def _lock_engine(url: str):
    from sqlalchemy import create_engine

    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, connect_args=connect_args(url))
    return _ENGINES[url]


@contextlib.contextmanager
def _advisory_lock(url: str, key: int) -> Iterator[None]:
    """A PostgreSQL advisory lock held on a connection of its own for the block."""
    from sqlalchemy import text

    with _lock_engine(url).connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


def _advisory_key(*parts) -> int:
    text_key = "/".join(map(str, parts))
    return int.from_bytes(hashlib.sha256(text_key.encode()).digest()[:8], "big", signed=True)


def _lease_file(url: str, worker: int) -> Path:
    from sqlalchemy.engine import make_url

    return Path(f"{make_url(url).database}.worker-{worker}.lock")


@contextlib.contextmanager
def worker_lease(url: str, study_name: str, worker: int) -> Iterator[None]:
    """Held for a worker's lifetime: while it is, the worker's running trials are its own;
    once its process dies, the lease is free and :func:`worker_alive` says so at once."""
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = _lease_file(url, worker)
        with open(path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                with contextlib.suppress(OSError):
                    path.unlink()  # a clean exit: no trial of this worker is running
        return
    if backend != "postgresql":
        yield
        return
    with _advisory_lock(url, _advisory_key(study_name, "worker", worker)):
        yield


def worker_alive(url: str, study_name: str, worker: int) -> bool | None:
    """Whether worker ``worker`` of the study still holds its lease: True, False, or None
    where that cannot be known (no lease taken, or a database without locks)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = _lease_file(url, worker)
        if not path.is_file():
            return None
        with open(path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
        return False
    if backend != "postgresql":
        return None
    key = _advisory_key(study_name, "worker", worker)
    with _lock_engine(url).connect() as conn:
        free = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if free:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        conn.commit()
    return not free
