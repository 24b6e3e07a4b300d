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

from fmstudy.augment import pixel_stats
from fmstudy.errors import FmstudyError
from fmstudy.networks import NetSpec, build_model
from fmstudy.training import TrainRun, all_log_probs, prepare_inputs


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


def model_folder(path: Path) -> Path:
    """The folder of a saved network, given the folder or its ``spec.json``."""
    path = Path(path)
    return path.parent if path.is_file() else path


def load_model(path: Path) -> tuple[NetSpec, tuple[int, ...], nn.Module, dict]:
    """Reload a saved network (its folder or spec.json): spec, classes, model, scaler."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = model_folder(path)
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


def saved_dataset(path: Path) -> str:
    """The data set a saved network was trained on, as its spec.json records it."""
    meta = json.loads((model_folder(path) / "spec.json").read_text())
    return meta.get("dataset", "fashion-mnist")


def predict(model: nn.Module, spec: NetSpec, scaler: dict, x: np.ndarray, classes) -> np.ndarray:
    """Predicted labels (original class numbers) for raw uint8 images."""
    mirror = pixel_stats(spec, scaler) if spec.tta else None
    out = all_log_probs(model, prepare_inputs(x, scaler, spec), mirror)
    return np.asarray(classes)[out.argmax(1).numpy()]
