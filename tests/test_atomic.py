"""atomic.py: whole folders or none, leftovers of killed writers cleaned, concurrent
writers of one folder all succeed."""

import os
import signal
import subprocess
import sys
import threading

from fmstudy.atomic import building_dir, clean_leftovers

WRITER = """
import sys, time
from pathlib import Path
from fmstudy.atomic import building_dir
with building_dir(Path(sys.argv[1])) as tmp:
    (tmp / "half.txt").write_text("half")
    print("inside", flush=True)
    time.sleep(60)
"""


def _writer(target):
    p = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout.readline().strip() == "inside"
    return p


def _hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_killed_writer_leaves_nothing_after_the_next_write(tmp_path):
    target = tmp_path / "report"
    p = _writer(target)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert any(".tmp-" in n for n in _hidden(tmp_path))  # what kill -9 leaves
    with building_dir(target) as tmp:
        (tmp / "whole.txt").write_text("whole")
    assert _hidden(tmp_path) == [] and [p.name for p in target.iterdir()] == ["whole.txt"]


def test_a_live_writers_folder_is_left_alone(tmp_path):
    target = tmp_path / "report"
    p = _writer(target)
    try:
        assert clean_leftovers(target) == []
        assert any(n.endswith(".lock") for n in _hidden(tmp_path))
    finally:
        p.kill()
        p.wait()
    assert clean_leftovers(target) != []  # once it is dead, its folder goes


def test_concurrent_writers_of_one_folder_all_succeed(tmp_path):
    target = tmp_path / "out"
    errors, writes = [], 250

    def write(worker):
        for i in range(writes):
            try:
                with building_dir(target) as tmp:
                    (tmp / "a.txt").write_text(f"{worker}-{i}")
                    (tmp / "b.txt").write_text(f"{worker}-{i}")
            except Exception as exc:  # noqa: BLE001 (collected and asserted below)
                errors.append(repr(exc))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], errors[:3]
    assert (target / "a.txt").read_text() == (target / "b.txt").read_text()  # one whole folder
    assert _hidden(tmp_path) == []
