"""Saved networks: weights as safetensors beside spec.json (never pickled), reloaded to
predict.

    save_run(run, folder)                        # a train_run.TrainRun with its weights
    spec, classes, model, scaler = load_model(folder)     # or folder/spec.json
    predict(model, spec, scaler, images, classes)         # original class numbers

Reloading checks spec.json (:mod:`fmstudy.nets.saved_meta`), then the weights file's size and
header against the network spec.json describes (:mod:`fmstudy.nets.model_files`), before a
single weight is read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fmstudy.data.subsets import saved_subset
from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import model_result
from fmstudy.i18n import N_
from fmstudy.nets import model_files, saved_meta
from fmstudy.nets.augment import pixel_stats
from fmstudy.nets.devices import precision_used
from fmstudy.nets.inputs import prepare_inputs
from fmstudy.nets.spec import NetSpec, build_model
from fmstudy.nets.train_run import MEASURED, TrainRun
from fmstudy.nets.training import all_log_probs, softmax64
from fmstudy.results import SavedEvaluation

SCALER = ("scaler.mean", "scaler.std")
DTYPES = {torch.float32: "F32", torch.int64: "I64"}  # what a network's state holds


def save_run(run: TrainRun, folder: Path) -> Path:
    """Weights as safetensors beside spec.json (no pickle anywhere): the spec, the run's
    record (:meth:`TrainRun.to_dict`, less what it :data:`MEASURED`) and its training
    images' polarity and reference statistics, when the run has them."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.contiguous() for k, v in run.state.items()}
    tensors["scaler.mean"] = torch.from_numpy(np.asarray(run.scaler["mean"], np.float32))
    tensors["scaler.std"] = torch.from_numpy(np.asarray(run.scaler["std"], np.float32))
    save_file(tensors, str(folder / "model.safetensors"))
    meta = {"spec": run.spec.to_dict()}
    for name, value in run.to_dict().items():  # what the training measured stays in the cache
        if name == "tested_on":
            meta |= value  # n_test, test_sha256: evaluate tests on the same images again
        elif name not in MEASURED:
            meta[name] = value
    meta |= run.reference  # polarity and reference, for fmstudy predict
    (folder / "spec.json").write_text(json.dumps(meta, indent=2))
    return folder


def model_folder(path: Path) -> Path:
    """The folder of a saved network, given the folder or its ``spec.json``."""
    path = Path(path)
    return path.parent if path.is_file() else path


def read_meta(path: Path) -> dict:
    """A saved network's spec.json, checked (see :mod:`fmstudy.nets.saved_meta`)."""
    folder = model_folder(path)
    if not (folder / "spec.json").exists() or not (folder / "model.safetensors").exists():
        raise FmstudyError(
            f"{folder} is not a saved fmstudy model (a network's spec.json and "
            "model.safetensors, or a classical model's model.json and model.skops)"
        )
    return saved_meta.read_meta(folder / "spec.json", "network")


def load_model(path: Path) -> tuple[NetSpec, tuple[int, ...], nn.Module, dict]:
    """Reload a saved network (its folder or spec.json): spec, classes, model, scaler."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = model_folder(path)
    meta = read_meta(folder)
    spec, classes, shape = meta["spec"], tuple(meta["classes"]), tuple(meta["image_shape"])
    try:  # networks.build_model refuses a spec too big for memory
        want = wanted_tensors(spec, len(classes), shape)
    except FmstudyError as exc:
        raise FmstudyError(f"{folder / 'spec.json'}: {exc}") from None
    nbytes = sum(math.prod(s) * model_files.ITEM_BYTES[d] for d, s in want.values())
    weights = folder / "model.safetensors"
    try:
        header = model_files.safetensors_header(weights, nbytes)
    except FmstudyError as exc:
        raise FmstudyError(f"cannot read the saved network in {folder}: {exc}") from None
    _check_header(folder, meta, header, want)
    try:
        tensors = load_file(weights)
    except (SafetensorError, OSError) as exc:
        raise FmstudyError(f"cannot read the saved network in {folder}: {exc}") from None
    if not all(t.isfinite().all() for t in tensors.values() if t.is_floating_point()):
        raise FmstudyError(f"{weights} holds weights that are not finite numbers")
    scaler = {k.removeprefix("scaler."): tensors.pop(k).numpy() for k in SCALER}
    if not (scaler["std"] > 0).all():
        raise FmstudyError(f"{weights}: the input scaler's std must be positive")
    model = build_model(spec, len(classes), shape)
    model.load_state_dict({k.removeprefix("model."): v for k, v in tensors.items()})
    model.eval()
    return spec, classes, model, scaler


def wanted_tensors(spec: NetSpec, n_classes: int, shape: tuple) -> dict:
    """(dtype, shape) of each tensor a saved network of ``spec`` holds, its input scaler's
    included, from a model built on torch's meta device (no memory, whatever its size)."""
    with torch.device("meta"):
        state = build_model(spec, n_classes, shape).state_dict()
    want = {f"model.{k}": (DTYPES[t.dtype], tuple(t.shape)) for k, t in state.items()}
    return want | {name: ("F32", (math.prod(shape),)) for name in SCALER}


def _check_header(folder: Path, meta: dict, have: dict, want: dict) -> None:
    """The weights' tensors are the ones spec.json's network has; else one line naming
    the mismatch: the image shape, the class count, or the first tensor that differs."""
    meta_file, shape = folder / "spec.json", meta["image_shape"]
    got = have.get(SCALER[0])
    if got is not None and got[1] != want[SCALER[0]][1]:
        raise FmstudyError(
            f"{meta_file}: image_shape {' x '.join(map(str, shape))} ({want[SCALER[0]][1][0]} "
            f"values) does not fit model.safetensors, whose network takes "
            f"{' x '.join(map(str, got[1]))} values per image"
        )
    out = [k for k in want if k.startswith("model.")][-1]  # the output layer's bias
    if out in have and have[out][1] != want[out][1]:
        raise FmstudyError(
            f"{meta_file} names {len(meta['classes'])} classes, but the network in "
            f"model.safetensors has {' x '.join(map(str, have[out][1]))} outputs"
        )
    missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    if missing or extra:
        raise FmstudyError(
            f"the weights in {folder} are not those of the network its spec.json describes "
            f"(missing {missing[:3]}, unexpected {[f'{k:.40}' for k in extra[:3]]})"
        )
    for name, (dtype, dims) in want.items():
        if have[name] != (dtype, dims):
            raise FmstudyError(
                f"the weights in {folder} do not fit its spec.json: {name} is {have[name][0]} "
                f"{list(have[name][1])}, the network it describes has {dtype} {list(dims)}"
            )


def predict(
    model: nn.Module, spec: NetSpec, scaler: dict, x: np.ndarray, classes, probabilities=False
):
    """Predicted labels (original class numbers) for raw uint8 images; with
    ``probabilities`` also the softmax probabilities (float64, one column per class)."""
    mirror = pixel_stats(spec, scaler, x.shape[1:]) if spec.tta else None
    precision = precision_used(spec, "cpu")  # as it trained, where this processor can
    out = all_log_probs(model, prepare_inputs(x, scaler, spec), mirror, precision)
    labels = np.asarray(classes)[out.argmax(1).cpu().numpy()]
    return (labels, softmax64(out)) if probabilities else labels


def network_label(spec: NetSpec) -> tuple[str, dict]:
    """A network's name as a translatable message and its arguments."""
    return N_("Network {name} ({layers})"), {"name": spec.name, "layers": spec.layer_string}


def evaluate_network(path: Path, dataset: str | None = None, data_dir=None) -> SavedEvaluation:
    """Reload a saved network (its folder or spec.json) and test it on the classes it was
    trained on, from the data set its spec.json records unless ``dataset`` says another."""
    spec, classes, net, scaler = load_model(path)
    sub = saved_subset(read_meta(path), dataset, data_dir)
    y_pred, proba = predict(net, spec, scaler, sub.x_test, classes, probabilities=True)
    label = network_label(spec)
    result = model_result(
        spec.name, label, "5", sub.y_test, y_pred, sub.classes, sub.class_names, proba=proba
    )
    return SavedEvaluation(
        spec.name,
        spec.layer_string,
        spec.to_dict(),
        tuple(classes),
        sub.dataset.name,
        list(sub.class_names),
        result,
    )
