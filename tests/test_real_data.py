"""End to end on the shipped Fashion-MNIST: shapes, counts, hashes, the 40 % groups."""

import json

import numpy as np
import pytest

from fmstudy import classes_for_surname, load_dataset, select_classes
from fmstudy.cli.main import main

SHA = {
    "train-images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "test-images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "test-labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


@pytest.fixture(scope="module")
def fmnist(tmp_path_factory, real_data_dir):
    return load_dataset("fashion-mnist", tmp_path_factory.mktemp("data"))


def test_shapes_and_hashes(fmnist):
    assert fmnist.x_train.shape == (60000, 28, 28) and fmnist.y_train.shape == (60000,)
    assert fmnist.x_test.shape == (10000, 28, 28) and fmnist.y_test.shape == (10000,)
    assert fmnist.sha256 == SHA
    xtr, xte = fmnist.flat()
    assert xtr.shape == (60000, 784) and xte.shape == (10000, 784)
    both = fmnist.common_frame()
    assert both.shape == (70000, 786)
    assert both["split"].value_counts().to_dict() == {"train": 60000, "test": 10000}


@pytest.mark.parametrize(
    "surname, classes",
    [("Andersson", (0, 1, 2, 3)), ("Lind", (4, 5, 6, 7)), ("Öberg", (6, 7, 8, 9))],
)
def test_each_group_keeps_40_percent(fmnist, surname, classes):
    assert classes_for_surname(surname) == classes
    v = select_classes(fmnist, classes).verification()
    for split, total, per in (("train", 60000, 6000), ("test", 10000, 1000)):
        s = v["splits"][split]
        assert s["total"] == total and s["kept"] == total * 0.4 and s["share"] == 0.4 and s["ok"]
        assert set(s["per_class"].values()) == {per}


def test_spot_check_first_targets(fmnist):
    sub = select_classes(fmnist, (4, 5, 6, 7))
    expect = fmnist.y_train[np.isin(fmnist.y_train, (4, 5, 6, 7))][:10]
    assert sub.verification()["splits"]["train"]["first_targets"] == expect.tolist()
    assert sub.verification()["splits"]["train"]["first_targets"] == [7, 5, 5, 5, 5, 7, 6, 4, 4, 4]


def test_cli_data_json(tmp_path, capsys, real_data):
    assert main(["data", "--surname", "Lind", "--json", "--data-dir", str(tmp_path)]) == 0
    v = json.loads(capsys.readouterr().out)
    assert v["class_names"] == ["Coat", "Sandal", "Shirt", "Sneaker"]
    assert v["shapes"]["common_frame"] == [70000, 786] and v["sha256"] == SHA


def test_cli_data_text(tmp_path, capsys, real_data):
    assert main(["data", "--surname", "Lind", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "kept 24000 / 60000 = 40.0%" in out and "kept 4000 / 10000 = 40.0%" in out
    assert "(70000, 786)" in out and "Sneaker" in out
