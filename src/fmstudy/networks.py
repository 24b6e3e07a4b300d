"""Networks as data: a spec, its string grammar, the named presets and one builder.

    spec = get_preset("notebook-3")                 # or resolve_arch("100-512:d0.3")
    model = build_model(spec, n_classes=4)          # a torch.nn.Sequential

A network is a :class:`NetSpec`: layers (dense widths with dropout, or conv
blocks and pooling), activation, optimizer, learning rate, weight decay, batch
size, epochs, input scaling, validation split and the training extras (flips,
shifts, mixup, mirror-averaged predictions, refit).  The layer grammar is
``100-512:d0.3-1024:d0.2`` for dense layers and ``c32-c32-p-c64-p-256:d0.3``
with conv blocks (``cN``: 3x3 conv, batch norm, activation) and 2x2 max
pooling (``p``).  Training lives in :mod:`fmstudy.training`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fmstudy.errors import FmstudyError

if TYPE_CHECKING:  # torch is imported by the builder only: configs and specs load without it
    from torch import nn

# Bumped whenever the same spec and seed would train differently (fmstudy.training):
# cached fits and search studies made by another version are not reused.  It lives here,
# beside the spec, so the fit cache can key classical fits without importing torch.
# 3: flips in pixel space.
TRAINER_VERSION = 3

ACTIVATIONS = {"relu": "ReLU", "gelu": "GELU", "tanh": "Tanh", "elu": "ELU"}  # torch.nn names
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
    from torch import nn

    act = getattr(nn, ACTIVATIONS[spec.activation])
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


def with_overrides(spec: NetSpec, **changes) -> NetSpec:
    """A copy of ``spec`` with the given fields changed (None means keep)."""
    return replace(spec, **{k: v for k, v in changes.items() if v is not None})
