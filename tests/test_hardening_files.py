"""Issue 24 (5, 6): a report folder and the fit cache never lose or mix up a user's files.

``--out`` replaces only what fmstudy wrote there (each file named in its marker),
writes through a symlink, and refuses the folders a report must never replace;
cache entries are bound to their keys; ``fmstudy cache`` survives odd files and
dates and clears the decoded copies of one's own data."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
from badinput import check_bad_input, deny_access

from fmstudy import FmstudyError
from fmstudy.api import run_study
from fmstudy.cache.admin import cache_usage, clear_cache
from fmstudy.cache.fits import FitCache, copy_saved
from fmstudy.cli.main import main
from fmstudy.course.all_groups import run_all_groups
from fmstudy.models.classical import FitResult
from fmstudy.report.write import MARKER, check_out_dir, foreign_files
from fmstudy.study.config import StudyConfig

RUN = ["run", "--classes", "4,5", "--tasks", "1", "--profile", "quick"]
OURS = ("index.html", "metrics.json", "figures/examples.png", "models/net/spec.json")


def report(files=OURS, *, listed=..., extra=(), name="rep"):
    """A maker of an earlier report folder: ``files`` that fmstudy wrote, a marker listing
    ``listed`` (default: ``files``; None: an old marker without a list, a string: the
    marker's raw text) and the user's own ``extra`` files."""

    def make(p):
        out = p / name
        out.mkdir(parents=True)
        for f in (*files, *extra):
            (out / f).parent.mkdir(parents=True, exist_ok=True)
            (out / f).write_text("user" if f in extra else "fmstudy")
        if isinstance(listed, str):
            (out / MARKER).write_text(listed)
        else:
            marker = {"fmstudy": "0.1.0"}
            if listed is not None:
                marker["files"] = list(files if listed is ... else listed)
            (out / MARKER).write_text(json.dumps(marker))
        return out

    return make


def with_link(make, name: str, lead_to=None):
    """A maker: ``make``'s folder with a symlink ``name`` inside (to ``lead_to`` under
    tmp_path, made as a folder when missing; None: to the user's file elsewhere)."""

    def made(p):
        out = make(p)
        target = p / (lead_to or "elsewhere.txt")
        if lead_to is None:
            target.write_text("mine")
        else:
            target.mkdir(exist_ok=True)
        link = out / name
        if link.exists():
            link.unlink()
        link.symlink_to(target)
        return out

    return made


def link(name: str, to: str, make_target=None):
    """A maker of a symlink ``name`` to ``to`` (made first by ``make_target``, if given)."""

    def make(p):
        if make_target:
            make_target(p)
        (p / name).symlink_to(p / to)
        return p / name

    return make


def fifo(p):
    os.mkfifo(p / "pipe")
    return p / "pipe"


def a_file(p):
    (p / "file.txt").write_text("x")
    return p / "file.txt"


def marked_marker(p):
    out = report(extra=())(p)
    (out / MARKER).unlink()
    (p / "someone-elses.json").write_text(json.dumps({"files": ["index.html"]}))
    (out / MARKER).symlink_to(p / "someone-elses.json")
    return out


def _search_out(p):
    """A search folder whose report/ holds a file of the user's."""
    return report(name="s/report", extra=["notes.md"])(p).parent


CASES = [
    # folders a report may never replace, even with --force
    ([*RUN, "--out", ""], "is the folder you are in"),
    ([*RUN, "--out", "."], "is the folder you are in"),
    ([*RUN, "--out", ".", "--force"], "is the folder you are in"),
    ([*RUN, "--out", "/"], "is a folder above the folder you are in"),
    ([*RUN, "--out", "..", "--force"], "is a folder above the folder you are in"),
    ([*RUN, "--out", "sub/.."], "is the folder you are in"),
    ([*RUN, "--out", "~"], "starts with a literal '~'"),
    ([*RUN, "--out", "~/report"], "starts with a literal '~'"),
    ([*RUN, "--out", "d"], "is the data folder"),
    ([*RUN, "--out", "x", "--data-dir", "x/data", "--force"], "a folder above the data folder"),
    ([*RUN, "--out", "d/work", "--force"], "inside the data folder"),
    ([*RUN, "--out", "x/data/r", "--data-dir", "x/data", "--force"], "inside the data folder"),
    (["run", "--all-groups", "--out", "."], "is the folder you are in"),
    (["nn", "--arch", "notebook-1", "--classes", "4,5", "--out", ".."], "a folder above"),
    # the user's files in an earlier report: never deleted without --force
    ([*RUN, "--out", report(extra=["figures/my-own-plot.png"])], "figures/my-own-plot.png"),
    ([*RUN, "--out", report(extra=["models/mine/spec.json"])], "models/mine/spec.json"),
    (
        [*RUN, "--out", report(listed=["figures/", "models/"], extra=["figures/my-own-plot.png"])],
        "figures/my-own-plot.png",
    ),
    (
        [*RUN, "--out", report(listed=["figures/*.png"], extra=["figures/my-own-plot.png"])],
        "figures/my-own-plot.png",
    ),
    ([*RUN, "--out", report(listed=None, extra=["figures/my-own-plot.png"])], "lists no files"),
    ([*RUN, "--out", report(listed=None, extra=["models/mine/spec.json"])], "lists no files"),
    ([*RUN, "--out", report(listed='{"files": [1, 2]}')], "lists no files"),
    ([*RUN, "--out", report(listed="[" * 100_000)], "lists no files"),
    ([*RUN, "--out", with_link(report(), "index.html")], "holds index.html"),
    ([*RUN, "--out", with_link(report(), "data", lead_to="theirs")], "holds data"),
    ([*RUN, "--out", marked_marker], "is not an fmstudy report"),
    (
        ["run", "--all-groups", "--out", report(extra=["A-G/figures/mine.png"])],
        "A-G/figures/mine.png",
    ),
    (
        ["search", "--classes", "4,5", "--out", lambda p: _search_out(p)],
        "notes.md",
    ),
    # --out that is no folder
    ([*RUN, "--out", link("loop", "loop")], "leads round in a loop"),
    ([*RUN, "--out", link("to-file", "file.txt", a_file), "--force"], "is a file"),
    ([*RUN, "--out", fifo, "--force"], "is a file"),
    ([*RUN, "--out", a_file], "is a file"),
    (["cache", "--clear", "--older-than", "10000-01-01"], "is not a day"),
]


@pytest.mark.parametrize(("args", "words"), CASES)
def test_bad_out_and_cache_input(args, words, tmp_path, capsys, monkeypatch):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_the_home_folder_is_never_replaced(tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    check_bad_input(
        [*RUN, "--out", str(home), "--force"], "your home folder", tmp_path, capsys, monkeypatch
    )


def test_a_symlink_to_the_current_folder_is_refused_too(tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "work")
    monkeypatch.chdir(tmp_path / "work")
    with pytest.raises(FmstudyError, match="is the folder you are in"):
        check_out_dir(tmp_path / "link", force=True)


def test_an_unreadable_folder_in_a_report_is_foreign(tmp_path, monkeypatch):
    out = report()(tmp_path)
    (out / "private").mkdir()
    deny_access(monkeypatch, out / "private")
    assert foreign_files(out) == ["private/"]


# --- what a real report's marker lists, and replacing it ------------------------------


def _cfg():
    return StudyConfig(classes=(4, 5), dataset="synth", tasks=("1",))


def test_the_marker_names_every_file_and_nothing_else(tmp_path, synthetic):
    _, data_dir = synthetic
    out = run_study(_cfg(), data_dir=data_dir).save(tmp_path / "report")
    files = json.loads((out / MARKER).read_text())["files"]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(files) == on_disk - {MARKER} and len(files) == len(set(files))
    assert not any(f.endswith("/") or set("*?[") & set(f) for f in files)
    assert foreign_files(out) == []


def test_a_users_plot_and_model_in_a_report_survive_a_rerun(tmp_path, synthetic):
    _, data_dir = synthetic
    result = run_study(_cfg(), data_dir=data_dir)
    out = result.save(tmp_path / "report")
    (out / "figures" / "my-own-plot.png").write_bytes(b"plot")
    (out / "models" / "mine").mkdir(parents=True)
    (out / "models" / "mine" / "spec.json").write_text("{}")
    with pytest.raises(FmstudyError, match="figures/my-own-plot.png, models/mine/spec.json"):
        result.save(out)
    assert (out / "figures" / "my-own-plot.png").read_bytes() == b"plot"
    assert (out / "models" / "mine" / "spec.json").read_text() == "{}"


def test_a_symlinked_out_is_written_through(tmp_path, synthetic):
    """The link stays a link to the same place; its target gets the new report (twice:
    the second replaces the first), and nothing is left beside either."""
    _, data_dir = synthetic
    result = run_study(_cfg(), data_dir=data_dir)
    (tmp_path / "share").mkdir()
    target = tmp_path / "share" / "report"
    (tmp_path / "report").symlink_to(target)  # dangling until the first report
    for _ in range(2):
        result.save(tmp_path / "report")
        assert (tmp_path / "report").is_symlink()
        assert os.readlink(tmp_path / "report") == str(target)
        assert (target / "index.html").is_file() and not target.is_symlink()
        assert foreign_files(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "report", "share"]
    assert [p.name for p in (tmp_path / "share").iterdir()] == ["report"]


def test_force_removes_a_symlink_in_a_report_but_not_what_it_leads_to(tmp_path, synthetic):
    _, data_dir = synthetic
    result = run_study(_cfg(), data_dir=data_dir)
    out = result.save(tmp_path / "report")
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter.tex").write_text("mine")
    (out / "thesis").symlink_to(tmp_path / "thesis")
    result.save(out, force=True)
    assert not (out / "thesis").exists()
    assert (tmp_path / "thesis" / "chapter.tex").read_text() == "mine"


def test_an_old_marker_with_only_the_marker_may_be_replaced(tmp_path):
    out = report(files=(), listed=None)(tmp_path)
    assert check_out_dir(out, force=False) == out


# --- run --all-groups: DIR/<group>/ and the overview, each file by name -----------------

GROUPS = "A-M:4-5,N-Ö:6-7"
SETTINGS = {"dataset": "synth", "profile": "quick", "tasks": "1"}


def test_all_groups_marks_every_file_and_keeps_the_users(tmp_path, synthetic):
    _, data_dir = synthetic
    out = tmp_path / "course"
    run_all_groups(SETTINGS, out, groups=GROUPS, data_dir=data_dir)
    files = json.loads((out / MARKER).read_text())["files"]
    assert {"index.html", "index.md", "overview.json", "A-M/index.html", "N-Ö/" + MARKER} <= set(
        files
    )
    assert not any(f.endswith("/") for f in files) and foreign_files(out) == []
    run_all_groups(SETTINGS, out, groups=GROUPS, data_dir=data_dir)  # its own files: replaced
    (out / "A-M" / "figures" / "mine.png").write_bytes(b"mine")
    with pytest.raises(FmstudyError, match="A-M/figures/mine.png"):
        run_all_groups(SETTINGS, out, groups=GROUPS, data_dir=data_dir)
    assert (out / "A-M" / "figures" / "mine.png").read_bytes() == b"mine"


def test_all_groups_checks_again_before_it_replaces(tmp_path, synthetic, monkeypatch):
    """A file the user saves into the old folder while the groups run is not lost."""
    import fmstudy.course.all_groups as ag

    _, data_dir = synthetic
    out = tmp_path / "course"
    run_all_groups(SETTINGS, out, groups=GROUPS, data_dir=data_dir)

    def meanwhile(*args, **kwargs):
        (out / "NOTES.md").write_text("written during the run")
        return real(*args, **kwargs)

    real = ag.run_study
    monkeypatch.setattr(ag, "run_study", meanwhile)
    with pytest.raises(FmstudyError, match="NOTES.md"):
        run_all_groups(SETTINGS, out, groups=GROUPS, data_dir=data_dir)
    assert (out / "NOTES.md").read_text() == "written during the run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "data"]


# --- the fit cache: each entry's files bound to its key --------------------------------

SHA = {"train-images": "a" * 64}


def _fit(labels):
    proba = np.eye(2)[[0 if y == 4 else 1 for y in labels]] * 0.8 + 0.1
    return FitResult("forest", "Random forest", np.array(labels), 1.0, 0.1, {}, proba)


def _swap(a, b):
    tmp = a.with_name(a.name + ".swap")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)


def test_swapped_entries_are_misses_not_each_others_results(tmp_path, caplog):
    cache = FitCache(tmp_path, SHA, (4, 5))
    ka, kb = cache.key("forest", {"n": 1}), cache.key("forest", {"n": 2})
    cache.keep_fit(ka, _fit([4, 4, 5]))
    cache.keep_fit(kb, _fit([5, 5, 4]))
    for suffix in (".json", ".npy", ".proba.npy"):
        _swap(tmp_path / f"{ka}{suffix}", tmp_path / f"{kb}{suffix}")
    with caplog.at_level("WARNING", logger="fmstudy"):
        assert cache.load_fit(ka) is None and cache.load_fit(kb) is None
    assert "belongs to another entry" in caplog.text


def test_a_record_resealed_under_another_key_is_a_miss(tmp_path):
    cache = FitCache(tmp_path, SHA, (4, 5))
    ka, kb = cache.key("curve", {"n": 1}), cache.key("curve", {"n": 2})
    cache.keep_record(ka, {"accuracy": 0.9})
    (tmp_path / f"{kb}.json").write_bytes((tmp_path / f"{ka}.json").read_bytes())
    assert cache.load_record(kb) is None and cache.load_record(ka) == {"accuracy": 0.9}


def test_two_real_fits_with_swapped_files_are_misses(synthetic, caplog):
    """The study's forest and a logistic regression entry, each intact, swapped file by
    file: both are misses (fitted again), the untouched entry still a hit."""
    _, data_dir = synthetic
    cfg = StudyConfig(
        classes=(4, 5), dataset="synth", profile="quick", tasks=("3", "4"), learning_curves=False
    )
    first = run_study(cfg, data_dir=data_dir)
    work = data_dir / "work"
    (forest,) = (p.stem for p in work.glob("forest-*.json"))
    logreg, other = sorted(p.stem for p in work.glob("logreg-*.json"))
    for suffix in (".json", ".npy", ".proba.npy", ".skops"):
        _swap(work / f"{forest}{suffix}", work / f"{logreg}{suffix}")
    cache = FitCache(work, SHA, (4, 5), n_test=len(first.predictions))
    with caplog.at_level("WARNING", logger="fmstudy"):
        assert cache.load_fit(forest) is None and cache.load_fit(logreg) is None
    assert caplog.text.count("belongs to another entry") == 2
    assert cache.load_fit(other) is not None


def test_a_network_moved_under_another_key_is_neither_loaded_nor_copied(tmp_path, synthetic):
    from conftest import SMALL

    _, data_dir = synthetic
    net = {**SMALL.to_dict(), "epochs": 1}
    cfg = StudyConfig(
        classes=(4, 5), dataset="synth", tasks=("1", "5"), networks=(net,), network_seeds=1
    )
    run_study(cfg, data_dir=data_dir)
    (folder,) = (data_dir / "work").glob("network-*")
    moved = folder.with_name("network-" + "0" * 24)
    folder.rename(moved)
    cache = FitCache(data_dir / "work", SHA, (4, 5))
    assert cache.load_training(moved.name, SMALL) is None
    with pytest.raises(FmstudyError, match="changed while the report was written"):
        copy_saved(moved, tmp_path / "copy")
    assert not (tmp_path / "copy").exists()


# --- fmstudy cache: odd dates and odd files --------------------------------------------

KEY = "0123456789abcdef01234567"


def _cache_folder(root):
    work = root / "work"
    work.mkdir(parents=True)
    (work / f"forest-{KEY}.json").write_text("{}")
    (work / f"forest-{KEY}.npy").write_bytes(b"x" * 10)
    own = root / "decoded" / "own"
    own.mkdir(parents=True)
    (own / "abc.npz").write_bytes(b"z" * 20)
    (root / "decoded" / "fashion-mnist").mkdir()
    (root / "decoded" / "fashion-mnist" / "train-images-0123.npy").write_bytes(b"y" * 30)
    return root


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
def zone(request, monkeypatch):
    """Local time in a zone at each edge of the clock (the process's TZ restored after)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("day", "removed"), [("0001-01-01", 0), ("0001-01-02", 0), ("9999-12-31", 3)]
)
def test_clear_older_than_the_edges_of_the_calendar(tmp_path, capsys, zone, day, removed):
    root = _cache_folder(tmp_path)
    argv = ["cache", "--clear", "--older-than", day, "--data-dir", str(root), "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == removed


def test_decoded_copies_of_own_data_are_listed_and_cleared(tmp_path):
    root = _cache_folder(tmp_path)
    rows = {r.kind: r for r in cache_usage(root)}
    assert (rows["decoded-own-data"].entries, rows["decoded-own-data"].bytes) == (1, 20)
    assert (rows["decoded-arrays"].entries, rows["decoded-arrays"].bytes) == (1, 30)
    assert clear_cache(root).entries == 3
    assert not list((root / "decoded").rglob("*.np*")) and cache_usage(root) == []


def test_odd_files_in_the_cache_neither_crash_nor_lead_outside(tmp_path, capsys):
    """A dangling symlink, a symlink to the user's file, a FIFO, an unreadable file and a
    symlink loop: listed and cleared as entries of their own; what a link leads to stays."""
    root = _cache_folder(tmp_path / "data")
    work = root / "work"
    (tmp_path / "mine.txt").write_text("mine")
    (work / f"logreg-{'a' * 24}.json").symlink_to(tmp_path / "gone.json")
    (work / f"logreg-{'b' * 24}.json").symlink_to(tmp_path / "mine.txt")
    os.mkfifo(work / f"knn-{'c' * 24}.npy")
    (work / f"svc-{'d' * 24}.json").write_text("{}")
    (work / f"svc-{'d' * 24}.json").chmod(0)
    net = work / f"network-{'e' * 24}"
    net.mkdir()
    (net / "loop").symlink_to(net)
    (net / "outside").symlink_to(tmp_path)
    (root / "decoded" / "loop").symlink_to(root / "decoded")
    (root / "decoded" / "gone.npy").symlink_to(tmp_path / "gone.npy")
    assert main(["cache", "--data-dir", str(root), "--json"]) == 0
    kinds = {r["kind"]: r["entries"] for r in json.loads(capsys.readouterr().out)["kinds"]}
    assert kinds == {
        "decoded-arrays": 2,
        "decoded-own-data": 1,
        "forest": 1,
        "knn": 1,
        "logreg": 2,
        "network": 1,
        "svc": 1,
    }
    assert main(["cache", "--clear", "--data-dir", str(root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == 9
    assert sorted(p.name for p in work.iterdir()) == []
    assert (tmp_path / "mine.txt").read_text() == "mine"
    assert (root / "decoded" / "own").is_dir()


def test_an_unreadable_cache_folder_is_one_line(tmp_path, capsys, monkeypatch):
    root = _cache_folder(tmp_path / "data")
    deny_access(monkeypatch, root / "work")
    check_bad_input(
        ["cache", "--data-dir", str(root)],
        "cannot read the cache folder",
        tmp_path,
        capsys,
        monkeypatch,
    )
