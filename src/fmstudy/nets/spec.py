"""Networks as data: a spec, its string grammar, the named presets and one builder.

    spec = NetSpec(parse_layers("100-512:d0.3"), optimizer="adam", epochs=20)
    model = build_model(spec, n_classes=4)          # a torch.nn.Sequential

A network is a :class:`NetSpec`: layers (dense widths with dropout, or conv
blocks and pooling), activation, optimizer, learning rate, weight decay, batch
size, epochs, input scaling, validation split and the training extras (flips,
shifts, mixup, mirror-averaged predictions, refit, bfloat16 mixed precision).  The
layer grammar is
``100-512:d0.3-1024:d0.2`` for dense layers and ``c32-c32-p-c64-p-256:d0.3``
with conv blocks (``cN``: 3x3 conv, batch norm, activation) and 2x2 max
pooling (``p``).  The named presets are in :mod:`fmstudy.nets.presets`, training in
:mod:`fmstudy.nets.training`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING

from fmstudy import checks
from fmstudy.errors import FmstudyError

if TYPE_CHECKING:  # torch is imported by the builder only: configs and specs load without it
    from torch import nn

# Bumped whenever the same spec and seed would train differently (fmstudy.nets.training):
# cached fits and search studies made by another version are not reused.  It lives here,
# beside the spec, so the fit cache can key classical fits without importing torch.
# 3: flips in pixel space.  4: channels-last convolutions, one thread per training.
TRAINER_VERSION = 4

ACTIVATIONS = {"relu": "ReLU", "gelu": "GELU", "tanh": "Tanh", "elu": "ELU"}  # torch.nn names
OPTIMIZERS = ("sgd", "adam", "adamw")
SCALINGS = ("standardize", "unit")
SPLITS = ("first", "stratified")
SCHEDULES = ("none", "onecycle")
INITS = ("glorot", "default")
PRECISIONS = ("float32", "bfloat16", "auto")  # auto: bfloat16 where the processor has it
LAYER_KINDS = ("dense", "conv", "pool")
MAX_WIDTH = 65_536  # units or channels of one layer
MAX_EPOCHS = 10_000
MAX_POOLS = 4  # 28 -> 14 -> 7 -> 3 -> 1 pixels; a fifth pooling leaves nothing
MAX_LAYERS = 100
MAX_WEIGHTS = 100_000_000  # 400 MB of float32 weights, about 1.6 GB to train with Adam
MAX_BATCH_VALUES = 500_000_000  # float32 activations of one batch: about 2 GB


@dataclass(frozen=True)
class Layer:
    """One layer: ``dense`` (width, dropout after it), ``conv`` (channels) or ``pool``."""

    kind: str
    width: int = 0
    dropout: float = 0.0

    def __post_init__(self) -> None:
        try:
            checks.choice(self.kind, "layer kind", LAYER_KINDS)
            if self.kind != "pool":
                checks.integer(self.width, f"{self.kind} width", low=1, high=MAX_WIDTH)
            checks.number(self.dropout, "dropout", low=0, high=0.95)
        except FmstudyError as exc:
            raise FmstudyError(f"bad network spec: {exc}") from None

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
    # bfloat16 mixed precision computes the forward passes (training and evaluation) in
    # bfloat16, weights and optimizer in float32; "auto" uses it where the processor computes
    # it natively (fmstudy.nets.devices.precision_used): 2.2x faster on cnn-small there.
    precision: str = "float32"

    def __post_init__(self) -> None:
        try:
            _check_spec(self)
        except FmstudyError as exc:
            raise FmstudyError(f"bad network spec: {exc}") from None

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
        if self.precision == "bfloat16":
            out.append("bfloat16 mixed precision")
        elif self.precision == "auto":
            out.append("bfloat16 mixed precision where the processor has it")
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
        """A spec from JSON, checked as strictly as one made in Python or by the CLI."""
        if not isinstance(data, dict) or not isinstance(data.get("layers", []), list | tuple):
            raise FmstudyError("bad network spec: expected an object with a 'layers' list")
        extra = sorted(set(data) - {f.name for f in fields(cls)})
        if extra:
            raise FmstudyError(f"bad network spec: unknown fields {extra}")
        try:
            layers = tuple(Layer(**layer) for layer in data.get("layers", ()))
            return cls(**{**data, "layers": layers})
        except TypeError as exc:
            raise FmstudyError(f"bad network spec: {exc}") from None


def _check_spec(s: NetSpec) -> None:
    """Types, ranges, finite numbers, known names and a layer stack that can be built."""
    checks.file_name(s.name, "name")
    for value, what, valid in (
        (s.activation, "activation", tuple(ACTIVATIONS)),
        (s.optimizer, "optimizer", OPTIMIZERS),
        (s.scaling, "scaling", SCALINGS),
        (s.val_split, "validation split", SPLITS),
        (s.schedule, "schedule", SCHEDULES),
        (s.init, "init", INITS),
        (s.precision, "precision", PRECISIONS),
    ):
        checks.choice(value, what, valid)
    checks.number(s.lr, "lr", low=0, high=10, low_open=True)
    checks.number(s.momentum, "momentum", low=0, high=1)
    checks.number(s.weight_decay, "weight decay", low=0, high=10)
    checks.number(s.val_fraction, "validation fraction", low=0, high=0.9, low_open=True)
    checks.number(s.mixup, "mixup", low=0, high=100)
    checks.integer(s.batch_size, "batch size", low=1, high=MAX_WIDTH)
    checks.integer(s.epochs, "epochs", low=1, high=MAX_EPOCHS)
    checks.integer(s.shift, "shift", low=0, high=8)
    if s.patience is not None:
        checks.integer(s.patience, "patience", low=1, high=MAX_EPOCHS)
    for value, what in ((s.hflip, "hflip"), (s.tta, "tta"), (s.refit, "refit")):
        checks.flag(value, what)
    if not isinstance(s.layers, tuple) or not all(isinstance(x, Layer) for x in s.layers):
        raise FmstudyError("layers must be a list of layers")
    kinds = [layer.kind for layer in s.layers]
    if len(kinds) > MAX_LAYERS:
        raise FmstudyError(f"{len(kinds)} layers; a network spec has at most {MAX_LAYERS}")
    if "dense" in kinds and {"conv", "pool"} & set(kinds[kinds.index("dense") :]):
        raise FmstudyError("conv and pooling layers must come before the dense layers")
    if kinds and set(kinds) == {"pool"}:
        raise FmstudyError("only pooling")
    if kinds.count("pool") > MAX_POOLS:
        raise FmstudyError(
            f"{kinds.count('pool')} poolings shrink 28x28 images to nothing; at most {MAX_POOLS}"
        )


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


# --- the builder -------------------------------------------------------------


def footprint(spec: NetSpec, n_classes: int, image_shape: tuple = (28, 28)) -> tuple[int, int]:
    """The weights a spec's model has for ``image_shape`` and the values one image's
    activations take, counted before anything is allocated (the shapes of
    :func:`build_model`; batch norm's two per channel included)."""
    (h, w), channels = image_shape[:2], (image_shape[2] if len(image_shape) == 3 else 1)
    flat, weights, values = (None if spec.is_conv else h * w * channels), 0, h * w * channels
    for layer in spec.layers:
        if layer.kind == "conv":
            weights += 9 * channels * layer.width + 2 * layer.width
            channels = layer.width
            values += 3 * channels * h * w
        elif layer.kind == "pool":
            h, w = (h // 2, w // 2) if min(h, w) >= 2 else (h, w)
        else:
            flat = channels * h * w if flat is None else flat
            weights += (flat + 1) * layer.width
            flat = layer.width
            values += 2 * flat
    flat = channels * h * w if flat is None else flat
    return weights + (flat + 1) * n_classes, values + n_classes


def multiply_adds(spec: NetSpec, n_classes: int, image_shape: tuple = (28, 28)) -> int:
    """Multiply-adds of one image's forward pass (3x3 convolutions and dense layers), the
    shapes of :func:`build_model`: what a training epoch's time grows with."""
    (h, w), channels = image_shape[:2], (image_shape[2] if len(image_shape) == 3 else 1)
    flat, total = (None if spec.is_conv else h * w * channels), 0
    for layer in spec.layers:
        if layer.kind == "conv":
            total += 9 * channels * layer.width * h * w
            channels = layer.width
        elif layer.kind == "pool":
            h, w = (h // 2, w // 2) if min(h, w) >= 2 else (h, w)
        else:
            flat = channels * h * w if flat is None else flat
            total += flat * layer.width
            flat = layer.width
    flat = channels * h * w if flat is None else flat
    return total + flat * n_classes


def check_size(spec: NetSpec, n_classes: int, image_shape: tuple = (28, 28)) -> None:
    """Refuse, in one line, a network too big to train in memory: more than
    :data:`MAX_WEIGHTS` weights, or a batch whose activations exceed
    :data:`MAX_BATCH_VALUES` values."""
    weights, values = footprint(spec, n_classes, image_shape)
    if weights > MAX_WEIGHTS:
        raise FmstudyError(
            f"network {spec.name!r} has {weights:,} weights for {'x'.join(map(str, image_shape))} "
            f"images; at most {MAX_WEIGHTS:,}: use narrower or fewer layers"
        )
    if values * spec.batch_size > MAX_BATCH_VALUES:
        raise FmstudyError(
            f"network {spec.name!r}: a batch of {spec.batch_size} images holds "
            f"{values * spec.batch_size:,} activations; at most {MAX_BATCH_VALUES:,}: use a "
            "smaller batch size or narrower conv layers"
        )


def build_model(spec: NetSpec, n_classes: int, image_shape: tuple = (28, 28)) -> nn.Module:
    """Turn any spec into a model with ``n_classes`` outputs for images of ``image_shape``,
    (H, W) or (H, W, C): conv blocks take the channels, pooling halves the size (down
    to 1 pixel, so small images still build), MLPs flatten.  A spec too big for memory
    is refused first (:func:`check_size`)."""
    import torch
    from torch import nn

    check_size(spec, n_classes, image_shape)

    act = getattr(nn, ACTIVATIONS[spec.activation])
    mods: list[nn.Module] = []
    (h, w), channels = image_shape[:2], (image_shape[2] if len(image_shape) == 3 else 1)
    flat = None if spec.is_conv else h * w * channels
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
            if min(h, w) >= 2:  # an image already 1 pixel wide is not pooled further
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
    if spec.is_conv:  # channels-last convolutions and pooling: 2.2x faster on cnn-tiny's CPU step
        model = model.to(memory_format=torch.channels_last)
    return model


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def with_overrides(spec: NetSpec, **changes) -> NetSpec:
    """A copy of ``spec`` with the given fields changed (None means keep)."""
    return replace(spec, **{k: v for k, v in changes.items() if v is not None})
