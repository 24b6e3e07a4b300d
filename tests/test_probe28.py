"""Odd input found by probing predict (issue 28): a thin strip of an image is padded to
the model's aspect ratio without building a canvas of gigabytes."""

from __future__ import annotations

import numpy as np
from PIL import Image

from fmstudy.models import predict_inputs
from fmstudy.models.predict_inputs import PAD_LIMIT, padded_size, prepared


def test_a_thin_strip_is_shrunk_before_padding(tmp_path, monkeypatch):
    strip = np.full((1, 60000), 200, np.uint8)
    Image.fromarray(strip).save(tmp_path / "strip.png")
    canvases = []
    real = predict_inputs.pad_to_aspect

    def recorded(x, target):
        out = real(x, target)
        canvases.append(out.shape)
        return out

    monkeypatch.setattr(predict_inputs, "pad_to_aspect", recorded)
    image = prepared(tmp_path / "strip.png", [12, 12])
    assert max(canvases[0]) <= PAD_LIMIT  # not 60000 x 60000 (3.6 GB)
    assert image.size == (1, 60000) and image.padded_to == (60000, 60000)  # as read, said
    assert image.resized and image.x.shape == (12, 12)
    assert (image.x == 200).all()  # padded with its own border colour


def test_an_ordinary_image_is_padded_as_before(tmp_path):
    wide = np.full((20, 30), 210, np.uint8)
    wide[:, 10:20] = 40
    Image.fromarray(wide).save(tmp_path / "wide.png")
    image = prepared(tmp_path / "wide.png", [30, 30])
    assert image.padded_to == (30, 30)
    assert np.array_equal(image.x[5:25], wide) and (image.x[:5] == 210).all()
    assert padded_size((20, 30), (20, 30)) == (20, 30)
    assert padded_size((1, 500), (12, 12)) == (500, 500)
