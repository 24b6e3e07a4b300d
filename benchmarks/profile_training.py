"""Where one training epoch of a preset spends its time (issue 29): torch.profiler over a
number of training steps (forward, loss, backward, AdamW step) on random 28x28 images
with the preset's layers and batch size, the ops sorted by their own CPU time.

    python benchmarks/profile_training.py --preset cnn-small --steps 60

Prints the seconds per step, the steps an epoch of 19,200 training rows needs (classes
4-7 less the 20 % validation), the epoch time that implies, and the 15 costliest ops.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

from fmstudy.nets.presets import get_preset
from fmstudy.nets.spec import build_model

TRAIN_ROWS = 19_200  # 24,000 training rows of four classes, less the validation fifth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cnn-small")
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    spec = get_preset(args.preset)
    model = build_model(spec, 4)
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((spec.batch_size, 1, 28, 28), generator=gen)
    y = torch.randint(0, 4, (spec.batch_size,), generator=gen)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(5):  # warm-up: allocator, kernels chosen
        step()
    start = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(args.steps):
            step()
    per_step = (time.perf_counter() - start) / args.steps
    steps = -(-TRAIN_ROWS // spec.batch_size)
    print(
        f"{args.preset}: batch {spec.batch_size}, {torch.get_num_threads()} threads, "
        f"{per_step * 1000:.1f} ms a step (profiled), {steps} steps an epoch -> "
        f"{per_step * steps:.1f} s an epoch of training steps"
    )
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


if __name__ == "__main__":
    main()
