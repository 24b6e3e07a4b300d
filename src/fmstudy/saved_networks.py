"""Saved networks: weights as safetensors beside spec.json (never pickled), reloaded to
predict.

    save_run(run, folder)                        # a training.TrainRun with its weights
    spec, classes, model, scaler = load_model(folder)     # or folder/spec.json
    predict(model, spec, scaler, images, classes)         # original class numbers
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fmstudy import checks
from fmstudy.augment import pixel_stats
from fmstudy.errors import FmstudyError
from fmstudy.net_inputs import prepare_inputs
from fmstudy.networks import NetSpec, build_model
from fmstudy.training import TrainRun, all_log_probs, softmax64


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
        "image_shape": list(run.image_shape),  # (H, W) or (H, W, C): what predict converts to
        "data_options": run.data_options,  # own data: the split and size to test on again
        "class_names": run.class_names,  # what predict prints
        "background": run.background,  # the training images' border level: polarity
        "seed": run.seed,
        "test_accuracy": run.test_accuracy,
        "best_epoch": run.best_epoch,
        "epochs_run": run.epochs_run,
        "history": run.history,
    }
    (folder / "spec.json").write_text(json.dumps(meta, indent=2))
    return folder


def model_folder(path: Path) -> Path:
    """The folder of a saved network, given the folder or its ``spec.json``."""
    path = Path(path)
    return path.parent if path.is_file() else path


def read_meta(path: Path) -> dict:
    """A saved network's spec.json, checked: its spec, classes and data set."""
    folder = model_folder(path)
    if not (folder / "spec.json").is_file() or not (folder / "model.safetensors").exists():
        raise FmstudyError(
            f"{folder} is not a saved fmstudy model (a network's spec.json and "
            "model.safetensors, or a classical model's model.json and model.skops)"
        )
    meta = checks.saved_meta(folder / "spec.json", "network", default_shape=[28, 28])
    meta["spec"] = NetSpec.from_dict(meta.get("spec"))
    return meta


def load_model(path: Path) -> tuple[NetSpec, tuple[int, ...], nn.Module, dict]:
    """Reload a saved network (its folder or spec.json): spec, classes, model, scaler."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    folder = model_folder(path)
    meta = read_meta(folder)
    weights = folder / "model.safetensors"
    try:
        if not weights.is_file():
            raise FmstudyError(f"{weights} is not a regular file")
        tensors = load(weights.read_bytes())
        scaler = {"mean": tensors["scaler.mean"].numpy(), "std": tensors["scaler.std"].numpy()}
    except (SafetensorError, OSError, KeyError) as exc:
        raise FmstudyError(f"cannot read the saved network in {folder}: {exc}") from None
    spec, classes = meta["spec"], tuple(meta["classes"])
    model = build_model(spec, len(classes), tuple(meta["image_shape"]))
    state = {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}
    try:
        model.load_state_dict(state)
    except RuntimeError:
        raise FmstudyError(f"the weights in {folder} do not fit its spec.json") from None
    model.eval()
    return spec, classes, model, scaler


def saved_dataset(path: Path) -> str:
    """The data set a saved network was trained on, as its spec.json records it."""
    return read_meta(path)["dataset"]


def predict(
    model: nn.Module, spec: NetSpec, scaler: dict, x: np.ndarray, classes, probabilities=False
):
    """Predicted labels (original class numbers) for raw uint8 images; with
    ``probabilities`` also the softmax probabilities (float64, one column per class)."""
    mirror = pixel_stats(spec, scaler, x.shape[1:]) if spec.tta else None
    out = all_log_probs(model, prepare_inputs(x, scaler, spec), mirror)
    labels = np.asarray(classes)[out.argmax(1).cpu().numpy()]
    return (labels, softmax64(out)) if probabilities else labels
