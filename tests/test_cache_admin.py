"""``fmstudy cache``: sizes per kind, and clearing all or by date, on a made-up data folder."""

import json
import os
from datetime import date, datetime

from fmstudy.cache.admin import cache_usage, clear_cache
from fmstudy.cli.main import main

OLD = datetime(2026, 1, 15).timestamp()
NEW = datetime(2026, 11, 20).timestamp()


def _file(path, size, when):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (when, when))
    return path


def _folder(tmp_path):
    work = tmp_path / "work"
    _file(work / "forest-0123456789abcdef01234567.json", 10, OLD)
    _file(work / "forest-0123456789abcdef01234567.npy", 90, OLD)
    _file(work / "forest-aaaaaaaaaaaaaaaaaaaaaaaa.json", 5, NEW)
    net = work / "network-bbbbbbbbbbbbbbbbbbbbbbbb"
    _file(net / "model.safetensors", 1000, OLD)
    os.utime(net, (OLD, OLD))
    _file(work / "search.db", 300, NEW)
    _file(work / ".forest-cccccccccccccccccccccccc.tmp-x1", 7, OLD)  # a writer's temporary
    _file(tmp_path / "decoded" / "fashion-mnist" / "train-images-0123.npy", 50, OLD)
    _file(tmp_path / "mnist" / "train-images-idx3-ubyte.gz", 400, OLD)
    return tmp_path


def test_usage_per_kind(tmp_path):
    rows = {r.kind: r for r in cache_usage(_folder(tmp_path))}
    assert (rows["forest"].entries, rows["forest"].bytes) == (2, 105)
    assert (rows["forest"].oldest, rows["forest"].newest) == ("2026-01-15", "2026-11-20")
    assert (rows["network"].entries, rows["network"].bytes) == (1, 1000)
    assert rows["search-study"].bytes == 300 and rows["decoded-arrays"].bytes == 50
    assert not rows["downloads"].clearable and rows["downloads"].bytes == 400
    assert not rows["unfinished"].clearable


def test_clear_older_than_a_day_keeps_the_newer_entries_and_downloads(tmp_path):
    root = _folder(tmp_path)
    cleared = clear_cache(root, before=date(2026, 6, 1))
    assert (cleared.entries, cleared.bytes) == (3, 100 + 1000 + 50)
    kinds = {r.kind: r.entries for r in cache_usage(root)}
    assert kinds == {"forest": 1, "search-study": 1, "unfinished": 1, "downloads": 1}


def test_clear_all_through_the_cli(tmp_path, capsys):
    root = _folder(tmp_path)
    assert main(["cache", "--clear", "--data-dir", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == 5
    assert main(["cache", "--data-dir", str(root), "--json"]) == 0
    kinds = {r["kind"] for r in json.loads(capsys.readouterr().out)["kinds"]}
    assert kinds == {"unfinished", "downloads"}
    assert (root / "mnist" / "train-images-idx3-ubyte.gz").is_file()
