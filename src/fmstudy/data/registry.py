"""The data-set registry: a name maps to its files, checksums, classes and mirrors.

Used by :mod:`fmstudy.data.loading`; ``fmstudy data --list`` prints it.  Checksums come
from ``shared/data/registry.md``: the SHA-256 of the decompressed IDX bytes where
it is published, else the archive's (the decompressed one is then recorded on
the first verified download).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fmstudy.errors import FmstudyError

ROLES = ("train-images", "train-labels", "test-images", "test-labels")


@dataclass(frozen=True)
class FileSpec:
    """One IDX archive of a data set and what it must hash to."""

    role: str
    name: str
    md5: str | None = None
    sha256_raw: str | None = None
    sha256_archive: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """Everything needed to find, fetch and check a data set."""

    name: str
    title: str
    classes: tuple[str, ...]
    files: tuple[FileSpec, ...]
    mirrors: tuple[str, ...] = ()
    license: str = ""
    citation: str = ""  # how to cite the data set in a report
    licence_name: str = ""  # the licence's short name, for reports in any language
    translated_classes: dict = field(default_factory=dict)  # language -> class names
    n_train: int = 60_000
    n_test: int = 10_000
    image_shape: tuple = (28, 28)
    source: str = "idx"  # idx files; sklearn (digits); folder, folder-split, csv, csv-split, npz

    def file(self, role: str) -> FileSpec:
        return next(f for f in self.files if f.role == role)

    def class_names(self, lang: str = "en") -> tuple[str, ...]:
        """The class names in a report language (English where none are registered)."""
        return tuple(self.translated_classes.get(lang, self.classes))


def _files(rows: list[tuple[str, str | None, str | None]]) -> tuple[FileSpec, ...]:
    names = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    return tuple(
        FileSpec(role, name, md5, raw, archive)
        for role, name, (md5, raw, archive) in zip(ROLES, names, rows, strict=True)
    )


FASHION_MNIST = DatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST (Zalando Research)",
    classes=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
    files=_files(
        [
            (
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                None,
            ),
            (
                "25c81989df183df01b3e8a0aad5dffbe",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                None,
            ),
            (
                "bef4ecab320f06d8554ea6380940ec79",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                None,
            ),
            (
                "bb300cfdad3c16e7a12a480ee83cd310",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                None,
            ),
        ]
    ),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    ),
    license="MIT (Zalando SE); the licence text ships with the package",
    citation="Xiao, H., Rasul, K., & Vollgraf, R. (2017). Fashion-MNIST: a Novel Image Dataset "
    "for Benchmarking Machine Learning Algorithms. arXiv:1708.07747",
    licence_name="MIT",
    translated_classes={
        "sv": (
            "T-shirt/topp",
            "Byxor",
            "Tröja",
            "Klänning",
            "Kappa",
            "Sandal",
            "Skjorta",
            "Sneaker",
            "Väska",
            "Ankelkänga",
        )
    },
)

MNIST = DatasetSpec(
    name="mnist",
    title="MNIST handwritten digits",
    classes=tuple(str(d) for d in range(10)),
    files=_files(
        [
            (
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                None,
            ),
            (
                "d53e105ee54ea40749a09fcbcd1e9432",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                None,
            ),
            (
                "9fb629c4189551a2d022fa330f9573f3",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                None,
            ),
            (
                "ec29112dd5afa0611ce80d1b7f02629c",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                None,
            ),
        ]
    ),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    license="Yann LeCun and Corinna Cortes; see the publisher's terms",
    citation="LeCun, Y., Bottou, L., Bengio, Y., & Haffner, P. (1998). Gradient-based "
    "learning applied to document recognition. Proceedings of the IEEE, 86(11), 2278-2324",
)

KMNIST = DatasetSpec(
    name="kmnist",
    title="Kuzushiji-MNIST (ROIS-DS CODH)",
    classes=("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
    files=_files(
        [
            (
                "bdb82020997e1d708af4cf47b453dcf7",
                None,
                "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
            ),
            (
                "e144d726b3acfaa3e44228e80efcd344",
                None,
                "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
            ),
            (
                "5c965bf0a639b31b8f53240b1b52f4d7",
                None,
                "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
            ),
            (
                "7320c461ea6c1c855c0b718fb2a4b134",
                None,
                "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
            ),
        ]
    ),
    mirrors=(
        "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
        "https://storage.googleapis.com/kuzushiji-mnist/",
    ),
    license="CC BY-SA 4.0 (Kuzushiji-MNIST, ROIS-DS CODH): cite and share alike",
    citation="Clanuwat, T., Bober-Irizar, M., Kitamoto, A., Lamb, A., Yamamoto, K., & Ha, D. "
    "(2018). Deep Learning for Classical Japanese Literature. arXiv:1812.01718",
    licence_name="CC BY-SA 4.0",
)

DIGITS = DatasetSpec(
    name="digits",
    title="Optical recognition of handwritten digits (UCI, shipped with scikit-learn)",
    classes=tuple(str(d) for d in range(10)),
    files=(),
    license="CC BY 4.0 (UCI Machine Learning Repository); shipped with scikit-learn",
    citation="Alpaydin, E., & Kaynak, C. (1998). Optical Recognition of Handwritten Digits "
    "[Dataset]. UCI Machine Learning Repository. https://doi.org/10.24432/C50P49",
    licence_name="CC BY 4.0",
    n_train=1438,
    n_test=359,
    image_shape=(8, 8),
    source="sklearn",
)

REGISTRY: dict[str, DatasetSpec] = {d.name: d for d in (FASHION_MNIST, MNIST, KMNIST, DIGITS)}


def get_dataset_spec(name: str) -> DatasetSpec:
    """Look a data set up by name; an unknown name lists the known ones."""
    key = name.strip().lower()
    if key not in REGISTRY:
        raise FmstudyError(
            f"unknown data set {name!r}: choose one of {', '.join(REGISTRY)} "
            "(see 'fmstudy data --list')"
        )
    return REGISTRY[key]
