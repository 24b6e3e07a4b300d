"""Issue 24 for one's own data: every way in (a --dataset path, a CSV, an .npz, image
files, class names, the decoded caches) either loads correctly or stops in one line
naming what is wrong; memory is bounded before anything is decoded."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import struct
import unicodedata
import warnings
import zipfile
import zlib

import numpy as np
import pytest
from badinput import check_bad_input, deny_access, fifo
from PIL import Image

from fmstudy import load_dataset
from fmstudy.cli.main import main
from fmstudy.data import csv_files
from fmstudy.data import own as own_data
from fmstudy.data.image_files import image_layout
from fmstudy.data.own import DataOptions

# --- builders: each takes the test's folder and returns the path it made ------------


def csv_file(text: str | bytes, name: str = "d.csv"):
    def make(p):
        (p / name).write_bytes(text.encode() if isinstance(text, str) else text)
        return p / name

    return make


HEADER = "label,p1,p2,p3,p4\n"


def rows(labels, pixels="1,2,3,4") -> str:
    return "".join(f"{label},{pixels}\n" for label in labels)


def csv_rows(*lines: str, labels=("0", "1") * 3):
    """A 2x2 CSV of good rows with ``lines`` after the first."""
    return csv_file(HEADER + rows(labels[:1]) + "".join(lines) + rows(labels[1:]))


def npz(**changes):
    """A valid Keras-style .npz (2 classes of 3x3 images) with ``changes``."""

    def make(p):
        arrays = {
            "x_train": np.arange(6 * 9, dtype=np.uint8).reshape(6, 3, 3),
            "y_train": np.array([0, 1] * 3),
            "x_test": np.arange(2 * 9, dtype=np.uint8).reshape(2, 3, 3),
            "y_test": np.array([0, 1]),
            **changes,
        }
        np.savez(p / "d.npz", **{k: v for k, v in arrays.items() if v is not None})
        return p / "d.npz"

    return make


def raw_file(name: str, data: bytes):
    def make(p):
        (p / name).write_bytes(data)
        return p / name

    return make


def _npy_bytes(arr, **kw) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, **kw)
    return buf.getvalue()


def npy_renamed(p):
    np.save(p / "d.npy", np.zeros((2, 3, 3), np.uint8))
    return (p / "d.npy").rename(p / "d.npz")


def truncated_npz(p):
    data = npz()(p).read_bytes()
    (p / "d.npz").write_bytes(data[: len(data) // 2])
    return p / "d.npz"


def declared_huge(p):
    """An .npz whose x_train member declares 4 GiB uncompressed in the zip directory."""
    data = bytearray(npz()(p).read_bytes())
    at = -1
    while True:  # the central directory's entry of x_train.npy
        at = data.index(b"PK\x01\x02", at + 1)
        (length,) = struct.unpack("<H", data[at + 28 : at + 30])
        if data[at + 46 : at + 46 + length] == b"x_train.npy":
            break
    data[at + 24 : at + 28] = struct.pack("<I", 0xFFFFFFF0)
    (p / "d.npz").write_bytes(bytes(data))
    return p / "d.npz"


def header_lies(p):
    """x_train's .npy header says a billion images; the member holds a few bytes."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "|u1", "fortran_order": False, "shape": (10**9, 28, 28)}
    )
    with np.load(npz()(p)) as good, zipfile.ZipFile(p / "lies.npz", "w") as z:
        for key in sorted(set(good.files) - {"x_train"}):
            z.writestr(f"{key}.npy", _npy_bytes(good[key]))
        z.writestr("x_train.npy", buf.getvalue() + b"\0" * 100)
    return p / "lies.npz"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(w: int, h: int, rows: int = 4) -> bytes:
    """A black PNG that declares ``w`` x ``h`` grey pixels and holds ``rows`` of them."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (w + 1) * min(h, rows), 1)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def save(path, arr, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(arr, np.uint8)).save(path, **kw)
    return path


def folder(classes=("a", "b"), per_class=3, shape=(4, 4), base="photos"):
    """Class folders of small distinct PNGs; returns a builder."""

    def make(p):
        root = p / base
        for k, name in enumerate(classes):
            for i in range(per_class):
                save(root / name / f"{i}.png", np.full(shape, 10 * i + 60 * k))
        return root

    return make


def with_file(make, rel: str, data: bytes):
    def build(p):
        root = make(p)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        return root

    return build


def split_folder(test_shape=(4, 4)):
    def make(p):
        folder(base="s/train")(p)
        folder(base="s/test", per_class=2, shape=test_shape)(p)
        return p / "s"

    return make


def sock(p):
    path = p / "s.csv"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()
    return path


def folder_named(name):
    def make(p):
        (p / name).mkdir()
        return p / name

    return make


def split_csv_with_fifo(p):
    (p / "k").mkdir()
    (p / "k" / "train.csv").write_text(HEADER + rows("0101"))
    os.mkfifo(p / "k" / "test.csv")
    return p / "k"


def split_csv_folder(p):
    (p / "k" / "train.csv").mkdir(parents=True)
    (p / "k" / "test.csv").write_text(HEADER + rows("01"))
    return p / "k"


def split_csv(train: str, test: str):
    def make(p):
        (p / "k").mkdir()
        (p / "k" / "train.csv").write_text(train)
        (p / "k" / "test.csv").write_text(test)
        return p / "k"

    return make


def bytes_folder(p):
    """A class folder whose name is not UTF-8 (a surrogate once decoded)."""
    folder()(p)
    os.mkdir(os.fsencode(p / "photos") + b"/bad\xff")
    save(p / "photos" / os.fsdecode(b"bad\xff") / "0.png", np.zeros((4, 4)))
    return p / "photos"


NFC_E, NFD_E = "caf\u00e9", unicodedata.normalize("NFD", "caf\u00e9")
D = ["data", "--dataset"]
CASES = [
    # --dataset paths that are not a folder or a regular file
    ([*D, "/dev/null"], "is not a regular file or a folder"),
    ([*D, fifo("f.csv")], "is not a regular file or a folder"),
    ([*D, sock], "is not a regular file or a folder"),
    ([*D, folder_named("d.csv")], "is a folder, not a .csv file"),
    ([*D, folder_named("d.npz")], "is a folder, not a .npz file"),
    ([*D, raw_file("d.txt", b"x")], "a file must be a .csv or an .npz"),
    ([*D, split_csv_with_fifo], "test.csv is not a regular file (a folder, a device, a FIFO"),
    ([*D, split_csv_folder], "train.csv is not a regular file (a folder,"),
    ([*D, ""], "--dataset is empty"),
    ([*D, "a\0b"], "is not a usable path"),
    ([*D, "~no-such-user-here/d.csv"], "unknown data set"),
    ([*D, npz(x_train=np.zeros((6, 0, 3), np.uint8))], "expected (n, H, W) or (n, H, W, 3)"),
    # CSV: rows, values, labels
    ([*D, csv_file("label," + "1," * (9 * 2**20) + "1\n")], "row 1 is longer than 16 MiB"),
    ([*D, csv_file("")], "the first column must be 'label'"),
    ([*D, csv_file("pixel1,pixel2\n1,2\n")], "the first column must be 'label'"),
    ([*D, csv_file("label,a,b,c\n0,1,2,3\n")], "3 pixels per row is not a square image"),
    ([*D, csv_file(HEADER)], "has 0 classes; a study needs two or more"),
    ([*D, split_csv(HEADER + rows("0101"), HEADER)], "test.csv holds no images"),
    ([*D, csv_rows("1,1,2,3,4,5\n")], "row 3 has 6 values, expected 5"),
    ([*D, csv_rows("1,1,2,3\n")], "row 3 has fewer than 5 values"),
    ([*D, csv_rows("1,1,,3,4\n")], "row 3 has fewer than 5 values (or an empty one)"),
    ([*D, csv_rows("1, ,2,3,4\n")], "row 3 has fewer than 5 values (or an empty one)"),
    ([*D, csv_rows("1,1,2,3,300\n")], "row 3: pixels must be whole numbers 0-255"),
    ([*D, csv_rows("1,1,2,3,-1\n")], "row 3: pixels must be whole numbers 0-255"),
    ([*D, csv_rows("1,1,2,3,1.5\n")], "row 3: pixels must be whole numbers 0-255"),
    ([*D, csv_rows("1,1,2,3,abc\n")], "row 3: pixels must be whole numbers 0-255"),
    ([*D, csv_rows("1,1,2,3,nan\n")], "row 3: pixels must be whole numbers 0-255"),
    ([*D, csv_rows("1,1,2,3,inf\n")], "row 3: pixels must be whole numbers 0-255"),
    ([*D, csv_rows(",1,2,3,4\n")], "row 3 has no label"),
    ([*D, csv_rows("a\0b,1,2,3,4\n")], "holds a control character"),
    ([*D, csv_rows("a\x1bb,1,2,3,4\n")], "holds a control character"),
    ([*D, csv_rows('"a\nb",1,2,3,4\n')], "row 3: the label 'a\\n' holds a line break"),
    ([*D, csv_file(HEADER.encode() + b"0,1,2,3,4\nx\xff,1,2,3,4\n")], "row 3 is not UTF-8 text"),
    ([*D, csv_rows("Cat,1,2,3,4\n", labels=("cat", "dog"))], "'Cat' and 'cat' differ only by case"),
    ([*D, csv_rows(f"{NFD_E},1,2,3,4\n", labels=(NFC_E, "x"))], "normalised (NFC)"),
    ([*D, csv_rows("9" * 5000 + ",1,2,3,4\n")], "is longer than 200 characters"),
    ([*D, csv_file(HEADER + rows(map(str, range(1001))))], "more than 1000 different labels"),
    ([*D, csv_file(HEADER + rows("000"))], "has 1 class"),
    ([*D, split_csv(HEADER + rows("0101"), HEADER + rows("07"))], "label 7 is not among the"),
    (
        [*D, split_csv(HEADER + rows("0101"), "label,a\n" + rows("01", "1"))],
        "holds 2x2 images, ",
    ),
    ([*D, csv_file(HEADER + rows("01" * 70)), "--image-size", "4096x4096"], "2.2 GiB of pixels"),
    # .npz: damaged, foreign, of objects, inconsistent
    ([*D, raw_file("d.npz", os.urandom(300))], "is not an .npz (a zip of .npy arrays)"),
    ([*D, raw_file("d.npz", b"")], "is not an .npz"),
    ([*D, truncated_npz], "d.npz"),
    ([*D, npy_renamed], "is one .npy array, not an .npz"),
    ([*D, declared_huge], "x_train unpacks to 4.0 GiB, more than the 2 GiB"),
    ([*D, header_lies], "is damaged (x_train is"),
    ([*D, npz(x_train=np.array([{"a": 1}] * 6))], "x_train holds Python objects"),
    ([*D, npz(class_names=np.array(["a", None], object))], "class_names holds Python objects"),
    ([*D, npz(class_names=np.array(["a", "a"]))], "the class name 'a' appears twice"),
    ([*D, npz(class_names=np.array(["Cat", "cat"]))], "differ only by case"),
    ([*D, npz(class_names=np.array([NFC_E, NFD_E]))], "normalised (NFC)"),
    ([*D, npz(class_names=np.array(["a", ""]))], "a class name is empty"),
    ([*D, npz(class_names=np.array(["a", "b\nc"]))], "holds a control character"),
    ([*D, npz(class_names=np.array([0.5, 1.5]))], "class_names must be a list of text"),
    ([*D, npz(class_names=np.array([["a", "b"]]))], "class_names must be a list of text"),
    ([*D, npz(class_names=np.array([b"a", b"\xff"]))], "not UTF-8 text"),
    (
        [*D, npz(class_names=np.array(["a", "b"]), y_train=np.array([0, 1, 2, 0, 1, 0]))],
        "label 2 is outside the 2 class_names",
    ),
    ([*D, npz(x_test=np.zeros((2, 4, 5), np.uint8))], "x_train holds 3x3 images, x_test 4x5"),
    ([*D, npz(y_test=None)], "lacks y_test"),
    ([*D, npz(x_train=np.zeros((6, 3, 3, 4), np.uint8))], "expected (n, H, W) or (n, H, W, 3)"),
    ([*D, npz(x_train=np.zeros((6, 3, 3)))], "x_train must hold whole numbers 0-255"),
    ([*D, npz(x_train=np.full((6, 3, 3), 300))], "x_train must hold whole numbers 0-255"),
    ([*D, npz(y_train=np.array([0, 1]))], "y_train must be one whole number >= 0 per image"),
    ([*D, npz(y_train=np.array([0, 1, 0, 1, 0, -1]))], "y_train must be whole numbers from 0"),
    ([*D, npz(y_test=np.array([2**63, 1], np.uint64))], "y_test must be whole numbers from 0"),
    (
        [
            *D,
            npz(x_train=np.zeros((200, 3, 3), np.uint8), y_train=np.arange(200) % 2),
            "--image-size",
            "4096x4096",
        ],
        "GiB of pixels",
    ),
    # image files and folders
    ([*D, with_file(folder(), "a/bomb.png", png(50_000, 50_000))], "declares 2,500,000,000 pixels"),
    ([*D, with_file(folder(), "a/cut.png", png(4, 4)[:30])], "cannot read the image"),
    (
        [*D, with_file(folder(), "a/junk.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)],
        "move it out of the folder",
    ),
    ([*D, with_file(folder(), "a/x.png", b"not a png")], "cannot read the image"),
    ([*D, folder(per_class=1)], "class 'a' has one image: it cannot be split"),
    ([*D, folder(classes=("Cat", "cat"))], "differ only by case; rename the class folders"),
    ([*D, folder(classes=(NFC_E, NFD_E))], "normalised (NFC); rename the class folders"),
    ([*D, folder(classes=("a", "new\nline"))], "'new\\nline' holds a control character"),
    ([*D, folder(classes=("a", "\u202eevil"))], "holds a control character"),
    ([*D, bytes_folder], "holds a control character"),
    ([*D, folder(classes=("a", " "))], "a class name is empty"),
    ([*D, split_folder(test_shape=(5, 4))], "the images differ in size"),
    ([*D, folder(per_class=65), "--image-size", "4096x4096"], "2.0 GiB of pixels"),
    ([*D, "digits", "--image-size", "4096x4096"], "28.1 GiB of pixels"),
    ([*D, folder(), "--classes", "a,b,c"], "'c' is neither a class number"),
    # the study itself: refused while its config is checked, before anything is written
    (["run", "--dataset", "/dev/null", "--classes", "0,1"], "is not a regular file"),
    (["run", "--dataset", folder(classes=("Cat", "cat")), "--classes", "0,1"], "differ only by"),
    (["run", "--dataset", csv_rows("\0,1,2,3,4\n"), "--classes", "0,1"], "control character"),
    (["run", "--dataset", npy_renamed, "--classes", "0,1"], "is one .npy array"),
    (["run", "--dataset", npz(class_names=np.array(["a", "a"])), "--classes", "a"], "twice"),
    (["run", "--dataset", csv_file("label," + "1," * (9 * 2**20)), "--classes", "0"], "16 MiB"),
]


@pytest.mark.parametrize("args, words", CASES)
def test_bad_own_data_stops_in_one_line(args, words, tmp_path, capsys, monkeypatch):
    check_bad_input(args, words, tmp_path, capsys, monkeypatch)


def test_an_unreadable_file_is_named(tmp_path, capsys, monkeypatch):
    path = csv_file(HEADER + rows("0101"))(tmp_path)
    deny_access(monkeypatch, path)
    check_bad_input([*D, path], "cannot read --dataset", tmp_path, capsys, monkeypatch)


def test_a_long_row_is_refused_before_it_is_held(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "MAX_ROW_BYTES", 40)
    path = csv_file(HEADER + rows("01") + "1," + "1," * 30 + "1\n")(tmp_path)
    with pytest.raises(own_data.FmstudyError, match="row 4 is longer than"):
        load_dataset(str(path), tmp_path / "d")


def test_the_budget_of_a_csv_counts_its_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(own_data, "MAX_PIXEL_BYTES", 100)  # 20 one-pixel rows: 20 B of pixels
    path = csv_file("label,p1\n" + rows("01" * 10, "5"))(tmp_path)
    with pytest.raises(own_data.FmstudyError, match="more than the"):
        load_dataset(str(path), tmp_path / "d")


# --- correct results ----------------------------------------------------------------


def load(make, tmp_path, size=None, share=0.25):
    return load_dataset(str(make(tmp_path)), tmp_path / "d", options=DataOptions(share, size, 0))


def test_text_labels_are_the_class_names(tmp_path):
    ds = load(csv_file(HEADER + rows(["coat", "shirt", '"a, b"'] * 4)), tmp_path)
    assert ds.class_names == ("a, b", "coat", "shirt")
    assert sorted(np.bincount(np.r_[ds.y_train, ds.y_test]).tolist()) == [4, 4, 4]


def test_big_integer_labels_stay_exact(tmp_path):
    labels = [str(2**53), str(2**53 + 1), str(10**20)] * 3
    ds = load(csv_file(HEADER + rows(labels)), tmp_path)
    assert ds.class_names == (str(2**53), str(2**53 + 1), "100000000000000000000")


def test_integer_labels_sort_as_numbers_and_3_0_is_3(tmp_path):
    ds = load(csv_file(HEADER + rows(["2", "10", "1", "-1", "3.0", "3"] * 2)), tmp_path)
    assert ds.class_names == ("-1", "1", "2", "3", "10")


def test_a_mix_of_numbers_and_text_is_all_text(tmp_path):
    ds = load(csv_file(HEADER + rows(["10", "2", "coat"] * 3)), tmp_path)
    assert ds.class_names == ("10", "2", "coat")


def test_labels_and_folder_names_become_nfc(tmp_path):
    ds = load(csv_file(HEADER + rows([NFD_E, "x"] * 3)), tmp_path)
    assert ds.class_names == (NFC_E, "x")
    ds = load(folder(classes=(NFD_E, "x")), tmp_path)
    assert ds.class_names == (NFC_E, "x")


def test_csv_pixels_as_floats_quotes_and_crlf_are_read(tmp_path):
    text = "\ufefflabel,a,b,c,d\r\n" + '0,1.0,"2",3e1, 4 \r\n1,5,6,7,8\r\n' * 3
    ds = load(csv_file(text), tmp_path, share=0.34)
    assert sorted({tuple(x.ravel()) for x in ds.x_train}) == [(1, 2, 30, 4), (5, 6, 7, 8)]


def test_a_csv_is_resized_as_it_is_read(tmp_path):
    ds = load(csv_file(HEADER + rows("0101")), tmp_path, size=(3, 5))
    assert ds.x_train.shape[1:] == (3, 5)


def test_a_split_csv_maps_test_labels_by_value(tmp_path):
    ds = load(split_csv(HEADER + rows(["1", "2"] * 2), HEADER + rows(["2.0", "+1"])), tmp_path)
    assert ds.class_names == ("1", "2") and ds.y_test.tolist() == [1, 0]


def test_a_16_bit_png_is_scaled_not_clipped(tmp_path):
    wide = np.arange(16, dtype=np.uint16).reshape(4, 4) * 4369  # 0 .. 65535
    for cls in ("a", "b"):
        for i in range(2):
            save(tmp_path / "p" / cls / f"{i}.png", wide if cls == "a" else wide // 2)
    ds = load(lambda p: p / "p", tmp_path, share=0.5)
    a = np.r_[ds.x_train, ds.x_test][np.r_[ds.y_train, ds.y_test] == 0][0]
    assert a.ravel().tolist() == list(range(0, 256, 17))


def test_transparency_is_shown_on_white(tmp_path):
    pal = Image.new("P", (2, 1))
    pal.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    pal.putpixel((1, 0), 1)
    pal.save(tmp_path / "p.png", transparency=0)
    la = Image.fromarray(np.array([[[10, 0], [10, 255]]], np.uint8), "LA")
    la.save(tmp_path / "la.png")
    from fmstudy.data.image_files import read_images

    assert read_images([tmp_path / "p.png"], None).tolist() == [[[[255, 255, 255], [0, 0, 255]]]]
    assert read_images([tmp_path / "la.png"], None).tolist() == [[[255, 10]]]


def test_a_grey_palette_stays_grey(tmp_path):
    from fmstudy.data.image_files import read_images

    Image.fromarray(np.array([[0, 200]], np.uint8)).convert("P").save(tmp_path / "g.png")
    assert read_images([tmp_path / "g.png"], None).tolist() == [[[0, 200]]]


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_exif_orientation_is_applied(suffix, tmp_path):
    img = np.zeros((20, 40), np.uint8)
    img[:, :20] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    for cls in ("a", "b"):
        for i in range(2):
            save(tmp_path / "p" / cls / f"{i}{suffix}", img, exif=exif.tobytes())
    ds = load(lambda p: p / "p", tmp_path, share=0.5)
    assert ds.x_train.shape[1:] == (40, 20)
    assert image_layout([tmp_path / "p" / "a" / f"0{suffix}"], None) == ((40, 20), False)
    assert ds.x_train[0, :5].mean() > 200 and ds.x_train[0, -5:].mean() < 50  # white on top


def test_a_large_jpeg_is_reduced_as_it_is_decoded(tmp_path, monkeypatch):
    from PIL import JpegImagePlugin

    asked = []
    draft = JpegImagePlugin.JpegImageFile.draft
    monkeypatch.setattr(
        JpegImagePlugin.JpegImageFile,
        "draft",
        lambda self, mode, size: asked.append(size) or draft(self, mode, size),
    )
    for cls in ("a", "b"):
        for i in range(2):
            save(tmp_path / "p" / cls / f"{i}.jpg", np.full((800, 600), 100 * i + 50))
    ds = load(lambda p: p / "p", tmp_path, size=(28, 28), share=0.5)
    assert ds.x_train.shape[1:] == (28, 28) and asked == [(28, 28)] * 4


def test_an_image_pillow_only_warns_about_is_read_without_a_warning(tmp_path):
    from fmstudy.data.image_files import read_images

    path = tmp_path / "big.png"
    path.write_bytes(png(9500, 9500, rows=9500))  # 90 megapixels: Pillow warns above 89
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning would fail the test
        assert read_images([path], (8, 8)).tolist() == [[[0] * 8] * 8]


def test_image_size_1x1_loads(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    path = folder()(tmp_path)
    assert main([*D, str(path), "--image-size", "1x1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["class_names"] == ["a", "b"]


@pytest.mark.parametrize(
    "options, words",
    [
        ({"image_size": [0, 28]}, "image_size must be from 1 to 4096"),
        ({"image_size": "big"}, "image_size must be HEIGHTxWIDTH"),
        ({"test_share": 2}, "test_share must be in"),
        ({"seed": -1}, "seed must be from 0"),
    ],
)
def test_options_from_a_saved_models_json_are_checked(options, words):
    with pytest.raises(own_data.FmstudyError, match=words):
        DataOptions.from_dict(options)


def test_npz_of_other_sizes_colours_and_compression_loads(tmp_path):
    rng = np.random.default_rng(0)
    np.savez_compressed(
        tmp_path / "c.npz",
        x_train=rng.integers(0, 256, (4, 6, 6), dtype=np.int64),
        y_train=np.array([[0], [1], [0], [1]]),
        x_test=rng.integers(0, 256, (2, 5, 7, 3), dtype=np.uint8),
        y_test=np.array([1, 0], np.uint16),
        class_names=np.array([b"shoe", b"caf\xc3\xa9"]),
    )
    ds = load(lambda p: p / "c.npz", tmp_path, size=(4, 4))
    assert ds.x_train.shape == (4, 4, 4, 3) and ds.x_test.shape == (2, 4, 4, 3)
    assert ds.class_names == ("shoe", NFC_E) and ds.y_test.tolist() == [1, 0]
    assert (ds.x_train[..., 0] == ds.x_train[..., 2]).all()  # grey made colour


def test_a_fortran_order_npz_reads_the_same(tmp_path):
    x = np.asfortranarray(np.arange(6 * 9, dtype=np.uint8).reshape(6, 3, 3))
    c = npz(x_train=x)(tmp_path)
    ds = load(lambda p: c, tmp_path)
    assert np.array_equal(ds.x_train, np.arange(6 * 9, dtype=np.uint8).reshape(6, 3, 3))


def test_the_data_command_reads_text_labels_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    path = csv_file(HEADER + rows(["coat", "shirt"] * 3, "9,8,7,6"))(tmp_path)
    assert main([*D, str(path), "--classes", "shirt,coat", "--json"]) == 0
    assert sorted(json.loads(capsys.readouterr().out)["class_names"]) == ["coat", "shirt"]


# --- the decoded caches -------------------------------------------------------------


def _own_cache(tmp_path):
    files = list((tmp_path / "d" / "decoded" / "own").glob("*.npz"))
    assert len(files) == 1
    return files[0]


def _resealed(path):
    with np.load(path) as z:
        arrays = dict(z)
    return arrays


def _lying_header(f):
    """The cached train images' .npy with a header that claims 10**10 images."""
    buf = io.BytesIO()
    fmt = {"descr": "|u1", "fortran_order": False, "shape": (10**10, 28, 28)}
    np.lib.format.write_array_header_1_0(buf, fmt)
    f.write_bytes(buf.getvalue() + b"\0" * 784)


def _npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


OWN_DAMAGE = {
    "random bytes": lambda f: f.write_bytes(os.urandom(200)),
    "empty": lambda f: f.write_bytes(b""),
    "an .npy": lambda f: f.write_bytes(_npy_bytes(np.zeros(3))),
    "truncated": lambda f: f.write_bytes(f.read_bytes()[:-100]),
    "keys missing": lambda f: f.write_bytes(_npz_bytes(x=_resealed(f)["x"])),
    "x as float": lambda f: f.write_bytes(
        _npz_bytes(**{**_resealed(f), "x": _resealed(f)["x"].astype(float)})
    ),
    "a pixel changed": lambda f: f.write_bytes(
        _npz_bytes(**{**_resealed(f), "x": _resealed(f)["x"] ^ np.uint8(1)})
    ),
    "labels swapped": lambda f: f.write_bytes(
        _npz_bytes(**{**_resealed(f), "y": 1 - _resealed(f)["y"]})
    ),
    "objects": lambda f: f.write_bytes(
        _npz_bytes(**{**_resealed(f), "y": np.array([{}] * 6, object)})
    ),
    "a FIFO": lambda f: (f.unlink(), os.mkfifo(f)),
}


@pytest.mark.parametrize("damage", list(OWN_DAMAGE))
def test_a_damaged_own_cache_is_a_miss(damage, tmp_path, caplog):
    make = folder()
    first = load(make, tmp_path)
    cache = _own_cache(tmp_path)
    OWN_DAMAGE[damage](cache)
    with caplog.at_level(logging.WARNING, logger="fmstudy"):
        again = load_dataset(
            str(tmp_path / "photos"), tmp_path / "d", options=DataOptions(0.25, None, 0)
        )
    assert np.array_equal(again.x_train, first.x_train) and again.sha256 == first.sha256
    assert damage == "a FIFO" or "is damaged" in caplog.text
    assert _own_cache(tmp_path).stat().st_size > 0


def test_a_cache_file_under_another_key_is_a_miss(tmp_path, caplog):
    load(folder(), tmp_path)
    a = _own_cache(tmp_path)
    other = tmp_path / "other"
    folder(classes=("x", "y"), base="other")(tmp_path)
    load_dataset(str(other), tmp_path / "d")
    b = next(f for f in a.parent.glob("*.npz") if f != a)
    a.write_bytes(b.read_bytes())  # intact, but another source's
    with caplog.at_level(logging.WARNING, logger="fmstudy"):
        again = load_dataset(
            str(tmp_path / "photos"), tmp_path / "d", options=DataOptions(0.25, None, 0)
        )
    assert again.class_names == ("a", "b") and "a checksum that differs" in caplog.text


def test_own_caches_keep_the_latest_per_source(tmp_path):
    own = tmp_path / "d" / "decoded" / "own"
    load(folder(), tmp_path)
    photos = set(own.glob("*.npz"))
    folder(classes=("x", "y"), base="other")(tmp_path)
    load_dataset(str(tmp_path / "other"), tmp_path / "d")
    other = set(own.glob("*.npz")) - photos
    save(tmp_path / "photos" / "a" / "new.png", np.full((4, 4), 7))  # the folder changes
    load_dataset(str(tmp_path / "photos"), tmp_path / "d")
    changed = set(own.glob("*.npz")) - photos - other
    load_dataset(str(tmp_path / "photos"), tmp_path / "d", options=DataOptions(0.2, (3, 3), 0))
    resized = set(own.glob("*.npz")) - photos - other - changed
    assert len(photos) == len(other) == len(changed) == len(resized) == 1
    assert set(own.glob("*.npz")) == other | resized  # the latest of each source


IDX_DAMAGE = {
    "random bytes": lambda f: f.write_bytes(os.urandom(100)),
    "empty": lambda f: f.write_bytes(b""),
    "an .npz": lambda f: f.write_bytes(_npz_bytes(x=np.load(f))),
    "truncated": lambda f: f.write_bytes(f.read_bytes()[:-10]),
    "too long": lambda f: f.write_bytes(f.read_bytes() + b"\0"),
    "another dtype": lambda f: np.save(f, np.load(f).astype(np.int16)),
    "another shape": lambda f: np.save(f, np.load(f)[:-1]),
    "objects": lambda f: np.save(f, np.array([{}], object), allow_pickle=True),
    "a header that lies": _lying_header,
    "a FIFO": lambda f: (f.unlink(), os.mkfifo(f)),
}


@pytest.mark.parametrize("damage", list(IDX_DAMAGE))
def test_a_damaged_idx_cache_is_a_miss(damage, synthetic):
    _, data_dir = synthetic
    first = load_dataset("synth", data_dir)
    (cache,) = (data_dir / "decoded" / "synth").glob("train-images-*.npy")
    IDX_DAMAGE[damage](cache)
    again = load_dataset("synth", data_dir)
    assert np.array_equal(again.x_train, first.x_train)
