"""Train, predict, save and reload networks: one deterministic training loop.

    run = train(spec, x_train, y_train, x_test, y_test, classes, seed=0)
    run.history                       # per-epoch loss/accuracy, train and validation

The finished run is a :class:`~fmstudy.nets.train_run.TrainRun`; saving and reloading
live in :mod:`fmstudy.nets.saved`, image changes in :mod:`fmstudy.nets.augment`.

Labels are mapped to 0..k-1 for training and back after.  Results are
deterministic on the CPU for a given thread count.  A training draws from generators
seeded for it alone and sets torch's thread count only while it runs: the caller's
``random``, numpy and torch generators and thread count are as they were after it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from torch import nn

from fmstudy.data.image_files import border_level
from fmstudy.data.own import options_of
from fmstudy.errors import FmstudyError
from fmstudy.lib_warnings import one_line_warnings
from fmstudy.nets.augment import mirror_images, pixel_stats, random_shift
from fmstudy.nets.devices import autocast, precision_used, torch_threads
from fmstudy.nets.image_reference import reference_record
from fmstudy.nets.inputs import ValidationSplit, fit_scaler, prepare_inputs, validation_split
from fmstudy.nets.spec import NetSpec, build_model, count_parameters
from fmstudy.nets.train_needs import batch_problem, validation_problem
from fmstudy.nets.train_run import TrainRun


def _optimizer(spec: NetSpec, params):
    if spec.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=spec.lr, momentum=spec.momentum, weight_decay=spec.weight_decay
        )
    cls = torch.optim.Adam if spec.optimizer == "adam" else torch.optim.AdamW
    # The fused kernel updates each parameter in one pass: on notebook-3 it halves the
    # epoch (12 s instead of 26 s on 2 cores), the update being memory-bound.
    return cls(params, lr=spec.lr, weight_decay=spec.weight_decay, fused=True)


def log_probs(model: nn.Module, xb: torch.Tensor, mirror=None) -> torch.Tensor:
    """Log-probabilities (float32); with ``mirror`` (mean, std) the average over image and
    mirror."""
    out = model(xb).float().log_softmax(1)
    if mirror is None:
        return out
    both = torch.stack([out, model(mirror_images(xb, mirror)).float().log_softmax(1)])
    return torch.logsumexp(both, 0) - math.log(2)


def all_log_probs(model: nn.Module, x: torch.Tensor, mirror=None, precision: str = "float32"):
    """:func:`log_probs` of every row, in eval mode and in batches (validation, test,
    predict); ``precision`` "bfloat16" computes the forward pass as the training did, in
    batches of 256 (2-3x faster than float32 in batches of 1,024 on a conv network)."""
    model.eval()
    batch = 256 if precision == "bfloat16" else 1024
    with torch.inference_mode(), autocast(x.device.type, precision):
        return torch.cat(
            [log_probs(model, x[i : i + batch], mirror) for i in range(0, len(x), batch)]
        )


def evaluate_network(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, mirror=None, precision="float32"
):
    """(mean loss, accuracy, predicted indices, probabilities) of a network on prepared
    inputs in ``precision``; the probabilities are float64, each row summing to 1."""
    batch = 1024
    out = all_log_probs(model, x, mirror, precision)
    loss = sum(
        nn.functional.nll_loss(out[i : i + batch], y[i : i + batch], reduction="sum").item()
        for i in range(0, len(x), batch)
    )
    preds = out.argmax(1)
    return loss / len(x), int((preds == y).sum()) / len(x), preds.cpu().numpy(), softmax64(out)


def softmax64(log_p: torch.Tensor) -> np.ndarray:
    """Probabilities from log-probabilities in float64, renormalised so rows sum to 1."""
    p = np.exp(log_p.double().cpu().numpy())
    return p / p.sum(axis=1, keepdims=True)


@contextmanager
def seeded(seed: int, device: str = "cpu") -> Iterator[torch.Generator]:
    """torch's global generators seeded with ``seed`` inside (a network's initial weights
    and its dropout draw from them), the caller's again after; yields the training's own
    generator for batches and augmentation.  On the CPU a GPU's generator is left alone."""
    gpus = list(range(torch.cuda.device_count())) if device == "cuda" else []
    with torch.random.fork_rng(devices=gpus):
        if gpus:
            torch.manual_seed(seed)  # the CPU's and every GPU's
        else:
            torch.default_generator.manual_seed(seed)
        yield torch.Generator().manual_seed(seed)


@dataclass
class _Loop:
    """What one training's epochs share: model, optimizer, schedule, random streams."""

    spec: NetSpec
    model: nn.Module
    opt: torch.optim.Optimizer
    sched: object
    gen: torch.Generator
    mix_rng: np.random.Generator
    pixel: tuple  # (mean, std, shape) for flips of standardized inputs, or (None, None, shape)
    mean: torch.Tensor
    std: torch.Tensor
    precision: str = "float32"  # the forward pass's: "bfloat16" under autocast

    def augment(self, xb, yb):
        """Flips, shifts and mixup of one batch, drawn in a fixed order from the seeded streams."""
        spec, gen = self.spec, self.gen
        if spec.hflip:  # random draws on the CPU stream, whatever the device
            flip = (torch.rand(len(xb), generator=gen) < 0.5).to(xb.device)
            mirrored = mirror_images(xb, self.pixel)
            xb = torch.where(flip.view(-1, *([1] * (xb.dim() - 1))), mirrored, xb)
        if spec.shift:
            xb = random_shift(xb, spec.shift, gen, (self.mean, self.std, self.pixel[2]))
        lam, partner = 1.0, yb
        if spec.mixup and torch.rand(1, generator=gen).item() < 0.5:
            lam = float(self.mix_rng.beta(spec.mixup, spec.mixup))
            perm = torch.randperm(len(xb), generator=gen).to(xb.device)
            xb, partner = lam * xb + (1 - lam) * xb[perm], yb[perm]
        return xb, partner, lam

    def epoch(self, xtr: torch.Tensor, ytr: torch.Tensor) -> tuple[float, float]:
        """One pass over the training part; returns (mean loss, accuracy)."""
        self.model.train()
        order = torch.randperm(len(xtr), generator=self.gen)
        total_loss, total_right = 0.0, 0
        for i in range(0, len(order), self.spec.batch_size):
            idx = order[i : i + self.spec.batch_size].to(xtr.device)
            yb = ytr[idx]
            xb, partner, lam = self.augment(xtr[idx], yb)
            with autocast(xb.device.type, self.precision):
                out = self.model(xb)
                loss = nn.functional.cross_entropy(out, yb)  # autocast computes it in float32
                if lam < 1.0:
                    loss = lam * loss + (1 - lam) * nn.functional.cross_entropy(out, partner)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            if self.sched:
                self.sched.step()
            total_loss += loss.item() * len(idx)
            total_right += int((out.argmax(1) == yb).sum())
        return total_loss / len(xtr), total_right / len(xtr)


def _new_loop(spec: NetSpec, model, scaler: dict, gen, seed: int, n_rows: int, device, shape):
    opt = _optimizer(spec, model.parameters())
    sched = (
        torch.optim.lr_scheduler.OneCycleLR(
            opt,
            max_lr=spec.lr,
            epochs=spec.epochs,
            steps_per_epoch=math.ceil(n_rows / spec.batch_size),
        )
        if spec.schedule == "onecycle"
        else None
    )
    mean = torch.from_numpy(scaler["mean"]).to(device)
    std = torch.from_numpy(scaler["std"]).to(device)
    p_mean, p_std, hwc = pixel_stats(spec, scaler, shape)
    pixel = tuple(None if t is None else t.to(device) for t in (p_mean, p_std)) + (hwc,)
    rng = np.random.default_rng(seed)
    precision = precision_used(spec, str(device))
    return _Loop(spec, model, opt, sched, gen, rng, pixel, mean, std, precision)


def _run_epochs(loop: _Loop, xtr, ytr, xval, yval, holdout: bool, on_epoch, mirror):
    """Train for the spec's epochs (early stopping on validation loss where it asks);
    returns the history, seconds per epoch and the best epoch."""
    spec = loop.spec
    hist = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    seconds, best, best_state, waited = [], (math.inf, 0), None, 0
    for epoch in range(1, spec.epochs + 1):
        t0 = time.perf_counter()
        train_loss, train_acc = loop.epoch(xtr, ytr)
        seconds.append(time.perf_counter() - t0)
        hist["train_loss"].append(train_loss)
        hist["train_acc"].append(train_acc)
        if not holdout:
            if on_epoch:
                on_epoch(epoch, hist)
            best = (math.nan, epoch)
            continue
        val_loss, val_acc, _, _ = evaluate_network(
            loop.model, xval, yval, mirror=mirror, precision=loop.precision
        )
        seconds[-1] = time.perf_counter() - t0
        hist["val_loss"].append(val_loss)
        hist["val_acc"].append(val_acc)
        if on_epoch:
            on_epoch(epoch, hist)
        if val_loss < best[0]:
            best, waited = (val_loss, epoch), 0
            if spec.patience:
                best_state = {k: v.detach().clone() for k, v in loop.model.state_dict().items()}
        else:
            waited += 1
            if spec.patience and waited >= spec.patience:
                break
    if best_state is not None:
        loop.model.load_state_dict(best_state)  # early stopping: back to the best epoch
    return hist, seconds, best[1]


def train(
    spec: NetSpec,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray | None,
    y_test: np.ndarray | None,
    classes: tuple[int, ...],
    *,
    seed: int,
    threads: int | None = None,
    on_epoch=None,
    holdout: bool = True,
    device: str = "cpu",
) -> TrainRun:
    """Train one spec with one seed on ``device`` (see :func:`resolve_device`);
    deterministic on the CPU for a given thread count.

    ``holdout=False`` trains on every training row for the spec's epochs (the final fit
    of a searched spec; the history then has no validation values); with ``holdout`` a
    split that :func:`validation_problem` refuses is one line (FmstudyError), as is a last
    batch that :func:`batch_problem` refuses.  Without ``x_test`` nothing is predicted
    (a search trial never looks at the test set).  A spec with ``refit`` keeps the
    validated run's history and best epoch, then trains afresh on every training row for
    that many epochs and returns that network's weights and test predictions.  torch's
    thread count (``threads``) and global generators are the caller's again after.
    """
    with torch_threads(threads), seeded(seed, device) as gen:
        run = _validated(
            spec, x_train, y_train, x_test, y_test, classes, seed, gen, on_epoch, holdout, device
        )
        if spec.refit and holdout:
            return _refit(run, x_train, y_train, x_test, y_test, on_epoch, device)
        return run


def _validated(
    spec: NetSpec,
    x_train,
    y_train,
    x_test,
    y_test,
    classes,
    seed: int,
    gen,
    on_epoch,
    holdout: bool,
    device,
) -> TrainRun:
    """One training with the seeded generators (:func:`train` without its refit)."""
    lut = np.full(max(classes) + 1, -1, dtype=np.int64)  # class number -> output index
    lut[list(classes)] = np.arange(len(classes))
    no_val = ValidationSplit(np.arange(len(y_train)), np.arange(0), "")
    split = validation_split(y_train, spec, seed) if holdout else no_val
    tr_idx, val_idx = split.train, split.val
    problem = validation_problem(y_train, tr_idx, val_idx, spec) if holdout else None
    problem = problem or batch_problem(spec, len(tr_idx), x_train.shape[1:])
    if problem:
        raise FmstudyError(problem)
    with one_line_warnings(f"network {spec.name}, seed {seed}"):
        scaler = fit_scaler(x_train[tr_idx].reshape(len(tr_idx), -1), spec.scaling)
        xtr = prepare_inputs(x_train[tr_idx], scaler, spec).to(device)
        xval = prepare_inputs(x_train[val_idx], scaler, spec).to(device)
        model = build_model(spec, len(classes), x_train.shape[1:]).to(device)
        loop = _new_loop(spec, model, scaler, gen, seed, len(xtr), device, x_train.shape[1:])
        mirror = loop.pixel if spec.tta else None
        hist, seconds, best_epoch = _run_epochs(
            loop,
            xtr,
            torch.from_numpy(lut[y_train[tr_idx]]).to(device),
            xval,
            torch.from_numpy(lut[y_train[val_idx]]).to(device),
            holdout,
            on_epoch,
            mirror,
        )
        refit = spec.refit and holdout
        t0 = time.perf_counter()
        test_acc, pred, proba = math.nan, np.zeros(0, dtype=np.int64), None
        if x_test is not None and not refit:  # a refit is tested after training on every row
            xte = prepare_inputs(x_test, scaler, spec).to(device)
            _, test_acc, pred, proba = evaluate_network(
                model,
                xte,
                torch.from_numpy(lut[y_test]).to(device),
                mirror=mirror,
                precision=loop.precision,
            )
    return TrainRun(
        spec=spec,
        seed=seed,
        classes=tuple(classes),
        history=hist,
        best_epoch=best_epoch,
        epochs_run=len(hist["train_loss"]),
        y_pred=np.asarray(classes)[pred],
        proba=proba,
        test_accuracy=test_acc,
        n_params=count_parameters(model),
        epoch_seconds=seconds,
        predict_seconds=time.perf_counter() - t0,
        state={k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        scaler=scaler,
        image_shape=tuple(x_train.shape[1:]),
        background=border_level(x_train),
        val_split_used=split.used,
        val_split_reason=split.reason,
        precision=loop.precision,
    )


def train_subset(
    spec: NetSpec, sub, *, seed: int, threads=None, on_epoch=None, holdout=True, device="cpu"
):
    """:func:`train` on a study's subset (a subsets.Subset): its training rows, tested on its
    test rows, the run marked with its data set's name."""
    run = train(
        spec,
        sub.x_train,
        sub.y_train,
        sub.x_test,
        sub.y_test,
        sub.classes,
        seed=seed,
        threads=threads,
        on_epoch=on_epoch,
        holdout=holdout,
        device=device,
    )
    run.dataset = sub.dataset.name
    run.class_names = list(sub.class_names)
    run.tested_on = sub.test_record()
    run.reference = reference_record(sub.x_train, sub.y_train, sub.classes, sub.x_test, run.proba)
    info = sub.dataset.info
    if info.get("source") != "idx":  # own data or digits: how to load the same split again
        run.data_options = asdict(options_of(info))
    return run


def _refit(run: TrainRun, x_train, y_train, x_test, y_test, on_epoch, device) -> TrainRun:
    """The validated run chose the epoch count; the tested network sees every training row."""
    spec = run.spec
    full = train(
        replace(spec, epochs=run.best_epoch if spec.patience else spec.epochs, patience=None),
        x_train,
        y_train,
        x_test,
        y_test,
        run.classes,
        seed=run.seed,
        on_epoch=(lambda e, _h: on_epoch(run.epochs_run + e, run.history)) if on_epoch else None,
        holdout=False,
        device=device,
    )
    return replace(
        run,
        y_pred=full.y_pred,
        proba=full.proba,
        test_accuracy=full.test_accuracy,
        predict_seconds=full.predict_seconds,
        state=full.state,
        scaler=full.scaler,
        refit_seconds=sum(full.epoch_seconds),
    )
