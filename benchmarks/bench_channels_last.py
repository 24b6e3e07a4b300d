"""One training step of a conv network in the two memory layouts (issue 29): the layout
torch defaults to (channels first) against channels last, which the builder now uses.

    python benchmarks/bench_channels_last.py --layers cnn-tiny,cnn-small --threads 2

Random 28x28 images, AdamW (fused), batch 128; prints milliseconds a step in each layout,
the epoch of 19,200 training rows (classes 4-7 less the validation fifth) that implies, and
the ratio.  Do not run it beside another benchmark.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from fmstudy.nets.presets import PRESETS
from fmstudy.nets.spec import NetSpec, build_model, parse_layers

TRAIN_ROWS = 19_200


def step_ms(spec: NetSpec, layout: torch.memory_format, steps: int) -> float:
    """Milliseconds of one forward, backward and AdamW step in ``layout``."""
    model = build_model(spec, 4).to(memory_format=layout)
    opt = torch.optim.AdamW(model.parameters(), fused=True)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((spec.batch_size, 1, 28, 28), generator=gen).to(memory_format=layout)
    y = torch.randint(0, 4, (spec.batch_size,), generator=gen)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(3):  # warm-up
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="cnn-tiny,c32-p-c64-p-c128-p-256:d0.3,cnn-small")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.layers.split(","):
        spec = PRESETS.get(name) or NetSpec(parse_layers(name), batch_size=128)
        first = step_ms(spec, torch.contiguous_format, args.steps)
        last = step_ms(spec, torch.channels_last, args.steps)
        steps = -(-TRAIN_ROWS // spec.batch_size)
        print(
            f"{name}: channels first {first:.1f} ms, channels last {last:.1f} ms a step "
            f"({first * steps / 1000:.1f} -> {last * steps / 1000:.1f} s an epoch), "
            f"{first / last:.2f}x ({args.threads} threads, batch {spec.batch_size})"
        )


if __name__ == "__main__":
    main()
