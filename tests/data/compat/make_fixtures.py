"""Regenerate the compatibility fixtures in this folder with an old fmstudy checkout.

    python tests/data/compat/make_fixtures.py /path/to/old-checkout [--out DIR]

Run it with the interpreter of a venv that has fmstudy's dependencies (e.g.
.venv/bin/python); the old checkout's ``src`` is put first on the import path here and
in every ``fmstudy`` command it runs, so every file is written by the old code itself
(``fmstudy run``/``notebook`` through its CLI, as a user would).  It also reads each
fixture back with the same old code and writes ``expected.json``: what a later fmstudy
must still get from them.  Small data and one thread throughout (about 2 minutes on 2
cores).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLASSES = (4, 5, 6, 7)  # the course's H-M group: coat, sandal, shirt, sneaker


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path, help="an old fmstudy checkout (holds src/fmstudy)")
    ap.add_argument("--out", type=Path, default=HERE, help="where the fixtures go")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    src = (args.old / "src").resolve()
    if not (src / "fmstudy" / "__init__.py").is_file():
        ap.error(f"{args.old} is not an fmstudy checkout (no src/fmstudy)")
    sys.path.insert(0, str(src))
    import fmstudy

    assert Path(fmstudy.__file__).resolve().is_relative_to(src), fmstudy.__file__
    work = Path(tempfile.mkdtemp(prefix="fmstudy-compat-"))
    try:
        Fixtures(src, args.out.resolve(), work).make()
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work)


class Fixtures:
    def __init__(self, src: Path, out: Path, work: Path):
        self.out, self.work = out, work
        self.data = work / "data"  # decoded arrays and the fit cache, fresh each time
        env = {k: v for k, v in os.environ.items() if not k.startswith("FMSTUDY_")}
        threads = dict.fromkeys(("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"), "1")
        self.env = {**env, **threads, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
        self.expected: dict = {}

    def fm(self, *argv, cwd: Path | None = None) -> str:
        """``fmstudy ARGV`` with the old code; its stdout."""
        cmd = [sys.executable, "-m", "fmstudy", *map(str, argv)]
        proc = subprocess.run(cmd, env=self.env, cwd=cwd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        return proc.stdout

    def make(self) -> None:
        if self.out.exists():
            for name in ("models", "config", "images", "own", "notebook"):
                shutil.rmtree(self.out / name, ignore_errors=True)
        for name in ("models", "config", "images", "own", "notebook"):
            (self.out / name).mkdir(parents=True)
        self.fashion_study()
        self.own_data_study()
        self.lind_config()
        self.notebook()
        self.images()
        self.read_back()
        text = json.dumps(self.expected, indent=2, sort_keys=True) + "\n"
        (self.out / "expected.json").write_text(text)

    # -- writing -------------------------------------------------------------------------

    def fashion_study(self) -> None:
        """One tiny quick-profile study on Fashion-MNIST classes 4-7 (tasks 1, 3, 4, 5):
        every classical model and two networks saved (``--save-models all``)."""
        from fmstudy.networks import parse_layers, with_overrides
        from fmstudy.presets import get_preset

        mlp = with_overrides(get_preset("notebook-1"), name="fixture-mlp", epochs=2)
        mlp = with_overrides(mlp, layers=parse_layers("32"))
        cnn = with_overrides(
            get_preset("cnn-tiny"),
            name="fixture-cnn",
            epochs=1,
            layers=parse_layers("c4-p-c8-p-16"),
        )
        rows = 300
        config = {
            "classes": list(CLASSES),
            "profile": "quick",
            "tasks": ["1", "3", "4", "5"],
            "models": ["forest", "logreg", "knn"],
            "forest": {"n_estimators": 10, "random_state": 0, "max_train_rows": rows},
            "logreg": {
                "max_iter": 100,
                "random_state": 0,
                "raw_scale": 1 / 255,
                "tol": 1e-3,
                "max_train_rows": rows,
            },
            "zoo": {"knn": {"max_train_rows": 100, "random_state": 0}},
            "networks": [mlp.to_dict(), cnn.to_dict()],
            "network_seeds": 1,
            "bootstrap": 10,
            "learning_curves": False,
        }
        given = self.work / "tiny-config.json"
        given.write_text(json.dumps(config, indent=2))
        report = self.work / "tiny"
        self.fm(
            *("run", "--config", given, "--out", report, "--data-dir", self.data),
            *("--save-models", "all", "--jobs", "1", "--device", "cpu"),
        )
        for name in ("forest", "logreg_raw", "logreg_std", "knn", "fixture-mlp", "fixture-cnn"):
            shutil.copytree(report / "models" / name, self.out / "models" / name)
        shutil.copy(report / "config.json", self.out / "config" / "tiny-quick-4-7.json")
        self.expected["tiny_study_metrics"] = _accuracies(report / "metrics.json")

    def own_data_study(self) -> None:
        """Own data: a CSV of scikit-learn's 8x8 digits 0-2 (named), split 25 % to test
        and resized to 12x12 (--test-share, --image-size), its logistic regressions saved."""
        import numpy as np
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
        names = ["zero", "one", "two"]
        keep = np.concatenate([np.flatnonzero(y == c)[:30] for c in range(3)])
        pixels = np.rint(x[keep] * 255 / 16).astype(int)
        lines = ["label," + ",".join(f"pixel{i + 1}" for i in range(64))]
        lines += [
            f"{names[y[i]]}," + ",".join(map(str, p)) for i, p in zip(keep, pixels, strict=True)
        ]
        csv = self.out / "own" / "digits-0-2.csv"
        csv.write_text("\n".join(lines) + "\n")
        report = self.work / "own"
        self.fm(
            *("run", "--dataset", csv, "--classes", "zero,one,two", "--profile", "quick"),
            *("--tasks", "1,4", "--models", "logreg", "--test-share", "0.25"),
            *("--image-size", "12x12", "--seed", "3", "--no-learning-curves"),
            *("--save-models", "all", "--jobs", "1", "--device", "cpu"),
            *("--out", report, "--data-dir", self.data),
        )
        shutil.copytree(report / "models" / "logreg_raw", self.out / "own" / "logreg_raw")
        shutil.copy(report / "config.json", self.out / "config" / "own-csv-quick.json")
        self.expected["own_generated_at"] = str(csv)

    def lind_config(self) -> None:
        """``fmstudy run --surname Lind --tasks 1``: the standard profile, every model's
        settings resolved in config.json (task 1 only, so a rerun from it is cheap)."""
        report = self.work / "lind"
        self.fm(
            *("run", "--surname", "Lind", "--tasks", "1", "--jobs", "1", "--device", "cpu"),
            *("--out", report, "--data-dir", self.data),
        )
        shutil.copy(report / "config.json", self.out / "config" / "lind-standard.json")

    def notebook(self) -> None:
        """``fmstudy notebook --surname Lind --profile quick --no-execute``."""
        nb = self.out / "notebook" / "lind-quick.ipynb"
        self.expected["notebook_stdout"] = self.fm(
            *("notebook", "--surname", "Lind", "--profile", "quick", "--no-execute"),
            *("--out", nb, "--data-dir", self.data),
        ).strip()

    def images(self) -> None:
        """The first test image of each class 4-7 as a PNG, for ``fmstudy predict``."""
        from PIL import Image

        from fmstudy.data import load_dataset

        ds = load_dataset("fashion-mnist", self.data)
        for c in CLASSES:
            i = int((ds.y_test == c).argmax())
            Image.fromarray(ds.x_test[i]).save(self.out / "images" / f"test{i}-class{c}.png")

    # -- reading back --------------------------------------------------------------------

    def read_back(self) -> None:
        """What the old code gets from each fixture: evaluate and predict per model, the
        configs' resolved settings, the notebook's cells."""
        images = sorted((self.out / "images").glob("*.png"))
        own_csv = self.out / "own" / "digits-0-2.csv"
        models = {}
        for folder in sorted((self.out / "models").iterdir()):
            models[f"models/{folder.name}"] = self.model_result(folder, images)
        models["own/logreg_raw"] = self.model_result(
            self.out / "own" / "logreg_raw", [], "--dataset", own_csv
        )
        self.expected["models"] = models
        self.expected["configs"] = self.configs()
        self.expected["notebook"] = self.notebook_facts()

    def model_result(self, folder: Path, images: list[Path], *extra) -> dict:
        rel = folder.relative_to(self.out)
        evaluated = json.loads(
            self.fm("evaluate", rel, "--json", *extra, "--data-dir", self.data, cwd=self.out)
        )
        meta_file = folder / ("spec.json" if (folder / "spec.json").exists() else "model.json")
        meta = json.loads(meta_file.read_text())
        out = {
            "skops_untrusted_types": _untrusted(folder),
            "accuracy": evaluated["accuracy"],
            "macro_f1": evaluated["macro_f1"],
            "confusion": evaluated["confusion"],
            "classes": evaluated["classes"],
            "meta_test_accuracy": meta["test_accuracy"],
            "command": f"fmstudy evaluate {rel} --json" + "".join(f" {e}" for e in extra),
        }
        if images:
            rels = [p.relative_to(self.out) for p in images]
            predicted = json.loads(self.fm("predict", rel, *rels, "--json", cwd=self.out))
            out["predict"] = [
                {
                    "file": p["file"],
                    "label": p["label"],
                    "class_name": p["class_name"],
                    "probability": p["probability"],
                }
                for p in predicted
            ]
        return out

    def configs(self) -> dict:
        from fmstudy.report import read_config

        out = {}
        for file in sorted((self.out / "config").glob("*.json")):
            saved = json.loads(file.read_text())
            data = saved["config"]
            if file.name.startswith("own-"):  # its data set is a path: read it from here
                data = {**data, "dataset": str(self.out / "own" / "digits-0-2.csv")}
                tmp = self.work / file.name
                tmp.write_text(json.dumps({**saved, "config": data}))
                cfg = read_config(tmp)
            else:
                cfg = read_config(file)
            out[f"config/{file.name}"] = {
                "round_trips": json.loads(json.dumps(cfg.to_dict())) == data,
                "classes": list(cfg.classes),
                "profile": cfg.profile,
                "tasks": list(cfg.tasks),
                "forest_n_estimators": cfg.forest.n_estimators,
                "networks": [n["name"] for n in cfg.networks],
                "manifest_fmstudy": saved["manifest"]["fmstudy"],
            }
        return out

    def notebook_facts(self) -> dict:
        import nbformat

        nb = nbformat.read(self.out / "notebook" / "lind-quick.ipynb", as_version=4)
        nbformat.validate(nb)
        imports = sorted(
            {
                line.strip()
                for cell in nb.cells
                if cell.cell_type == "code"
                for line in cell.source.splitlines()
                if "fmstudy" in line and line.lstrip().startswith(("import ", "from "))
            }
        )
        for line in imports:  # each runs under the old code
            subprocess.run([sys.executable, "-c", line], env=self.env, check=True)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        return {
            "fmstudy_attributes": sorted(set(re.findall(r"\bfmstudy(?:\.\w+)+", code))),
            "narrative_functions": sorted(set(re.findall(r"\bnarrative\.(\w+)", code))),
            "metadata_fmstudy_version": nb.metadata["fmstudy"]["version"],
            "cells": len(nb.cells),
            "code_cells": sum(c.cell_type == "code" for c in nb.cells),
            "executed": any(c.get("outputs") for c in nb.cells if c.cell_type == "code"),
            "fmstudy_imports": imports,
        }


def _untrusted(folder: Path) -> list[str] | None:
    """The types a skops file names beyond skops' safe set (None for a network)."""
    import skops.io as sio

    file = folder / "model.skops"
    return sorted(sio.get_untrusted_types(file=file)) if file.exists() else None


def _accuracies(metrics_file: Path) -> dict:
    """Each model's test accuracy in a report's metrics.json."""
    m = json.loads(metrics_file.read_text())
    out = {}
    for section in ("models", "networks"):
        for key, value in (m.get(section) or {}).items():
            acc = value.get("accuracy", value.get("test_acc_mean"))
            if acc is not None:
                out[f"{section}/{key}"] = acc
    return out


if __name__ == "__main__":
    main()
