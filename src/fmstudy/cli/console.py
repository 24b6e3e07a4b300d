"""What the command line prints: Rich tables of results the library returned.

    print_summary(result, out)        # after fmstudy run / nn
    print_evaluation(evaluated)       # fmstudy evaluate

Nothing here computes; each function only lays out records it is given.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def shown(text) -> str:
    """A user's text (a file name) for the terminal: Rich markup escaped, and a control
    character shown as its escape (``\\x1b``), never sent to the terminal to act on."""
    return escape(re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m[0])[1:-1], str(text)))


def print_list(rows: list[dict], root: Path, as_json: bool) -> None:
    """``fmstudy data --list``: the known data sets and whether each works offline."""
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Data sets (data dir: {root})")
    for col in ("name", "offline", "classes", "licence"):
        table.add_column(col)
    for r in rows:
        offline = {"shipped": "yes (shipped)", "cached": "yes (downloaded)"}.get(
            r["available"], "no: downloaded on first use"
        )
        table.add_row(*map(escape, (r["name"], offline, ", ".join(r["classes"]), r["license"])))
    Console().print(table)


def print_verification(v: dict, surname: str | None) -> None:
    """``fmstudy data``: task 1's shapes, hashes and the class filter."""
    out = Console(highlight=False)
    sh = v["shapes"]
    if "split" in v:  # own data or digits: read, hashed as loaded, split as said
        split = v["split"]
        how = (
            "split as given"
            if split["kind"] == "given"
            else f"split {split['test_share']:.0%} to test per class, stratified, seed {split['seed']}"
        )
        sha = v["sha256"]["loaded"]
        out.print(f"[bold]{shown(v['dataset'])}[/]: {how}; SHA-256 as loaded {sha[:16]}...")
        if v.get("duplicates"):
            out.print(
                f"  [bold]warning[/]: {v['duplicates']} test images are identical to training "
                "images (the test accuracy overstates the accuracy on new images)"
            )
    else:
        out.print(f"[bold]{shown(v['dataset'])}[/]: SHA-256 of all 4 decompressed files OK")
    out.print(f"  train images {tuple(sh['train_images'])}, labels {tuple(sh['train_labels'])}")
    out.print(f"  test images  {tuple(sh['test_images'])}, labels {tuple(sh['test_labels'])}")
    out.print(f"  flattened: train {tuple(sh['train_flat'])}, test {tuple(sh['test_flat'])}")
    out.print(
        f"  common frame {tuple(sh['common_frame'])}: "
        f"{sh['train_flat'][1]} pixel columns + target + split"
    )
    who = escape(f" (surname {surname!r})") if surname else ""
    names = ", ".join(f"{c} {n}" for c, n in zip(v["classes"], v["class_names"], strict=True))
    out.print(f"[bold]Classes{who}[/]: {escape(names)}")
    for split, s in v["splits"].items():
        status = "OK" if s["ok"] else f"MISMATCH, expected {s['expected_kept']}"
        out.print(f"  {split}: kept {s['kept']} / {s['total']} = {s['share']:.1%} ({status})")
    table = Table("class", "name", "train", "test")
    for c, n in zip(v["classes"], v["class_names"], strict=True):
        table.add_row(
            str(c),
            escape(n),
            str(v["splits"]["train"]["per_class"][str(c)]),
            str(v["splits"]["test"]["per_class"][str(c)]),
        )
    out.print(table)
    out.print(f"  first 10 train targets: {v['splits']['train']['first_targets']}")
    out.print(f"  first 10 test targets:  {v['splits']['test']['first_targets']}")
    out.print(f"  licence: {escape(v['license'])}")


def print_summary(result, out: Path) -> None:
    """The models of a finished study (a study.run.StudyRecord), and where its report is."""
    table = Table(title=f"fmstudy: classes {', '.join(map(str, result.config.classes))}")
    for col in ("model", "accuracy", "95 % interval", "macro F1", "fit s"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for key in result.metrics.ranked():
        ev, timing = result.metrics.models[key], result.timings["models"][key]
        lo_hi = f"{ev.ci95[0]:.4f}-{ev.ci95[1]:.4f}" if ev.ci95 else "-"
        table.add_row(
            escape(ev.label),
            f"{ev.accuracy:.4f}",
            lo_hi,
            f"{ev.macro_f1:.4f}",
            "cached" if timing["cached"] else f"{timing['fit_seconds']:.1f}",
        )
    console = Console()
    if result.metrics.models:
        console.print(table)
    saved = [k for k, m in result.saved_models.items() if m.saved] + list(result.saved_networks)
    left = [f"{k} ({m.size / 1e6:.1f} MB)" for k, m in result.saved_models.items() if not m.saved]
    if saved:
        console.print(
            f"Saved models: {', '.join(saved)} in {out / 'models'} "
            "(reload with 'fmstudy evaluate' or 'fmstudy predict')",
            markup=False,
        )
    if left and next(iter(result.saved_models.values())).policy == "small":
        from fmstudy.models.saved import SMALL_MODEL_BYTES

        over = f"over {SMALL_MODEL_BYTES / 1e6:.0f} MB"
        console.print(f"Not saved, {over}: {', '.join(left)} (--save-models all)", markup=False)
    seconds = result.timings["total_seconds"]
    console.print(f"Report: {out / 'index.html'}  ({seconds:.1f} s)", markup=False)


def print_groups(overview, out: Path) -> None:
    """``fmstudy run --all-groups``: each group's most accurate model, and the overview."""
    table = Table(title=f"fmstudy: all groups ({overview.rule})")
    for col in ("group", "classes", "most accurate", "accuracy", "report"):
        table.add_column(col)
    for s in overview.groups:
        best = s.models[s.best] if s.best else None
        table.add_row(
            escape(s.group),
            ", ".join(map(str, s.classes)),
            escape(best.label) if best else "-",
            f"{best.accuracy:.4f}" if best else "-",
            escape(str(out / s.group / "index.html")),
        )
    console = Console()
    console.print(table)
    console.print(f"Overview: {out / 'index.html'}", markup=False)


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def print_cache(rows: list, root: Path, as_json: bool) -> None:
    """``fmstudy cache``: entries and bytes per kind."""
    if as_json:
        print(json.dumps({"data_dir": str(root), "kinds": [asdict(r) for r in rows]}, indent=2))
        return
    table = Table(title=f"Cache in {root}")
    for col in ("kind", "entries", "size", "oldest", "newest", "clearable"):
        table.add_column(col, justify="right" if col in ("entries", "size") else "left")
    for r in rows:
        table.add_row(
            escape(r.kind),
            str(r.entries),
            _bytes(r.bytes),
            r.oldest or "-",
            r.newest or "-",
            "yes" if r.clearable else "no",
        )
    total = sum(r.bytes for r in rows if r.clearable)
    console = Console()
    console.print(table)
    console.print(f"Clearable: {_bytes(total)}", markup=False)


def print_cleared(cleared, root: Path, as_json: bool) -> None:
    """``fmstudy cache --clear``: what was removed."""
    if as_json:
        print(
            json.dumps({"data_dir": str(root), "removed": cleared.entries, "bytes": cleared.bytes})
        )
        return
    since = f" last written before {cleared.newest}" if cleared.newest else ""
    print(f"Removed {cleared.entries} entries{since} ({_bytes(cleared.bytes)}) from {root}")


def print_predictions(predictions: list, as_json: bool, csv_to: str | None = None) -> None:
    """``fmstudy predict``: per image its class and the next two in a table whose file
    names wrap, never cut, then what was done to each image marked * and any warning; or
    one JSON list; or CSV to ``csv_to`` (a file, or ``-``: instead of the table)."""
    from fmstudy.atomic import write_bytes
    from fmstudy.errors import FmstudyError
    from fmstudy.i18n import gettext
    from fmstudy.models.predict import prediction_record, predictions_csv, said, warning_text

    if csv_to is not None and csv_to != "-":
        try:
            write_bytes(Path(csv_to), predictions_csv(predictions).encode())
        except OSError as exc:
            raise FmstudyError(f"cannot write --csv {csv_to}: {exc.strerror or exc}") from None
    if as_json:
        print(json.dumps([prediction_record(p) for p in predictions], indent=2))
        return
    if csv_to == "-":
        print(predictions_csv(predictions), end="")
        return
    table = Table("image", "class", "probability", "next")
    for column in table.columns:
        column.overflow = "fold"
    said_of = {}
    for p in predictions:
        runners = ", ".join(f"{name} {prob:.3f}" for name, prob in p.top3[1:])
        notes = [said(n, gettext) for n in p.notes]
        if p.warnings:
            notes.append(warning_text(p, gettext))
        if notes:
            said_of[p.file] = notes
        mark = " *" if notes else ""
        table.add_row(
            shown(p.file) + mark, escape(p.class_name), f"{p.probability:.3f}", escape(runners)
        )
    lines = Console(highlight=False, soft_wrap=True)
    Console().print(table)
    for file, notes in said_of.items():
        lines.print(f"* {shown(file)}: {escape('; '.join(notes))}")
    if csv_to is not None:
        lines.print(f"CSV written to {shown(csv_to)}")


def print_search(result, out: Path, url: str) -> None:
    """``fmstudy search``: the best trial, its test accuracy, and where everything is."""
    s = result.metrics.search
    state = (
        ""
        if s.best_trial_state == "complete"
        else f"; {s.best_trial_state} trial, best epoch {s.best_spec.get('epochs')}"
    )
    Console(highlight=False, markup=False).print(
        f"Best trial {s.best_trial} ({s.best_layers}{state}): "
        f"validation {s.best_val_accuracy:.4f}, "
        + (
            f"test {s.test_accuracy:.4f} after retraining on all training rows.\n"
            if s.test_accuracy is not None
            else "not retrained: --timeout left no time for it.\n"
        )
        + f"Report: {out / 'report' / 'index.html'}   spec: {out / 'report' / 'best-spec.json'}   "
        f"trials: {url}"
    )


def print_presets(presets: dict) -> None:
    """``fmstudy nn --list``: every preset with its training settings."""
    table = Table("preset", "layers", "optimizer", "batch", "epochs", "scaling", "validation")
    table.columns[1].no_wrap = True
    table.add_column("also", min_width=30)
    for name, s in presets.items():
        opt = f"{s.optimizer} lr {s.lr:g}" + (f" m {s.momentum:g}" if s.momentum else "")
        stop = f"{s.epochs}" + (f" (early stop {s.patience})" if s.patience else " fixed")
        table.add_row(
            escape(name),
            s.layer_string,
            opt,
            str(s.batch_size),
            stop,
            s.scaling,
            s.val_split,
            "; ".join(s.extras()),
        )
    Console(width=200).print(table)


def print_evaluation(e, as_json: bool) -> None:
    """``fmstudy evaluate``: a saved model's test accuracy, per-class report, confusion."""
    ev = e.result
    if as_json:
        body = {
            "name": e.name,
            "spec": e.spec,
            "classes": list(e.classes),
            "dataset": e.dataset,
            "accuracy": ev.accuracy,
            "macro_f1": ev.macro_f1,
            "confusion": ev.confusion,
            "correct_per_class": ev.correct_per_class,
            "report": ev.report,
            "confused_pairs": ev.confused_pairs,
        }
        print(json.dumps(body, indent=2))
        return
    console = Console(highlight=False)
    console.print(
        f"[bold]{escape(e.name)}[/] ({escape(e.description)}) on {escape(e.dataset)} classes "
        f"{', '.join(map(str, e.classes))}: test accuracy {ev.accuracy:.4f}, "
        f"macro F1 {ev.macro_f1:.4f}"
    )
    table = Table("class", "precision", "recall", "F1", "support")
    for c, name in zip(e.classes, e.class_names, strict=True):
        r = ev.report[name]
        table.add_row(
            escape(f"{c} {name}"),
            f"{r['precision']:.4f}",
            f"{r['recall']:.4f}",
            f"{r['f1-score']:.4f}",
            str(int(r["support"])),
        )
    console.print(table)
    cm = Table("true \\ predicted", *map(escape, e.class_names))
    for name, row in zip(e.class_names, ev.confusion, strict=True):
        cm.add_row(escape(name), *map(str, row))
    console.print(cm)
