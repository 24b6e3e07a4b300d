"""A throwaway PostgreSQL server from Debian's packages (installed by .ci/run), for the
tests and the search benchmark: its own data folder, a free port on 127.0.0.1, one
empty database ``fmstudy``; stopped and removed on exit."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def pg_bindir() -> Path | None:
    roots = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return roots[-1] if roots else None


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: run .ci/run (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="fmstudy-pg-"))  # pytest's own tmp is root-only
    data = root / "data"
    as_pg: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: Debian's postgres user runs it
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_pg = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def pg(tool: str, *args: str) -> None:
        subprocess.run(
            [*as_pg, str(bindir / tool), *args], check=True, capture_output=True, cwd=root
        )

    pg("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=100"
    pg("pg_ctl", "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start")
    try:
        pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "fmstudy")
        yield f"postgresql://postgres@127.0.0.1:{port}/fmstudy"
    finally:
        pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
