"""How long a study will take, from its work, before it starts (issue 29).

    plan = estimate_study(config, n_train=24_000, n_test=4_000, image_shape=(28, 28))
    plan.seconds, plan.parts["networks"]     # the whole run and each step, in seconds
    plan.describe()                          # what it will do and about how long

Each step's work is counted from the config (trees x rows x log rows x sqrt(pixels) for
a forest, multiply-adds and activations per image x images x epochs for a network, ...)
and turned into seconds by rates measured on the development machine (2-core AMD EPYC,
2026-12-07; see ``benchmarks/README.md``), scaled by this machine's speed: the time of a
fixed float32 matrix product on one thread, measured here in about 0.1 s, against the
same product's time there.  An estimate is for an empty cache; fits already in the cache take less.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from fmstudy.nets.spec import NetSpec, footprint, multiply_adds
from fmstudy.study.config import StudyConfig

# Seconds per unit of work on the development machine (see the module docstring).
RATE = {
    "tree": 1.57e-8,  # forest: per tree x row x log2(rows) x sqrt(pixels), both cores
    "extra_tree": 7.0e-9,  # extra trees: the same units
    "linear": 5.0e-10,  # logistic regression: per iteration x row x pixel x class
    "kernel": 4.8e-10,  # SVC: per row^2 x pixel (fit and its calibration folds)
    "neighbour": 2.3e-11,  # k-NN: per test row x training row x pixel
    "boost": 3.8e-9,  # gradient boosting: per iteration x row x pixel x class
    "conv_mac": 1.4e-11,  # a conv network's multiply-add (forward; backward counts twice)
    "dense_mac": 2.1e-11,  # a dense network's multiply-add
    "activation": 7.3e-10,  # a value a layer writes (batch norm, activation, pooling)
    "step": 8.0e-4,  # one optimizer step's fixed cost
    # bfloat16 mixed precision's work per float32 work (multiply-adds and values written),
    # measured on a 2-core AVX-512 BF16 machine, the kind of processor that uses it
    "bfloat16_conv": 0.27,
    "bfloat16_dense": 0.5,
    "pca": 1.5e-10,  # per row x pixel^2 (the covariance route)
}
CURVE_FITS = 2.8  # a learning curve (3 folds x 4 sizes, two side by side) in fits of all rows
REFERENCE_PRODUCT = 0.0172  # seconds of :func:`_product` on the development machine
FIXED = {"start": 3.0, "load": 2.0, "report": 8.0, "report_per_model": 1.2}


def _product() -> float:
    """Seconds of a fixed float32 workload: five 384 x 784 by 784 x 512 products on one
    BLAS thread (several threads' wake-ups made the time vary twofold inside a run)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.random((384, 784), dtype=np.float32)
    b = rng.random((784, 512), dtype=np.float32)
    with threadpool_limits(1, user_api="blas"):
        a @ b  # warm-up
        t0 = time.perf_counter()
        for _ in range(5):
            a @ b
        return time.perf_counter() - t0


def machine_speed() -> float:
    """How much slower this machine is than the development machine (>1: slower), from
    the fastest of three runs of the fixed product (about 0.1 s in all)."""
    return min(_product() for _ in range(3)) / REFERENCE_PRODUCT


@dataclass(frozen=True)
class StudyEstimate:
    """A study's expected seconds per step and what it will do, in counts."""

    parts: dict[str, float]
    speed: float  # this machine against the development machine
    work: dict = field(default_factory=dict)  # counts for the sentence: models, networks ...

    @property
    def seconds(self) -> float:
        return sum(self.parts.values())

    def to_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 1),
            "parts": {k: round(v, 1) for k, v in self.parts.items()},
            "speed": round(self.speed, 3),
            "work": self.work,
        }

    def describe(self) -> str:
        """One line: what the run will do and about how long it takes here."""
        w = self.work
        what = [f"tasks {w['tasks']} on {w['train']:,} training and {w['test']:,} test images"]
        if w["classical"]:
            curves = " with learning curves" if w["curves"] else ""
            what.append(
                f"{_count(w['classical'], 'classical model')} ({_count(w['fits'], 'fit')}){curves}"
            )
        if w["networks"]:
            what.append(
                f"{_count(w['networks'], 'network')} x {_count(w['seeds'], 'seed')} "
                f"(about {_count(w['epochs'], 'epoch')})"
            )
        if w.get("search"):
            what.append(f"an architecture search of up to {duration(w['search'])[6:]}")
        return (
            f"This run: {'; '.join(what)}. Expected: {duration(self.seconds)} on this machine "
            "(estimated from the work; less for fits already in the cache)."
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def duration(seconds: float) -> str:
    """'about 40 s', 'about 4 min', 'about 1 h 10 min': rounded as an estimate deserves."""
    if seconds < 90:
        return f"about {max(5, 5 * round(seconds / 5)):.0f} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"about {round(minutes):.0f} min"
    return f"about {int(minutes // 60)} h {round(minutes % 60):.0f} min"


def expected_epochs(spec: NetSpec) -> int:
    """Epochs a training of ``spec`` runs: all of them, or about twice the patience plus
    one under early stopping (10-15 measured for patience 5)."""
    return spec.epochs if spec.patience is None else min(spec.epochs, 2 * spec.patience + 1)


def network_seconds(spec: NetSpec, n_train: int, n_classes: int, image_shape: tuple) -> float:
    """One training of ``spec`` (a seed): epochs x (steps + images x work per image)."""
    epochs = expected_epochs(spec)
    n_val = int(round(n_train * spec.val_fraction))
    rows = n_train - n_val
    mac = RATE["conv_mac" if spec.is_conv else "dense_mac"]
    per_image = multiply_adds(spec, n_classes, image_shape) * mac
    per_image += footprint(spec, n_classes, image_shape)[1] * RATE["activation"]
    if spec.precision != "float32":
        from fmstudy.nets.devices import precision_used  # imports torch: task 5 needs it

        if precision_used(spec, "cpu") == "bfloat16":
            per_image *= RATE["bfloat16_conv" if spec.is_conv else "bfloat16_dense"]
    passes = 3 * rows + n_val * (2 if spec.tta else 1)  # training: forward and backward
    seconds = epochs * (math.ceil(rows / spec.batch_size) * RATE["step"] + passes * per_image)
    if spec.refit:
        seconds += epochs * (math.ceil(n_train / spec.batch_size) * RATE["step"])
        seconds += epochs * 3 * n_train * per_image
    return seconds


def classical_seconds(kind: str, params: dict, n: int, d: int, k: int, n_test: int) -> float:
    """One fit of a classical model of ``kind`` on ``n`` rows of ``d`` pixels, ``k`` classes."""
    n = min(n, params.get("max_train_rows") or n)
    if kind in ("forest", "extra_trees"):
        steps = params.get("oob_steps") or ()
        trees = steps[1] if len(steps) > 1 else params.get("n_estimators", 100)
        rate = RATE["tree" if kind == "forest" else "extra_tree"]
        return trees * n * math.log2(max(n, 2)) * math.sqrt(d) * rate
    if kind == "logreg":
        return min(params.get("max_iter", 100), 150) * n * d * k * RATE["linear"]
    if kind == "svc":
        return n * n * d * RATE["kernel"]
    if kind == "knn":
        return n_test * n * d * RATE["neighbour"]
    if kind == "hgb":
        return params.get("max_iter", 100) * n * d * k * RATE["boost"]
    return n * d * RATE["linear"]


def estimate_study(
    config: StudyConfig,
    *,
    n_train: int,
    n_test: int,
    image_shape: tuple,
    classical: list | None = None,
    speed: float | None = None,
) -> StudyEstimate:
    """The expected seconds of each step of ``config`` on ``n_train`` training and
    ``n_test`` test images of ``image_shape``; ``classical`` is its fits' specs
    (fit_classical.study_specs); ``speed`` defaults to :func:`machine_speed`."""
    speed = machine_speed() if speed is None else speed
    d, k = int(np.prod(image_shape)), len(config.classes)
    classical = classical or []
    parts = {"start": FIXED["start"], "load": FIXED["load"]}
    if "2" in config.tasks:
        parts["pca"] = 2.0 + n_train * min(d, 1024) ** 2 * RATE["pca"]
    fits = [classical_seconds(s.kind, s.params, n_train, d, k, n_test) for s in classical]
    if fits:
        parts["fits"] = sum(fits)
        if config.learning_curves:
            models = {s.model_key: 0.0 for s in classical}
            for s, secs in zip(classical, fits, strict=True):
                models[s.model_key] = max(models[s.model_key], secs)
            parts["curves"] = CURVE_FITS * sum(models.values())
    specs = config.network_specs() if "5" in config.tasks and config.networks else []
    seeds = config.network_seeds or 1
    if specs:
        per = [network_seconds(s, n_train, k, image_shape) for s in specs]
        parts["networks"] = seeds * sum(per)
    if "search" in config.tasks:
        parts["search"] = float((config.search or {}).get("timeout") or 600.0)
    n_models = len({s.model_key for s in classical}) + len(specs)
    parts["report"] = FIXED["report"] + FIXED["report_per_model"] * n_models
    scaled = {key: value * speed for key, value in parts.items()}
    epochs = sum(expected_epochs(s) for s in specs)
    work = {
        "tasks": ",".join(config.tasks),
        "train": n_train,
        "test": n_test,
        "classical": len({s.model_key for s in classical}),
        "fits": len(classical),
        "curves": bool(config.learning_curves and classical),
        "networks": len(specs),
        "seeds": seeds,
        "epochs": epochs * seeds,
        "search": scaled.get("search", 0.0),
    }
    return StudyEstimate(scaled, speed, work)
