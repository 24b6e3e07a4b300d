"""Where networks train: ``--device auto|cpu|cuda``, and on how many CPU threads.

    resolve_device("auto")             # "cuda" when torch sees a GPU, else "cpu"
    device_params(spec, "cuda")        # a training's cache-key parameters
    precision_used(spec, "cpu")        # "bfloat16" or "float32": what a training computes in
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


def precision_used(spec: NetSpec, device: str) -> str:
    """The precision a training of ``spec`` on ``device`` computes its forward pass in:
    the spec's, with ``auto`` resolved to bfloat16 where the processor computes it natively
    (AVX-512 BF16 or AMX on the CPU, Ampere or later on a GPU) and float32 elsewhere, where
    emulated bfloat16 would be slower than float32."""
    if spec.precision != "auto":
        return spec.precision
    if device == "cuda":
        native = torch.cuda.is_bf16_supported()
    else:
        cpu = torch.cpu  # AVX-512 without BF16 emulates it, no faster than float32
        native = cpu._is_avx512_bf16_supported() or cpu._is_amx_tile_supported()
    return "bfloat16" if native else "float32"


def autocast(device_type: str, precision: str):
    """The context a forward pass in ``precision`` runs in: torch's bfloat16 autocast for
    "bfloat16", nothing for "float32"."""
    return torch.autocast(device_type, torch.bfloat16, enabled=precision == "bfloat16")


def device_params(spec: NetSpec, device: str) -> dict:
    """A training's cache-key parameters: its spec, the precision ``auto`` resolved to,
    and the device unless the CPU (whose keys predate --device)."""
    params = spec.to_dict()
    if spec.precision == "auto":
        params["precision_used"] = precision_used(spec, device)
    return params if device == "cpu" else {**params, "device": device}


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
