"""The options several ``fmstudy`` commands share, and ``fmstudy nn``'s spec overrides,
declared once as Typer annotations (used by :mod:`fmstudy.cli.main`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fmstudy.models import registry

PROFILE_HELP = (
    "quick: every step on small budgets (tests, CI; tasks 1-5 of four classes took 45 s on "
    "2 cores with native bfloat16, 1.5 min on 2 older ones, from an empty data folder); "
    "standard: the notebook's accuracy far faster (7.5 min there, 22.5 min on the older "
    "cores); notebook: the notebook's exact settings (RF 1000 trees and LogReg "
    "max_iter=5000, random_state=42; longer still). 'fmstudy run' says at its start what "
    "it will do and about how long that takes on the machine it runs on."
)

OUT_RULE = (
    "fmstudy writes over an existing --out only when it is an earlier output of fmstudy "
    "holding nothing else; anything else there needs --force."
)
"""The one replace rule of every command's ``--out``, said the same way in each help."""

Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write over --out even when it holds what fmstudy did not write there (that is lost).",
    ),
]
Fresh = Annotated[
    bool,
    typer.Option(
        "--fresh", help="Ignore the cached fits and trainings: fit and train everything again."
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs", help="CPU cores fmstudy may use, 1-64 [default: all cores].", show_default=False
    ),
]
SEED_HELP = "Seed for every random step (0 to 2**32-1)"


def seed_opt(detail: str = ""):
    """``--seed``; ``detail`` says what is random in this command, when that helps."""
    return Annotated[int, typer.Option("--seed", help=f"{SEED_HELP}{detail}.")]


def json_opt(what: str):
    """``--json``: ``what`` the command prints as JSON instead of tables."""
    return Annotated[bool, typer.Option("--json", help=f"Print JSON, not tables: {what}.")]


STORAGE_HELP = (
    "Where the search keeps its trials: sqlite:///FILE, or postgresql://USER:PASS@HOST/DB "
    "to share one study between workers on many machines"
)


def storage_opt(default: str):
    """``--storage``, with this command's default place for the trials."""
    return Annotated[
        str | None,
        typer.Option("--storage", help=f"{STORAGE_HELP} [default: {default}].", show_default=False),
    ]


SavedModel = Annotated[
    Path,
    typer.Argument(
        help="A saved network or classical model: its folder REPORT/models/NAME (a network's "
        "spec.json + model.safetensors, a classical model's model.json + model.skops), or a "
        "file in it.",
        show_default=False,
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="FMSTUDY_DATA_DIR",
        help="Folder for downloaded data sets and the decoded-array cache "
        "[default: $FMSTUDY_DATA_DIR, else ~/.cache/fmstudy].",
        show_default=False,
    ),
]
DatasetOpt = Annotated[
    str,
    typer.Option(
        "--dataset",
        envvar="FMSTUDY_DATASET",
        help="Data set to study: fashion-mnist (shipped), digits (scikit-learn's 8x8, offline), "
        "mnist or kmnist (downloaded once); or your own images: a folder PATH/<class>/* "
        "(or PATH/train/<class>/* and PATH/test/<class>/*; PNG, JPEG, BMP), a CSV "
        "label,pixel1,...,pixelN (one file, or a folder with train.csv and test.csv; text "
        "labels are the class names), or an .npz with x_train, y_train, x_test, y_test and "
        "optionally class_names (an array of text, one name per label 0, 1, ...). Only the "
        "folder or file name appears in the report.",
    ),
]
Surname = Annotated[
    str | None,
    typer.Option(
        "--surname",
        help="Your last name: its first letter picks the course's four classes "
        "(A-G: 0-3, H-M: 4-7, N-Ö: 6-9).",
    ),
]
GROUPS_HELP = (
    "The surname rule, for another year or course: letter ranges and their classes, "
    "e.g. 'A-G:0-3,H-M:4-7,N-Ö:6-9' (the course's); classes as a range or joined by '+' "
    "(numbers or names). --surname reads it"
)


def groups_opt(readers: str = ""):
    """``--groups``; ``readers`` names this command's other options that read the rule."""
    return Annotated[
        str | None,
        typer.Option("--groups", help=f"{GROUPS_HELP}{readers}.", show_default=False),
    ]


Groups = groups_opt()
Classes = Annotated[
    str | None,
    typer.Option(
        "--classes",
        help="Classes to study, overriding --surname: '4-7', '4,5,6,7', names 'coat,shirt', "
        "or 'all' [default: every class of your own data or the digits; Fashion-MNIST's "
        "by --surname].",
        show_default=False,
    ),
]

ClassNames = Annotated[
    str | None,
    typer.Option(
        "--class-names",
        help="Names for your own data's classes, one per class in label order, separated by "
        "commas, e.g. 'cat,dog' (replaces an .npz's class_names, CSV labels or folder "
        "names in the report and saved models).",
        show_default=False,
    ),
]


def spec_field(kind: type, flag: str, what: str):
    """An ``fmstudy nn`` option that overrides one field of the spec when given."""
    return Annotated[
        kind | None, typer.Option(flag, help=f"{what} [default: the spec's].", show_default=False)
    ]


Epochs = spec_field(int, "--epochs", "Epochs")
Optimizer = spec_field(str, "--optimizer", "sgd, adam or adamw")
Lr = spec_field(float, "--lr", "Learning rate")
Momentum = spec_field(float, "--momentum", "SGD momentum")
WeightDecay = spec_field(float, "--weight-decay", "Weight decay")
BatchSize = spec_field(int, "--batch-size", "Batch size")
Patience = spec_field(
    int,
    "--patience",
    "Early stopping on validation loss after this many epochs without improvement "
    "(fixed epochs if none)",
)
Scaling = spec_field(str, "--scaling", "standardize (fitted on the training part) or unit (/255)")
ValSplit = spec_field(
    str, "--val-split", "stratified, or first (the first 20 % of rows, as the notebook)"
)
Mixup = spec_field(float, "--mixup", "Mixup alpha for half the training batches, 0 for none")
Precision = spec_field(
    str,
    "--precision",
    "float32, bfloat16 (the forward pass in bfloat16 mixed precision) or auto (bfloat16 where "
    "the processor computes it natively)",
)
Tta = Annotated[
    bool | None,
    typer.Option(
        "--tta/--no-tta",
        help="Predict from each image and its mirror (average of probabilities) "
        "[default: the spec's].",
        show_default=False,
    ),
]
Refit = Annotated[
    bool | None,
    typer.Option(
        "--refit/--no-refit",
        help="After the run with a validation part, train again on every training row and "
        "test that network [default: the spec's].",
        show_default=False,
    ),
]


Cv = Annotated[
    int,
    typer.Option(
        "--cv",
        help="Also score the classical models by repeated stratified K-fold on the training "
        "rows (K from 2 to 20; 0: off), reported as mean ± sd of the fold scores. Costs "
        "K x repeats extra fits per model: --cv 5 took 129 s on classes 4-7 (standard "
        "profile, 2 cores).",
    ),
]
CvRepeats = Annotated[
    int, typer.Option("--cv-repeats", help="Repeats of the K-fold split for --cv.")
]
Compare = Annotated[
    str,
    typer.Option(
        "--compare",
        help="none, or 5x2cv: compare the classical algorithms with 5x2 cross-validation "
        "and Alpaydin's combined F-test (10 extra fits per model, each on half the "
        "training rows: 78 s on classes 4-7, standard profile, 2 cores).",
    ),
]
LearningCurves = Annotated[
    bool | None,
    typer.Option(
        "--learning-curves/--no-learning-curves",
        help="Learning curves of the classical models, cross-validated on the training rows "
        "(about 4 extra fits per model) [default: on, off in the notebook profile].",
        show_default=False,
    ),
]

Lang = Annotated[
    str,
    typer.Option(
        "--lang",
        help="Language of the report: en or sv (svenska). Every heading, sentence, table, "
        "figure and class name of the report, with the language's number format; "
        "terminal messages and errors stay in English.",
    ),
]
Device = Annotated[
    str,
    typer.Option(
        "--device",
        help="Where networks train: auto (CUDA when torch sees a GPU, else the CPU), cpu or "
        "cuda. Recorded in config.json's manifest and in the cache keys; results on the CPU "
        "do not depend on it.",
    ),
]
TestShare = Annotated[
    float,
    typer.Option(
        "--test-share",
        help="For data without an official split (one image folder or CSV, digits): the "
        "share of each class's images drawn as test images, stratified by --seed; said in "
        "the report.",
    ),
]
ImageSize = Annotated[
    str | None,
    typer.Option(
        "--image-size",
        help="Resize every image to HEIGHTxWIDTH pixels, e.g. 28x28: for images of mixed "
        "sizes, or a data set whose pixels would pass the 2 GiB fmstudy keeps in memory.",
        show_default=False,
    ),
]
Models = Annotated[
    str | None,
    typer.Option(
        "--models",
        help=registry.models_help(),
        show_default=False,
    ),
]
SaveModels = Annotated[
    str,
    typer.Option(
        "--save-models",
        help="Which classical models the report saves as REPORT/models/NAME/model.skops "
        "(skops, no pickle), for 'fmstudy evaluate' and 'fmstudy predict': none, small "
        "(files up to 10 MB; the report says which were left out) or all.",
    ),
]
