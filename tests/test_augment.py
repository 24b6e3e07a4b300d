"""augment.py: mirrors and shifts in pixel space; mirror-averaged predictions."""

import numpy as np
import torch
from conftest import SMALL

from fmstudy.nets.augment import mirror_images, random_shift
from fmstudy.nets.spec import build_model
from fmstudy.nets.training import log_probs


def test_random_shift_moves_pixels_in_pixel_space():
    mean, std = torch.full((784,), 10.0), torch.full((784,), 2.0)
    raw = torch.zeros(3, 784)
    raw[:, 14 * 28 + 14] = 255.0
    x = (raw - mean) / std
    out = random_shift(x, 2, torch.Generator().manual_seed(0), (mean, std, (28, 28, 1)))
    back = (out * std + mean).view(3, 28, 28)
    for img in back:
        ((r, c),) = (img > 100).nonzero().tolist()
        assert abs(r - 14) <= 2 and abs(c - 14) <= 2
        assert torch.allclose(img[img < 100], torch.zeros(1))  # background stays 0


def _standardizer(seed=0):
    rng = np.random.default_rng(seed)
    mean = torch.from_numpy(rng.uniform(0, 100, 784).astype(np.float32))
    std = torch.from_numpy(rng.uniform(1, 50, 784).astype(np.float32))
    return mean, std


def test_mirror_flips_in_pixel_space():
    mean, std = _standardizer()  # per-pixel, not mirror-symmetric
    raw = torch.from_numpy(np.random.default_rng(1).uniform(0, 255, (5, 784)).astype(np.float32))
    expected = (raw.view(5, 28, 28).flip(-1).reshape(5, 784) - mean) / std
    assert torch.allclose(
        mirror_images((raw - mean) / std, (mean, std, (28, 28, 1))), expected, atol=1e-4
    )
    conv = ((raw - mean) / std).view(5, 1, 28, 28)
    assert mirror_images(conv, (mean, std, (28, 28, 1))).shape == (5, 1, 28, 28)
    unit = (raw / 255).view(5, 1, 28, 28)  # pixels / 255: an exact flip, no rescaling
    assert torch.equal(mirror_images(unit, (None, None, (28, 28, 1))), unit.flip(-1))


def test_tta_averages_the_probabilities_of_image_andmirror_images():
    mean, std = _standardizer()
    model = build_model(SMALL, 4).eval()
    x = torch.randn(6, 784)
    with torch.no_grad():
        expected = (
            model(x).softmax(1) + model(mirror_images(x, (mean, std, (28, 28, 1)))).softmax(1)
        ) / 2
        got = log_probs(model, x, (mean, std, (28, 28, 1))).exp()
        plain = log_probs(model, x).exp()
    assert torch.allclose(got, expected, atol=1e-6)
    assert torch.allclose(plain, model(x).softmax(1).detach(), atol=1e-6)


def test_colour_images_mirror_and_shift_per_channel():
    rng = np.random.default_rng(2)
    raw = torch.from_numpy(rng.uniform(0, 255, (4, 6, 5, 3)).astype(np.float32))  # N, H, W, C
    mean = torch.from_numpy(rng.uniform(0, 100, 90).astype(np.float32))
    std = torch.from_numpy(rng.uniform(1, 50, 90).astype(np.float32))
    flat = (raw.reshape(4, -1) - mean) / std
    expected = (raw.flip(2).reshape(4, -1) - mean) / std
    assert torch.allclose(mirror_images(flat, (mean, std, (6, 5, 3))), expected, atol=1e-4)
    conv = flat.view(4, 6, 5, 3).permute(0, 3, 1, 2)  # as prepare_inputs gives a conv net
    got = mirror_images(conv, (mean, std, (6, 5, 3)))
    assert torch.allclose(got, expected.view(4, 6, 5, 3).permute(0, 3, 1, 2), atol=1e-4)
    shifted = random_shift(conv, 1, torch.Generator().manual_seed(0), (mean, std, (6, 5, 3)))
    assert shifted.shape == conv.shape
    pixels = (shifted.permute(0, 2, 3, 1).reshape(4, -1) * std + mean).view(4, 6, 5, 3)
    for img, orig in zip(pixels, raw, strict=True):  # each channel moves with the others
        assert {round(float(v)) for v in img[..., 0].flatten()} - {0} <= {
            round(float(v)) for v in orig[..., 0].flatten()
        }
