"""The run's plan and expected duration, said before the wait (issue 29)."""

from __future__ import annotations

import pytest

from fmstudy.api import run_study
from fmstudy.nets.presets import get_preset
from fmstudy.study.config import study_config
from fmstudy.study.estimate import (
    classical_seconds,
    duration,
    estimate_study,
    machine_speed,
    network_seconds,
)
from fmstudy.study.fit_classical import study_specs


def _plan(profile="standard", rows=24_000, speed=1.0, tasks="1-5"):
    cfg = study_config(classes="4-7", profile=profile, tasks=tasks)
    return estimate_study(
        cfg,
        n_train=rows,
        n_test=4_000,
        image_shape=(28, 28),
        classical=study_specs(cfg),
        speed=speed,
    )


def test_the_estimate_grows_with_the_work():
    standard, quick = _plan(), _plan("quick")
    assert standard.seconds > 5 * quick.seconds  # 3 seeds of five networks against 2 of two
    half = _plan(rows=12_000)
    for part in ("fits", "curves", "networks"):
        assert half.parts[part] < standard.parts[part]
    assert _plan(tasks="1,3,4").parts.get("networks") is None
    slow = _plan(speed=2.0)
    assert slow.seconds == pytest.approx(2 * standard.seconds)


def test_network_seconds_follow_the_layers_and_epochs():
    small, tiny = get_preset("cnn-small"), get_preset("cnn-tiny")
    assert network_seconds(small, 24_000, 4, (28, 28)) > 5 * network_seconds(
        tiny, 24_000, 4, (28, 28)
    )
    longer = small.__class__(**{**small.to_dict(), "layers": small.layers, "epochs": 24})
    assert network_seconds(longer, 24_000, 4, (28, 28)) == pytest.approx(
        2 * network_seconds(small, 24_000, 4, (28, 28))
    )


def test_kernel_fits_grow_with_the_square_of_the_rows():
    one = classical_seconds("svc", {}, 10_000, 784, 10, 10_000)
    assert classical_seconds("svc", {}, 20_000, 784, 10, 10_000) == pytest.approx(4 * one)
    assert classical_seconds("svc", {"max_train_rows": 10_000}, 60_000, 784, 10, 10_000) == one


def _bfloat16_native(monkeypatch, native: bool) -> None:
    import torch

    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: native)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)


def test_the_standard_estimate_matches_its_measured_runs(monkeypatch):
    # benchmarks/README.md: 1,348 s on the float32 development machine before issue 29's
    # changes (cnn-small 994 s of it); the estimate then, at the same speed, was within 10 %.
    _bfloat16_native(monkeypatch, False)
    assert 0.5 < _plan().seconds / 1348 < 1.5
    # 450 s on the AVX-512 BF16 machine (speed 0.857) with bfloat16 networks
    _bfloat16_native(monkeypatch, True)
    assert 0.7 < _plan(speed=0.857).seconds / 450 < 1.3


def test_the_line_says_what_and_how_long():
    line = _plan().describe()
    assert "24,000 training and 4,000 test images" in line
    assert "3 classical models (5 fits) with learning curves" in line
    assert "5 networks x 3 seeds" in line
    assert "Expected: about" in line and "on this machine" in line
    one = _plan(tasks="1,5")
    one.work.update(networks=1, seeds=2, epochs=1)
    assert "1 network x 2 seeds (about 1 epoch)" in one.describe()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(3, "about 5 s"), (42, "about 40 s"), (240, "about 4 min"), (4200, "about 1 h 10 min")],
)
def test_durations_are_rounded(seconds, text):
    assert duration(seconds) == text


def test_machine_speed_is_measured():
    assert 0.05 < machine_speed() < 50


def test_a_run_says_its_plan_first(synthetic, capsys):
    _, data_dir = synthetic
    cfg = study_config(dataset="synth", classes="0-3", profile="quick", tasks="1,2")
    result = run_study(cfg, data_dir=data_dir, progress=True)
    lines = capsys.readouterr().out.splitlines()
    plan = next(i for i, line in enumerate(lines) if line.startswith("This run: tasks 1,2"))
    assert plan < next(i for i, line in enumerate(lines) if line.startswith("Task 2: PCA"))
    assert result.timings["estimate"]["seconds"] > 0
