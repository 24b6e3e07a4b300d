"""Where networks train: ``--device auto|cpu|cuda``, and on how many CPU threads.

    resolve_device("auto")             # "cuda" when torch sees a GPU, else "cpu"
    device_params(spec, "cuda")        # a training's cache-key parameters
    with torch_threads(2): ...         # torch's thread count, the caller's again after

Results on the CPU do not depend on this module: a CPU training's cache key is its
spec alone, as before ``--device`` existed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from fmstudy import checks
from fmstudy.nets.spec import NetSpec


def resolve_device(name: str = "auto") -> str:
    """``auto`` (CUDA when torch sees it, else the CPU), ``cpu`` or ``cuda``."""
    checks.device(name)
    return "cuda" if name == "cuda" or (name == "auto" and torch.cuda.is_available()) else "cpu"


def device_params(spec: NetSpec, device: str) -> dict:
    """A training's cache-key parameters: its spec, and the device unless the CPU (whose
    keys predate --device, so its cached trainings stay valid)."""
    return spec.to_dict() if device == "cpu" else {**spec.to_dict(), "device": device}


@contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """torch's intra-op thread count set to ``threads`` inside (left as it is when None
    or 0), and back to the caller's count after, whatever happens inside."""
    if not threads:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
