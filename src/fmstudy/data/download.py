"""Download a registered data set's files, verified before they are renamed into place.

    fetch(get_dataset_spec("mnist"), Path("~/.cache/fmstudy").expanduser())

Each file is tried on every mirror in turn and written under a temporary name;
only a file that passes its checksums is renamed into place, so nothing
unverified is ever left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from fmstudy.atomic import current_umask, write_bytes
from fmstudy.data.idx import archive_ok, expected_layout, gunzip, parse_idx, record_raw_sum, sha256
from fmstudy.data.registry import DatasetSpec, FileSpec
from fmstudy.errors import FmstudyError


def missing_message(spec: DatasetSpec, missing: list[FileSpec], root: Path) -> str:
    """What to do when files of ``spec`` are neither shipped, downloaded nor fetchable."""
    names = ", ".join(f.name for f in missing)
    return (
        f"{spec.name}: missing {names}; download them from {spec.mirrors[0] if spec.mirrors else '?'} "
        f"and put them in {root / spec.name}/ (or set --data-dir / FMSTUDY_DATA_DIR)"
    )


def fetch(
    spec: DatasetSpec,
    root: Path,
    files: list[FileSpec] | None = None,
    *,
    mirrors: tuple[str, ...] | None = None,
    timeout: float = 30.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Download and verify files of a data set into ``root/<name>/``.

    Each file is tried on every mirror in turn; only a file that passes its
    checksums is renamed into place, so nothing unverified is ever left behind.
    """
    files = list(spec.files if files is None else files)
    folder = root / spec.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FmstudyError(f"cannot create data directory {folder}: {exc.strerror}") from None
    done, failures = [], []
    for f in files:
        errors = []
        for mirror in mirrors or spec.mirrors:
            url = mirror.rstrip("/") + "/" + f.name
            try:
                done.append(_download_one(spec, f, url, folder, timeout, progress))
                break
            except (OSError, urllib.error.URLError, FmstudyError, ValueError) as exc:
                errors.append(f"{url}: {getattr(exc, 'reason', exc)}")
        else:
            failures.append((f, errors[-1] if errors else "no mirror"))
    if failures:
        missing = [f for f, _ in failures]
        raise FmstudyError(
            missing_message(spec, missing, root).replace(
                "; download", f" (download failed: {failures[0][1]}); download", 1
            )
        )
    if done and spec.license:
        write_bytes(folder / "LICENSE.txt", f"{spec.title}: {spec.license}\n".encode())
    return done


def _download_one(spec, f: FileSpec, url: str, folder: Path, timeout, progress) -> Path:
    what = f"{spec.name}/{f.name}"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{f.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            got = 0
            while chunk := resp.read(1 << 16):
                out.write(chunk)
                got += len(chunk)
                if progress:
                    progress(f.name, got, total)
            if total and got != total:
                raise FmstudyError(f"{what}: transfer ended after {got} of {total} bytes")
        archive = Path(tmp).read_bytes()
        if not archive_ok(f, archive):
            raise FmstudyError(f"{what}: archive checksum mismatch")
        raw = gunzip(archive, what)
        magic, count, dims = expected_layout(spec, f)
        parse_idx(raw, what=what, magic=magic, count=count, dims=dims)
        sha = sha256(raw)
        if f.sha256_raw and sha != f.sha256_raw:
            raise FmstudyError(f"{what}: decompressed SHA-256 mismatch")
        final = folder / f.name
        os.chmod(tmp, 0o666 & ~current_umask())  # as a plain new file, not mkstemp's 0600
        os.replace(tmp, final)
        if not f.sha256_raw:
            record_raw_sum(folder, f.name.removesuffix(".gz"), sha)
        return final
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
