"""Study task 5: neural networks as data, one builder, one deterministic training loop.

    spec = get_preset("notebook-3")                       # or parse_spec("100-512:d0.3")
    model = build_model(spec, n_classes=4)
    run = train(spec, x_train, y_train, x_test, classes, seed=0)
    run.history                                           # per-epoch loss/accuracy

A network is a :class:`NetSpec`: layers (dense widths with dropout, or conv
blocks and pooling), activation, optimizer, learning rate, weight decay, batch
size, epochs, input scaling and validation split.  The spec string grammar is
``100-512:d0.3-1024:d0.2`` for dense layers and ``c32-c32-p-c64-p-256:d0.3``
with conv blocks (``cN``: 3x3 conv, batch norm, activation) and 2x2 max
pooling (``p``).  Labels are mapped to 0..k-1 for training and back after.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fmstudy.errors import FmstudyError

# Bumped whenever the same spec and seed would train differently: cached trainings and
# search studies made by another version are not reused.  3: flips in pixel space.
TRAINER_VERSION = 3

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "elu": nn.ELU}
OPTIMIZERS = ("sgd", "adam", "adamw")
SCALINGS = ("standardize", "unit")
SPLITS = ("first", "stratified")
SCHEDULES = ("none", "onecycle")


@dataclass(frozen=True)
class Layer:
    """One layer: ``dense`` (width, dropout after it), ``conv`` (channels) or ``pool``."""

    kind: str
    width: int = 0
    dropout: float = 0.0

    def __str__(self) -> str:
        if self.kind == "pool":
            return "p"
        text = f"c{self.width}" if self.kind == "conv" else str(self.width)
        return text + (f":d{self.dropout:g}" if self.dropout else "")


@dataclass(frozen=True)
class NetSpec:
    """Everything that defines a network and how it is trained."""

    layers: tuple[Layer, ...]
    name: str = "custom"
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 15
    patience: int | None = None  # early stopping on validation loss; None: fixed epochs
    scaling: str = "standardize"
    val_split: str = "stratified"
    val_fraction: float = 0.2
    init: str = "glorot"  # Keras's glorot-uniform weights and zero biases, or torch's "default"
    schedule: str = "none"
    hflip: bool = False  # horizontal flips of training images (clothes are left-right symmetric)
    shift: int = 0  # random translations of training images by up to this many pixels
    mixup: float = 0.0  # Beta(a, a) mixup of half the training batches; 0: none
    tta: bool = False  # predict from the image and its mirror (average of probabilities)
    refit: bool = False  # after the validated run, train on every training row and test that

    def __post_init__(self) -> None:
        checks = [
            (self.activation in ACTIVATIONS, f"activation {self.activation!r}", ACTIVATIONS),
            (self.optimizer in OPTIMIZERS, f"optimizer {self.optimizer!r}", OPTIMIZERS),
            (self.scaling in SCALINGS, f"scaling {self.scaling!r}", SCALINGS),
            (self.val_split in SPLITS, f"validation split {self.val_split!r}", SPLITS),
            (self.schedule in SCHEDULES, f"schedule {self.schedule!r}", SCHEDULES),
            (self.init in ("glorot", "default"), f"init {self.init!r}", ("glorot", "default")),
        ]
        for ok, what, valid in checks:
            if not ok:
                raise FmstudyError(f"bad network spec: {what}; choose one of {', '.join(valid)}")
        numbers = [
            (self.lr > 0, "lr must be > 0"),
            (self.momentum >= 0, "momentum must be >= 0"),
            (self.weight_decay >= 0, "weight decay must be >= 0"),
            (self.batch_size >= 1, "batch size must be >= 1"),
            (self.epochs >= 1, "epochs must be >= 1"),
            (0 < self.val_fraction < 1, "validation fraction must be between 0 and 1"),
            (self.patience is None or self.patience >= 1, "patience must be >= 1"),
            (0 <= self.shift <= 8, "shift must be between 0 and 8 pixels"),
            (self.mixup >= 0, "mixup must be >= 0"),
            (any(layer.kind != "pool" for layer in self.layers) or not self.layers, "only pooling"),
        ]
        for ok, what in numbers:
            if not ok:
                raise FmstudyError(f"bad network spec: {what}")

    @property
    def is_conv(self) -> bool:
        return any(layer.kind in ("conv", "pool") for layer in self.layers)

    def extras(self) -> list[str]:
        """The training choices beyond layers and optimizer, in words (report, --list)."""
        out = []
        if self.schedule == "onecycle":
            out.append("one-cycle learning rate")
        if self.hflip:
            out.append("horizontal flips")
        if self.shift:
            out.append(f"random shifts of up to {self.shift} px")
        if self.mixup:
            out.append(f"mixup (alpha {self.mixup:g})")
        if self.tta:
            out.append("predictions averaged over image and mirror")
        if self.refit:
            out.append("tested network retrained on every training row")
        return out

    @property
    def total_epochs(self) -> int:
        """Epochs a training runs at most, the refit on every row included."""
        return self.epochs * (2 if self.refit else 1)

    @property
    def layer_string(self) -> str:
        return "-".join(str(layer) for layer in self.layers) or "(linear)"

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> NetSpec:
        known = {f.name for f in fields(cls)}
        extra = sorted(set(data) - known)
        if extra:
            raise FmstudyError(f"bad network spec: unknown fields {extra}")
        try:
            layers = tuple(Layer(**layer) for layer in data.get("layers", ()))
            return cls(**{**data, "layers": layers})
        except TypeError as exc:
            raise FmstudyError(f"bad network spec: {exc}") from None


_TOKEN = re.compile(r"^(?:(c)?(\d+)(?::d(\d*\.?\d+))?|(p))$")


def parse_layers(text: str) -> tuple[Layer, ...]:
    """``100-512:d0.3-1024:d0.2`` or ``c32-p-c64-p-128:d0.5`` into layers."""
    layers = []
    tokens = text.strip().split("-") if text.strip() else []
    if not tokens:
        raise FmstudyError("bad layer spec '': give widths such as 100-100 or c32-p-128")
    dense_seen = False
    for token in tokens:
        m = _TOKEN.match(token.strip())
        if not m:
            raise FmstudyError(
                f"bad layer spec {text!r}: cannot read {token!r} "
                "(expected WIDTH, WIDTH:dP, cCHANNELS or p)"
            )
        if m[4]:
            layers.append(Layer("pool"))
            if dense_seen:
                raise FmstudyError(
                    f"bad layer spec {text!r}: pooling {token!r} after a dense layer"
                )
            continue
        width, drop = int(m[2]), float(m[3]) if m[3] else 0.0
        if width < 1:
            raise FmstudyError(f"bad layer spec {text!r}: width in {token!r} must be >= 1")
        if not 0 <= drop < 1:
            raise FmstudyError(f"bad layer spec {text!r}: dropout in {token!r} must be in [0, 1)")
        if m[1]:
            if dense_seen:
                raise FmstudyError(f"bad layer spec {text!r}: conv {token!r} after a dense layer")
            layers.append(Layer("conv", width, drop))
        else:
            dense_seen = True
            layers.append(Layer("dense", width, drop))
    return tuple(layers)


PRESETS: dict[str, NetSpec] = {}


def _preset(spec: NetSpec) -> None:
    PRESETS[spec.name] = spec


_NOTEBOOK = {"batch_size": 32, "scaling": "standardize", "val_split": "first", "init": "glorot"}
_preset(
    NetSpec(parse_layers("100-100"), "notebook-1", optimizer="sgd", lr=0.01, epochs=15, **_NOTEBOOK)
)
_preset(
    NetSpec(
        parse_layers("100-100:d0.25-128:d0.25"),
        "notebook-2",
        optimizer="sgd",
        lr=0.01,
        epochs=15,
        **_NOTEBOOK,
    )
)
_preset(
    NetSpec(
        parse_layers("100-512:d0.3-1024:d0.2-2000:d0.2-3200:d0.2"),
        "notebook-3",
        optimizer="adam",
        lr=1e-3,
        epochs=20,
        **_NOTEBOOK,
    )
)
_MODERN = {
    "optimizer": "adamw",
    "weight_decay": 1e-4,
    "batch_size": 128,
    "epochs": 30,
    "patience": 5,
}
_preset(NetSpec(parse_layers("256"), "shallow-256", lr=1e-3, **_MODERN))
_preset(NetSpec(parse_layers("512:d0.2-256:d0.2"), "mlp-512-256", lr=1e-3, **_MODERN))
_preset(NetSpec(parse_layers("1024:d0.3-512:d0.3-256:d0.3"), "mlp-wide-drop", lr=1e-3, **_MODERN))
_preset(NetSpec(parse_layers("256-256-256-256"), "mlp-deep-nodrop", lr=1e-3, **_MODERN))
_preset(
    NetSpec(
        parse_layers("512:d0.2-256:d0.2"),
        "mlp-sgd-momentum",
        optimizer="sgd",
        lr=0.05,
        momentum=0.9,
        weight_decay=1e-4,
        batch_size=128,
        epochs=30,
        patience=5,
    )
)
_preset(
    NetSpec(
        parse_layers("1024:d0.3-1024:d0.3-1024:d0.3"),
        "mlp-best",
        optimizer="adamw",
        lr=2e-3,
        weight_decay=1e-2,
        batch_size=128,
        epochs=30,
        schedule="onecycle",
        hflip=True,
        mixup=0.2,
        tta=True,
        refit=True,
        init="default",
    )
)
_preset(
    NetSpec(
        parse_layers("c32-c32-p-c64-c64-p-256:d0.3"),
        "cnn-small",
        optimizer="adamw",
        lr=2e-3,
        weight_decay=5e-4,
        batch_size=128,
        epochs=12,
        schedule="onecycle",
        hflip=True,
        scaling="unit",
        init="default",
    )
)
_preset(
    NetSpec(
        parse_layers("c16-p-c32-p-64"),
        "cnn-tiny",
        optimizer="adamw",
        lr=3e-3,
        weight_decay=1e-4,
        batch_size=128,
        epochs=5,
        schedule="onecycle",
        scaling="unit",
        init="default",
    )
)


def get_preset(name: str) -> NetSpec:
    """A named preset; an unknown name lists the valid ones."""
    if name not in PRESETS:
        raise FmstudyError(f"unknown network preset {name!r}: choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def resolve_arch(arch: str) -> NetSpec:
    """``--arch``: a preset name, a spec JSON file, or a layer string."""
    if arch in PRESETS:
        return PRESETS[arch]
    path = Path(arch)
    if arch.endswith(".json") or path.is_file():
        try:
            data = json.loads(path.read_text())
        except OSError as exc:
            raise FmstudyError(f"cannot read spec file {arch}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise FmstudyError(f"spec file {arch} is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise FmstudyError(f"spec file {arch} does not hold a network spec")
        return NetSpec.from_dict(data.get("spec", data))
    if re.match(r"[A-Za-z]", arch) and re.search(r"[a-bd-oq-zA-Z_]", arch):  # a name, not layers
        raise FmstudyError(f"unknown network preset {arch!r}: choose one of {', '.join(PRESETS)}")
    return NetSpec(parse_layers(arch))


# --- the builder -------------------------------------------------------------


def build_model(
    spec: NetSpec, n_classes: int, image_shape: tuple[int, int] = (28, 28)
) -> nn.Module:
    """Turn any spec into a model with ``n_classes`` outputs."""
    act = ACTIVATIONS[spec.activation]
    mods: list[nn.Module] = []
    channels, (h, w) = 1, image_shape
    flat = None if spec.is_conv else h * w
    if not spec.is_conv:
        mods.append(nn.Flatten())
    for layer in spec.layers:
        if layer.kind == "conv":
            mods += [
                nn.Conv2d(channels, layer.width, 3, padding=1, bias=False),
                nn.BatchNorm2d(layer.width),
                act(),
            ]
            if layer.dropout:
                mods.append(nn.Dropout2d(layer.dropout))
            channels = layer.width
        elif layer.kind == "pool":
            mods.append(nn.MaxPool2d(2))
            h, w = h // 2, w // 2
        else:
            if flat is None:
                mods.append(nn.Flatten())
                flat = channels * h * w
            mods += [nn.Linear(flat, layer.width), act()]
            if layer.dropout:
                mods.append(nn.Dropout(layer.dropout))
            flat = layer.width
    if flat is None:
        mods.append(nn.Flatten())
        flat = channels * h * w
    mods.append(nn.Linear(flat, n_classes))
    model = nn.Sequential(*mods)
    if spec.init == "glorot":
        for m in model.modules():
            if isinstance(m, nn.Linear | nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
    return model


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --- training ----------------------------------------------------------------


@dataclass
class TrainRun:
    """One training of one spec with one seed: history, predictions, weights."""

    spec: NetSpec
    seed: int
    classes: tuple[int, ...]
    history: dict  # train_loss, train_acc, val_loss, val_acc: one value per epoch
    best_epoch: int  # 1-based epoch with the lowest validation loss
    epochs_run: int
    y_pred: np.ndarray  # test predictions, original labels
    test_accuracy: float
    n_params: int
    epoch_seconds: list[float] = field(default_factory=list)
    predict_seconds: float = 0.0  # scaling and predicting the test set
    refit_seconds: float = 0.0  # training on every row after the validated run (spec.refit)
    state: dict | None = None  # weights, for saving
    scaler: dict | None = None  # mean/std (or 1/255) the inputs were scaled with
    dataset: str = "fashion-mnist"
    folder: Path | None = None  # where it was saved (a cache), if it was


def split_validation(y: np.ndarray, spec: NetSpec, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation parts."""
    n = len(y)
    n_val = int(round(n * spec.val_fraction))
    if spec.val_split == "first":  # the notebook: the first 20 % of the rows
        idx = np.arange(n)
        return idx[n_val:], idx[:n_val]
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        rng.shuffle(members)
        val.append(members[: int(round(len(members) * spec.val_fraction))])
    val_idx = np.sort(np.concatenate(val))
    return np.setdiff1d(np.arange(n), val_idx), val_idx


def _scaler(x: np.ndarray, scaling: str) -> dict:
    if scaling == "unit":
        return {
            "mean": np.zeros(x.shape[1], np.float32),
            "std": np.full(x.shape[1], 255.0, np.float32),
        }
    mean = x.mean(axis=0, dtype=np.float64)
    std = x.std(axis=0, dtype=np.float64)
    std[std == 0] = 1.0  # constant pixels (the corners) stay 0, as StandardScaler does
    return {"mean": mean.astype(np.float32), "std": std.astype(np.float32)}


def _prepare(x: np.ndarray, scaler: dict, spec: NetSpec) -> torch.Tensor:
    flat = x.reshape(len(x), int(np.prod(x.shape[1:]))).astype(np.float32)
    t = torch.from_numpy((flat - scaler["mean"]) / scaler["std"])
    return t.view(len(x), 1, 28, 28) if spec.is_conv else t


def _optimizer(spec: NetSpec, params):
    if spec.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=spec.lr, momentum=spec.momentum, weight_decay=spec.weight_decay
        )
    cls = torch.optim.Adam if spec.optimizer == "adam" else torch.optim.AdamW
    # The fused kernel updates each parameter in one pass: on notebook-3 it halves the
    # epoch (12 s instead of 26 s on 2 cores), the update being memory-bound.
    return cls(params, lr=spec.lr, weight_decay=spec.weight_decay, fused=True)


def _in_pixel_space(xb: torch.Tensor, change, mean=None, std=None) -> torch.Tensor:
    """Apply ``change`` to the (N, 28, 28) images behind scaled inputs and scale again:
    a mirrored or shifted standardized image is not a standardized mirrored or shifted one.
    Without ``mean`` the inputs are changed as they are."""
    if mean is None:
        return change(xb.reshape(-1, 28, 28)).reshape(xb.shape)
    img = change((xb.reshape(len(xb), -1) * std + mean).reshape(-1, 28, 28))
    return ((img.reshape(len(xb), -1) - mean) / std).reshape(xb.shape)


def _mirror(xb: torch.Tensor, mean=None, std=None) -> torch.Tensor:
    """Mirror images left-right, in pixel space for standardized ones (per-pixel ``mean``
    and ``std`` are not mirror-symmetric)."""
    return _in_pixel_space(xb, lambda img: img.flip(-1), mean, std)


def _pixel_stats(spec: NetSpec, scaler: dict) -> tuple:
    """What :func:`_mirror` needs for this spec's inputs: the per-pixel mean and std of
    standardized ones, nothing for pixels / 255."""
    if spec.scaling != "standardize":
        return None, None
    return torch.as_tensor(scaler["mean"]), torch.as_tensor(scaler["std"])


def _log_probs(model: nn.Module, xb: torch.Tensor, mirror=None) -> torch.Tensor:
    """Log-probabilities; with ``mirror`` (mean, std) the average over image and mirror."""
    out = model(xb).log_softmax(1)
    if mirror is None:
        return out
    both = torch.stack([out, model(_mirror(xb, *mirror)).log_softmax(1)])
    return torch.logsumexp(both, 0) - math.log(2)


def _all_log_probs(model: nn.Module, x: torch.Tensor, mirror=None, batch: int = 1024):
    """:func:`_log_probs` of every row, in eval mode and in batches (validation, test, predict)."""
    model.eval()
    with torch.inference_mode():
        return torch.cat(
            [_log_probs(model, x[i : i + batch], mirror) for i in range(0, len(x), batch)]
        )


def _evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1024, mirror=None):
    out = _all_log_probs(model, x, mirror, batch)
    loss = sum(
        nn.functional.nll_loss(out[i : i + batch], y[i : i + batch], reduction="sum").item()
        for i in range(0, len(x), batch)
    )
    preds = out.argmax(1)
    return loss / len(x), int((preds == y).sum()) / len(x), preds.numpy()


def _random_shift(xb, limit: int, gen, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Translate each image by up to ``limit`` pixels in pixel space (background 0 fills in)."""
    dy, dx = torch.randint(0, 2 * limit + 1, (2, len(xb)), generator=gen)
    rows = (dy.view(-1, 1) + torch.arange(28)).view(-1, 28, 1)
    cols = (dx.view(-1, 1) + torch.arange(28)).view(-1, 1, 28)

    def shift(img):
        pad = nn.functional.pad(img, (limit,) * 4, value=0.0)
        return pad[torch.arange(len(img)).view(-1, 1, 1), rows, cols]

    return _in_pixel_space(xb, shift, mean, std)


def seed_everything(seed: int) -> torch.Generator:
    import random

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


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
) -> TrainRun:
    """Train one spec with one seed; deterministic on the CPU for a given thread count.

    ``holdout=False`` trains on every training row for the spec's epochs (the final fit
    of a searched spec; the history then has no validation values).  Without ``x_test``
    nothing is predicted (a search trial never looks at the test set).  A spec with
    ``refit`` keeps the validated run's history and best epoch, then trains afresh on
    every training row for that many epochs and returns that network's weights and test
    predictions.
    """
    if threads:
        torch.set_num_threads(threads)
    gen = seed_everything(seed)
    lut = np.full(max(classes) + 1, -1, dtype=np.int64)
    lut[list(classes)] = np.arange(len(classes))
    if holdout:
        tr_idx, val_idx = split_validation(y_train, spec, seed)
    else:
        tr_idx, val_idx = np.arange(len(y_train)), np.arange(0)
    scaler = _scaler(x_train[tr_idx].reshape(len(tr_idx), -1), spec.scaling)
    xtr = _prepare(x_train[tr_idx], scaler, spec)
    xval = _prepare(x_train[val_idx], scaler, spec)
    ytr = torch.from_numpy(lut[y_train[tr_idx]])
    yval = torch.from_numpy(lut[y_train[val_idx]])
    model = build_model(spec, len(classes))
    opt = _optimizer(spec, model.parameters())
    mean, std = torch.from_numpy(scaler["mean"]), torch.from_numpy(scaler["std"])
    pixel = _pixel_stats(spec, scaler)
    mirror = pixel if spec.tta else None
    mix_rng = np.random.default_rng(seed)
    steps_per_epoch = math.ceil(len(xtr) / spec.batch_size)
    sched = (
        torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=spec.lr, epochs=spec.epochs, steps_per_epoch=steps_per_epoch
        )
        if spec.schedule == "onecycle"
        else None
    )
    hist = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    seconds, best, best_state, waited = [], (math.inf, 0), None, 0
    for epoch in range(1, spec.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(len(xtr), generator=gen)
        total_loss, total_right = 0.0, 0
        for i in range(0, len(order), spec.batch_size):
            idx = order[i : i + spec.batch_size]
            xb, yb = xtr[idx], ytr[idx]
            if spec.hflip:
                flip = torch.rand(len(idx), generator=gen) < 0.5
                mirrored = _mirror(xb, *pixel)
                xb = torch.where(flip.view(-1, *([1] * (xb.dim() - 1))), mirrored, xb)
            if spec.shift:
                xb = _random_shift(xb, spec.shift, gen, mean, std)
            lam, partner = 1.0, yb
            if spec.mixup and torch.rand(1, generator=gen).item() < 0.5:
                lam = float(mix_rng.beta(spec.mixup, spec.mixup))
                perm = torch.randperm(len(xb), generator=gen)
                xb, partner = lam * xb + (1 - lam) * xb[perm], yb[perm]
            out = model(xb)
            loss = nn.functional.cross_entropy(out, yb)
            if lam < 1.0:
                loss = lam * loss + (1 - lam) * nn.functional.cross_entropy(out, partner)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if sched:
                sched.step()
            total_loss += loss.item() * len(idx)
            total_right += int((out.argmax(1) == yb).sum())
        seconds.append(time.perf_counter() - t0)
        hist["train_loss"].append(total_loss / len(xtr))
        hist["train_acc"].append(total_right / len(xtr))
        if not holdout:
            if on_epoch:
                on_epoch(epoch, hist)
            best = (math.nan, epoch)
            continue
        val_loss, val_acc, _ = _evaluate(model, xval, yval, mirror=mirror)
        seconds[-1] = time.perf_counter() - t0
        hist["val_loss"].append(val_loss)
        hist["val_acc"].append(val_acc)
        if on_epoch:
            on_epoch(epoch, hist)
        if val_loss < best[0]:
            best, waited = (val_loss, epoch), 0
            if spec.patience:
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if spec.patience and waited >= spec.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)  # early stopping: back to the best epoch
    refit = spec.refit and holdout
    t0 = time.perf_counter()
    test_acc, pred = math.nan, np.zeros(0, dtype=np.int64)
    if x_test is not None and not refit:
        xte = _prepare(x_test, scaler, spec)
        yte = torch.from_numpy(lut[y_test])
        _, test_acc, pred = _evaluate(model, xte, yte, mirror=mirror)
    predict_seconds = time.perf_counter() - t0
    run = TrainRun(
        spec=spec,
        seed=seed,
        classes=tuple(classes),
        history=hist,
        best_epoch=best[1],
        epochs_run=len(hist["train_loss"]),
        y_pred=np.asarray(classes)[pred],
        test_accuracy=test_acc,
        n_params=count_parameters(model),
        epoch_seconds=seconds,
        predict_seconds=predict_seconds,
        state={k: v.detach().clone() for k, v in model.state_dict().items()},
        scaler=scaler,
    )
    if not refit:
        return run
    # The validated run chose the epoch count; the tested network sees every training row.
    full = train(
        replace(spec, epochs=run.best_epoch if spec.patience else spec.epochs, patience=None),
        x_train,
        y_train,
        x_test,
        y_test,
        classes,
        seed=seed,
        on_epoch=(lambda e, _h: on_epoch(run.epochs_run + e, hist)) if on_epoch else None,
        holdout=False,
    )
    return replace(
        run,
        y_pred=full.y_pred,
        test_accuracy=full.test_accuracy,
        predict_seconds=full.predict_seconds,
        state=full.state,
        scaler=full.scaler,
        refit_seconds=sum(full.epoch_seconds),
    )


# --- saving and loading --------------------------------------------------------


def save_run(run: TrainRun, folder: Path) -> Path:
    """Weights as safetensors beside the spec JSON (no pickle anywhere)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.contiguous() for k, v in run.state.items()}
    tensors["scaler.mean"] = torch.from_numpy(np.asarray(run.scaler["mean"], np.float32))
    tensors["scaler.std"] = torch.from_numpy(np.asarray(run.scaler["std"], np.float32))
    save_file(tensors, str(folder / "model.safetensors"))
    meta = {
        "spec": run.spec.to_dict(),
        "classes": list(run.classes),
        "dataset": run.dataset,  # what 'fmstudy evaluate' tests on by default
        "seed": run.seed,
        "test_accuracy": run.test_accuracy,
        "best_epoch": run.best_epoch,
        "epochs_run": run.epochs_run,
        "history": run.history,
    }
    (folder / "spec.json").write_text(json.dumps(meta, indent=2))
    return folder


def load_model(folder: Path) -> tuple[NetSpec, tuple[int, ...], nn.Module, dict]:
    """Reload a saved network: spec, classes, model (eval mode), input scaler."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    try:
        meta = json.loads((folder / "spec.json").read_text())
        tensors = load_file(str(folder / "model.safetensors"))
    except FileNotFoundError:
        raise FmstudyError(
            f"{folder} is not a saved fmstudy network (spec.json and model.safetensors expected)"
        ) from None
    except (json.JSONDecodeError, SafetensorError, OSError) as exc:
        raise FmstudyError(f"cannot read the saved network in {folder}: {exc}") from None
    spec = NetSpec.from_dict(meta["spec"])
    classes = tuple(meta["classes"])
    model = build_model(spec, len(classes))
    state = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    try:
        model.load_state_dict(state)
    except RuntimeError:
        raise FmstudyError(f"the weights in {folder} do not fit its spec.json") from None
    model.eval()
    scaler = {"mean": tensors["scaler.mean"].numpy(), "std": tensors["scaler.std"].numpy()}
    return spec, classes, model, scaler


def predict(model: nn.Module, spec: NetSpec, scaler: dict, x: np.ndarray, classes) -> np.ndarray:
    mirror = _pixel_stats(spec, scaler) if spec.tta else None
    out = _all_log_probs(model, _prepare(x, scaler, spec), mirror)
    return np.asarray(classes)[out.argmax(1).numpy()]


def with_overrides(spec: NetSpec, **changes) -> NetSpec:
    """A copy of ``spec`` with the given fields changed (None means keep)."""
    return replace(spec, **{k: v for k, v in changes.items() if v is not None})
