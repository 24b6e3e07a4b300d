"""A study's results as typed records, and the shape of metrics.json they serialize to.

    metrics = StudyMetrics(tasks=("1", "3"), task1=..., models={"forest": ModelResult(...)})
    metrics.to_dict()                       # what metrics.json holds
    StudyMetrics.from_dict(json.load(fh))   # and back

metrics.json holds numbers, identifiers and the verdicts made from them (which network
validation chose, each model's calibration verdict, what a reduced budget cut): durations
live in timings.json (so a rerun writes an identical metrics.json) and sentences are made
from these records by :mod:`fmstudy.report.narrative` when the report is written, which
words the verdicts and decides none.  Its shape (schema 3)::

    {
      "schema": 3,
      "tasks": ["1", "2", ...],
      "task1": {dataset, classes, class_names, sha256, shapes, splits, label_map, uneven,
                image_shape, split, duplicates, near_duplicates},  # last four: own data, digits
      "pca": {explained_variance_ratio, spectrum, checks, reading} or null,  # reading: each class
                                               # along PC1/PC2, the pairs apart, the groups,
                                               # the axes' images, the input
      "models": {key: ModelResult},            # every model of the comparison
      "networks": {name: NetworkResult},       # task 5, one per architecture
      "search": SearchOutcome or null,
      "comparison": {pairs: [PairTest]} or null,
      "similar_pairs": [{a, b, correlation}],  # class mean-image correlations
      "groups": {key: letters},                # compact letter display of the pairs' verdicts
      "from_best": {key: [difference, low, high]}, # paired bootstrap, against the best
      "learning_curves": {key: LearningCurve},  # cross-validated on the training rows
      "cv": {key: CVScores},                    # --cv K: repeated stratified K-fold
      "five_by_two": {scores: {key: 5x2}, tests: [FiveByTwoTest]} or null,  # --compare
      "budget": {profile, reduced_profile, train_rows, subsampled, ...} or null  # cuts
      "task4": {raw_scale, forms, pixels, better, difference, ...} or null,  # input forms
    }

A ModelResult's ``details`` carry what its kind's fit adds: ``train_rows`` (the
training rows the fit learnt from) for every model; ``train_accuracy`` (with
``train_accuracy_rows`` when scored on a sample) for the classical ones; ``n_trees``,
``oob_accuracy`` and ``oob_curve`` (forest), with ``seeds``, ``seed``, ``oob_per_seed``
and ``test_acc_per_seed`` when grown with several seeds; ``n_iter`` and ``converged``
(logistic regression); each other kind of ``--models`` its own (e.g. k-NN's ``k`` and
``weights``); ``seed`` and ``seeds`` (networks: the seed that stands for the
architecture).  ``learned`` False marks a model that did not learn, ``not_learned`` says
why (fmstudy.evaluation.compare's ``learning_verdict``); such a model has no letter in
``groups``.  Schema 2 had no probability scores, learning curves, --cv or --compare;
schema 3 added them, and later the verdicts above and ``budget``, without changing a
number.  A NetworkResult's ``val_split_used`` is the validation split its seeds were
trained with, which is the spec's ``val_split`` unless the rows came ordered by class
(``val_split_reason`` "ordered") or the first rows lacked a class ("missing"): then a
"first" split was made stratified; its ``precision`` is its training's forward pass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from fmstudy.overfitting import overfitting

SCHEMA_VERSION = 3  # 3: probabilities' scores, learning curves, --cv, --compare
CLASSICAL_TASKS = ("3", "4", "zoo")  # ModelResult.task of the classical models (--models)


def _from(cls, data: dict):
    """A record from its dict, ignoring keys it does not know."""
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ModelResult:
    """One fitted model on the test set."""

    key: str
    label: str
    task: str  # "3", "4", "zoo" (the other classical models), "5" or "search"
    accuracy: float
    macro_f1: float
    confusion: list  # rows true class, columns predicted, in the study's class order
    correct_per_class: dict  # str(class) -> right answers
    report: dict  # scikit-learn's classification_report(output_dict=True)
    confused_pairs: list  # the pairs with most mistakes between them, largest first
    details: dict = field(default_factory=dict)
    ci95: tuple[float, float] | None = None  # Wilson interval, once models are compared
    label_id: str = ""  # the label's message with placeholders, for other languages
    label_args: dict = field(default_factory=dict)
    log_loss: float | None = None  # from the test probabilities (None: the model gave none)
    roc_auc: dict | None = None  # one-vs-rest per class (str(class)) and "macro"
    average_precision: dict | None = None  # area under each class's precision-recall curve
    ece: float | None = None  # expected calibration error, top label, 10 bins
    calibration: dict = field(default_factory=dict)  # source, clip, bins [[conf, acc, n]],
    # and the verdict made from them: mean_confidence, mean_accuracy, confidence (over,
    # under or matched, within gap), bins_filled, coarse (too few bins to say much)
    balanced_accuracy: float | None = None  # mean recall over the classes (uneven classes)
    lowest_auc_class: str | None = None  # the class (str) with the lowest one-vs-rest AUC
    seed_summary: dict | None = None  # several seeds: test_acc_mean, test_acc_sd, rule
    learned: bool | None = None  # False: it did not learn (None: a record made before the rule)
    not_learned: dict | None = None  # why: {"one_class": c} (predicts c for every test image)
    # or {"majority_rate": share, "majority_class": c} (right no more often than always c)


def network_key(name: str) -> str:
    """A task-5 network's key among the study's models (metrics.json's ``models``, the
    columns of predictions.csv, the report's anchors and figures): ``nn-NAME``."""
    return f"nn-{name}"


def network_name(key: str) -> str | None:
    """The network a model key is for (:func:`network_key` read back), else None."""
    return key.removeprefix("nn-") if key.startswith("nn-") else None


@dataclass(frozen=True)
class NetworkResult:
    """One architecture of task 5 over its seeds."""

    name: str
    key: str  # its key among the models: network_key(name)
    label: str
    spec: dict
    layers: str
    params: int
    extras: list
    seeds: list
    representative_seed: int  # chosen on validation (representative_rule): it is compared
    test_acc: list
    val_acc_at_best: list  # validation accuracy at each seed's best epoch
    epochs_run: list
    best_epoch: list
    histories: list
    early_stopping: bool
    marked_epoch: int = 0  # the mean validation loss's minimum (1-based): the figure's line
    overfit_epochs: list = field(default_factory=list)  # each seed's minimum (1-based)
    overfit_rises: list = field(default_factory=list)  # last epoch's loss above it
    overfit_noise: list = field(default_factory=list)  # median |epoch-to-epoch change|
    overfit_seeds: list = field(default_factory=list)  # each seed's verdict: fmstudy.overfitting
    overfits: bool | None = False  # more than half of the seeds overfit (None: old record)
    test_acc_mean: float = 0.0
    test_acc_sd: float = 0.0
    val_acc_mean: float = 0.0
    val_acc_sd: float = 0.0
    representative_rule: str = ""  # how the seed was chosen: REPRESENTATIVE_RULES
    chosen: bool | None = None  # chosen on validation among task 5's; None: not compared
    unlike_validation: bool = False  # the compared architectures validate on unlike rows
    val_split_used: str = ""  # the split its seeds validated on ("": written before it was kept)
    val_split_reason: str = ""  # why the spec's "first" became "stratified" (nets.inputs)
    precision: str = "float32"  # its forward pass in training: nets.devices.precision_used

    @classmethod
    def summarised(cls, **values) -> NetworkResult:
        """The record with means and sample standard deviations over the seeds, the rule
        that chose its representative seed and the overfitting verdicts
        (:func:`fmstudy.overfitting.overfitting`) filled in."""
        test, val = np.asarray(values["test_acc"]), np.asarray(values["val_acc_at_best"])
        return cls(
            **values,
            **overfitting([h["val_loss"] for h in values["histories"]]),
            test_acc_mean=float(test.mean()),
            test_acc_sd=float(test.std(ddof=1)) if len(test) > 1 else 0.0,
            val_acc_mean=float(val.mean()),
            val_acc_sd=float(val.std(ddof=1)) if len(val) > 1 else 0.0,
            representative_rule=representative_rule(len(values["seeds"])),
        )


REPRESENTATIVE_RULES = ("only", "median", "lower of two", "lower median")


def representative_rule(n: int) -> str:
    """How the run standing for ``n`` seeds is chosen (fmstudy.evaluation.compare's
    ``representative``): the only one, the median (odd n), the lower of two, or the lower
    of the middle two."""
    if n == 1:
        return "only"
    if n % 2:
        return "median"
    return "lower of two" if n == 2 else "lower median"


def seed_summary(test_acc: list[float]) -> dict:
    """A model fitted with several seeds: the mean and sample sd of its test accuracies,
    and how its shown run was chosen."""
    accs = np.asarray(test_acc, dtype=float)
    return {
        "test_acc_mean": float(accs.mean()),
        "test_acc_sd": float(accs.std(ddof=1)) if len(accs) > 1 else 0.0,
        "rule": representative_rule(len(accs)),
    }


def choose_on_validation(nets: dict[str, NetworkResult]) -> dict[str, NetworkResult]:
    """Task 5's architectures with the choice made: with several, the one with the highest
    mean validation accuracy (the first on a tie) is ``chosen``, and each says whether
    they validate on unlike parts of the training rows (the split each actually made: a
    "first" split of class-ordered rows became stratified); one alone is not compared."""
    if len(nets) < 2:
        return dict(nets)
    pick = max(nets, key=lambda name: nets[name].val_acc_mean)
    unlike = len({n.val_split_used or n.spec.get("val_split") for n in nets.values()}) > 1
    return {
        name: replace(n, chosen=name == pick, unlike_validation=unlike) for name, n in nets.items()
    }


@dataclass(frozen=True)
class SearchOutcome:
    """The architecture search: its trials, the best one, and that spec on the test set."""

    study_name: str
    storage: str  # the database, password hidden
    settings: dict
    trials: dict  # state -> count
    best_trial: int  # the best complete trial, else the best any trial reached at an epoch
    best_val_accuracy: float
    best_spec: dict
    best_layers: str
    test_accuracy: float | None  # None: the retraining did not fit under --timeout
    final_epochs: int | None
    n_params: int | None
    against_notebook: list = field(default_factory=list)
    stopped_at_deadline: int = 0  # trials stopped by --timeout (failed; a rerun retrains them)
    space: dict = field(default_factory=dict)  # what the trials drew from (search.run.SPACE)
    best_trial_state: str = "complete"  # pruned/unfinished: none complete; its best epoch


@dataclass(frozen=True)
class PairTest:
    """McNemar's test of the shown runs of two models on the same test images,
    Holm-corrected across the pairs; and how the verdict holds across seed indices."""

    a: str
    b: str
    a_label: str
    b_label: str
    table: list
    a_only_right: int
    b_only_right: int
    discordant: int
    test: str
    statistic: float
    p_value: float
    p_holm: float
    significant: bool  # Holm-corrected p below 0.05: "different at 0.05"
    better: str | None
    seed_p_values: list = field(default_factory=list)  # per seed index: uncorrected p
    seed_significant: list = field(default_factory=list)  # per seed index: Holm verdict
    difference: float | None = None  # a's accuracy minus b's: the one number quoted (None: old)


@dataclass(frozen=True)
class LearningCurve:
    """Cross-validated accuracy against training rows, on the training rows only."""

    key: str
    label: str
    folds: int
    train_rows: list  # rows fitted at each point
    train_mean: list  # accuracy on those rows
    train_sd: list
    val_mean: list  # accuracy on the held-out fold
    val_sd: list
    rows: int  # training rows the curve was cut from
    train_accuracy: float | None = None  # the study's fit on all its rows, on those rows
    oob_accuracy: float | None = None  # the forest's out-of-bag accuracy
    last_gain: float | None = None  # held-out accuracy gained by the last doubling of rows
    last_spread: float | None = None  # the larger fold-to-fold sd of its two points
    still_rising: bool | None = None  # the gain beyond that spread: more rows may help
    gaps: list | None = None  # training minus held-out accuracy at each size, mean over folds
    gap_sds: list | None = None  # its fold-to-fold sd (fmstudy.overfitting.train_gap)
    overfits: bool | None = None  # the last gap beyond twice its sd; None: memorises, or old
    gap_narrows: bool | None = None  # the gap shrinks as rows grow, beyond twice its sd
    memorises: bool | None = None  # fully grown trees: training accuracy ~1 by construction

    def __post_init__(self) -> None:
        """The verdict on the last doubling, made once from the curve's own numbers."""
        if self.still_rising is None and len(self.val_mean) > 1:
            gain = self.val_mean[-1] - self.val_mean[-2]
            spread = max(self.val_sd[-1], self.val_sd[-2])
            object.__setattr__(self, "last_gain", gain)
            object.__setattr__(self, "last_spread", spread)
            object.__setattr__(self, "still_rising", bool(gain > spread))


@dataclass(frozen=True)
class CVScores:
    """Repeated stratified K-fold accuracy on the training rows: every fold's score."""

    key: str
    label: str
    folds: int
    repeats: int
    rows: int
    scores: list
    mean: float
    sd: float  # spread of the fold scores, not a standard error (the folds share rows)


@dataclass(frozen=True)
class FiveByTwoTest:
    """Alpaydin's combined 5x2cv F-test of two algorithms on the same halves of the same
    rows, Holm-corrected across pairs (five_by_two's scores: each on its own rows)."""

    a: str
    b: str
    a_label: str
    b_label: str
    a_mean: float  # mean accuracy over the 10 held-out halves
    b_mean: float
    differences: list  # 5 x 2 accuracy differences a - b
    statistic: float
    p_value: float
    p_holm: float
    significant: bool
    better: str | None
    rows: list  # each model's own training rows (its max_train_rows sample)
    paired_rows: int  # the rows both were resampled on (pairing.pair_rows); folds fit half
    paired_on: str | None  # whose sample they are (None: both models' own rows)
    paired_reason: str  # "same", "within" (the other's sample holds them), "partly"


@dataclass(frozen=True)
class SavedEvaluation:
    """A saved model tested again (``fmstudy evaluate``): what it is, its classes, data
    set and test result."""

    name: str
    description: str  # a network's layers, a classical model's label
    spec: dict  # a network's spec, a classical model's parameters
    classes: tuple[int, ...]
    dataset: str
    class_names: list[str]
    result: ModelResult


@dataclass(frozen=True)
class StudyMetrics:
    """Everything a study measured; serialized as metrics.json."""

    tasks: tuple[str, ...]
    task1: dict
    pca: dict | None = None
    models: dict[str, ModelResult] = field(default_factory=dict)
    networks: dict[str, NetworkResult] = field(default_factory=dict)
    search: SearchOutcome | None = None
    pairs: list[PairTest] | None = None  # the comparison; None with fewer than two models
    similar_pairs: list = field(default_factory=list)
    groups: dict = field(default_factory=dict)  # key -> letters: same letter, indistinguishable
    from_best: dict = field(default_factory=dict)  # key -> [difference, low, high] vs the best
    learning_curves: dict[str, LearningCurve] = field(default_factory=dict)
    cv: dict[str, CVScores] = field(default_factory=dict)
    five_by_two: dict | None = None  # {"scores": {key: 5x2}, "tests": [FiveByTwoTest]}
    budget: dict | None = None  # what a reduced budget cut (fmstudy.study.budget)
    task4: dict | None = None  # Task 4's input forms compared, and the evidence why

    def ranked(self) -> list[str]:
        """Model keys by test accuracy, best first (ties in report order)."""
        keys = list(self.models)
        return sorted(keys, key=lambda k: (-self.models[k].accuracy, keys.index(k)))

    def to_dict(self) -> dict:
        """What metrics.json holds (the shape in this module's docstring)."""
        out = asdict(self)
        out["schema"] = SCHEMA_VERSION
        out["tasks"] = list(self.tasks)
        pairs = out.pop("pairs")  # metrics.json keeps them under "comparison"
        out["comparison"] = {"pairs": pairs} if self.pairs is not None else None
        return out

    @classmethod
    def from_dict(cls, data: dict) -> StudyMetrics:
        """The records back from metrics.json's dict; keys a record does not know are
        ignored, and one it lacks takes the field's default."""
        comparison = data.get("comparison")
        return cls(
            tasks=tuple(data["tasks"]),
            task1=data["task1"],
            pca=data.get("pca"),
            models={k: _from(ModelResult, v) for k, v in data.get("models", {}).items()},
            networks={k: _from(NetworkResult, v) for k, v in data.get("networks", {}).items()},
            search=_from(SearchOutcome, data["search"]) if data.get("search") else None,
            pairs=[_from(PairTest, p) for p in comparison["pairs"]] if comparison else None,
            similar_pairs=data.get("similar_pairs", []),
            groups=data.get("groups", {}),
            from_best=data.get("from_best", {}),
            learning_curves={
                k: _from(LearningCurve, v) for k, v in data.get("learning_curves", {}).items()
            },
            cv={k: _from(CVScores, v) for k, v in data.get("cv", {}).items()},
            five_by_two=_five_by_two(data.get("five_by_two")),
            budget=data.get("budget"),
            task4=data.get("task4"),
        )


def _five_by_two(data: dict | None) -> dict | None:
    if not data:
        return None
    return {
        "scores": data["scores"],
        "tests": [_from(FiveByTwoTest, t) for t in data["tests"]],
    }
