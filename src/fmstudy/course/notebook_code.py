"""The code a study notebook writes out for its networks: each spec's layers as a PyTorch
``nn.Sequential`` and its training settings as a dict, made from the validated spec's
numbers and names only (no user text reaches the code).

    net = network_cell(spec_dict)      # {"name", "function", "code", "settings", ...}
"""

from __future__ import annotations

import re

from fmstudy.nets.spec import ACTIVATIONS, NetSpec

SETTINGS = (
    "optimizer",
    "lr",
    "momentum",
    "weight_decay",
    "batch_size",
    "epochs",
    "patience",
    "scaling",
    "val_split",
    "val_fraction",
    "init",
    "schedule",
    "hflip",
)  # what the notebook's plain training loop reads
LEFT_OUT = ("shift", "mixup", "tta", "refit")  # what it does not do (it trains in float32)


def sequential_code(spec: NetSpec) -> str:
    """The model of :func:`fmstudy.nets.spec.build_model` as nn code: C, H, W (the images'
    channels, height and width) and N_CLASSES are names the notebook defines."""
    act = f"nn.{ACTIVATIONS[spec.activation]}()"
    lines: list[str] = []
    channels, pools, flat = "C", 0, None
    if not spec.is_conv:
        lines.append("nn.Flatten()")
        flat = "C * H * W"
    for layer in spec.layers:
        if layer.kind == "conv":
            lines += [
                f"nn.Conv2d({channels}, {layer.width}, 3, padding=1, bias=False)",
                f"nn.BatchNorm2d({layer.width})",
                act,
            ]
            if layer.dropout:
                lines.append(f"nn.Dropout2d({layer.dropout!r})")
            channels = str(layer.width)
        elif layer.kind == "pool":
            lines.append("nn.MaxPool2d(2)")
            pools += 1
        else:
            if flat is None:
                lines.append("nn.Flatten()")
                flat = _flat(channels, pools)
            lines += [f"nn.Linear({flat}, {layer.width})", act]
            if layer.dropout:
                lines.append(f"nn.Dropout({layer.dropout!r})")
            flat = str(layer.width)
    if flat is None:
        lines.append("nn.Flatten()")
        flat = _flat(channels, pools)
    lines.append(f"nn.Linear({flat}, N_CLASSES)")
    return "nn.Sequential(\n" + "".join(f"        {line},\n" for line in lines) + "    )"


def _flat(channels: str, pools: int) -> str:
    """The length of the flattened conv output after ``pools`` halvings."""
    if not pools:
        return f"{channels} * H * W"
    return f"{channels} * (H // {2**pools}) * (W // {2**pools})"


def network_cell(spec_dict: dict) -> dict:
    """One network of a config as the notebook writes it out."""
    spec = NetSpec.from_dict(spec_dict)
    settings = {k: getattr(spec, k) for k in SETTINGS}
    left_out = [k for k in LEFT_OUT if getattr(spec, k)]
    left_out += ["precision"] if spec.precision != "float32" else []
    return {
        "name": spec.name,
        "function": "make_" + re.sub(r"\W", "_", spec.name.lower()),
        "layer_string": spec.layer_string,
        "code": sequential_code(spec),
        "settings": repr(settings),
        "left_out": ", ".join(left_out),
    }
