"""The narrative words the records' choices and verdicts and decides none: change the
record and the sentence follows it; no threshold lives in the narrative's modules; a
count meets its noun in the right plural form in English and Swedish."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest
from test_narrative import ADAM_SPEC, T1_COAT_SHIRT, _metrics
from test_results import model, network

from fmstudy.i18n import language
from fmstudy.report import narrative
from fmstudy.results import SearchOutcome
from fmstudy.study.budget import reductions
from fmstudy.study.config import StudyConfig

NARRATIVE = Path(narrative.__file__).parent

# Comparisons with a number other than 0 and 1 (or a named constant) that are intended:
# (module, function, source of the comparison) and why.
INTENDED = {
    # a size's unit, not a verdict: 100 kB and up is written in MB
    ("zoo.py", "saved_note", "n >= 100000.0"),
    # wording: with two models the summary has nothing to say about groups
    ("comparison.py", "comparison_summary", "len(m.models) > 2"),
    ("comparison.py", "comparison_summary", "len(m.models) > 2 and letters"),
    # wording: of two models or two classes the comparative ("higher", "lower"), not the
    # superlative; the third confused pair is called third
    ("comparison.py", "comparison_summary", "len(order) == 2"),
    ("evaluation.py", "calibration_text", "len(ev.roc_auc) == 3"),
    ("models.py", "discussion", "i == 2"),
    ("models.py", "discussion", "len(ev.confusion) == 2"),
    # wording: with two classes PCA's "furthest apart"/"overlap most" is "the two classes"
    ("pca.py", "_apart_text", "len(by_label) == 2"),
    ("pca.py", "pca_reading_text", "len(by_label) == 2"),
    # Table 3 (Xiao et al.) is about all ten Fashion-MNIST classes: what it measured
    ("zoo.py", "table3_applies", "len(t1.get('classes', [])) == 10"),
}


def _comparisons():
    """Every comparison in the narrative against a number other than 0 and 1, or against
    an UPPER_CASE name other than by membership (``in VOTED`` names a category):
    (module, function, source)."""
    found = set()
    for path in sorted(NARRATIVE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Compare):
                    continue
                member = all(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
                for side in (node.left, *node.comparators):
                    number = isinstance(side, ast.Constant) and type(side.value) in (int, float)
                    if (number and side.value not in (0, 1)) or (
                        not member
                        and isinstance(side, ast.Name | ast.Attribute)
                        and (side.id if isinstance(side, ast.Name) else side.attr).isupper()
                    ):
                        found.add((path.name, func.name, ast.unparse(node)))
    return found


def test_no_threshold_in_the_narrative():
    found = {(m, f, src) for m, f, src in _comparisons()}
    intended = {(m, f, src) for m, f, src in INTENDED}
    assert found <= intended, sorted(found - intended)


def test_the_scan_finds_a_threshold():
    """The scan itself: a comparison with a numeric threshold is found."""
    tree = ast.parse("def f(x):\n    return x > 0.05")
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.Compare))
    assert node.comparators[0].value == 0.05  # what _comparisons flags
    assert ("zoo.py", "saved_note", "n >= 100000.0") in _comparisons()  # and it sees this


def test_no_statistics_and_no_numeric_constants_in_the_narrative():
    """No numpy or statistics import, and no module-level number (a threshold or a
    reference figure) besides Table 3's published figures (the classifier registry's)."""
    for path in NARRATIVE.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        }
        assert not imported & {"numpy", "statistics", "scipy"}, path.name
        for node in tree.body:
            if isinstance(node, ast.Assign) and path.name != "zoo.py":
                numbers = [
                    n
                    for n in ast.walk(node.value)
                    if isinstance(n, ast.Constant) and type(n.value) in (int, float)
                ]
                assert not numbers, f"{path.name}: {ast.unparse(node)}"


def _two_nets():
    a = replace(network(), name="a", val_acc_mean=0.95, test_acc_mean=0.90)
    b = replace(network(), name="b", val_acc_mean=0.80, test_acc_mean=0.93)
    return {"a": replace(a, chosen=True), "b": replace(b, chosen=False)}


def test_the_chosen_network_is_the_records():
    nets = _two_nets()
    line = narrative.network_conclusion(nets, T1_COAT_SHIRT)[0]
    assert line.startswith("Chosen on validation accuracy alone: a (")
    # the record says b: the sentence says b, though a validates higher
    flipped = {"a": replace(nets["a"], chosen=False), "b": replace(nets["b"], chosen=True)}
    assert narrative.network_conclusion(flipped, T1_COAT_SHIRT)[0].startswith(
        "Chosen on validation accuracy alone: b ("
    )
    assert "unlike validation sets" not in line
    unlike = {k: replace(n, unlike_validation=True) for k, n in nets.items()}
    assert "unlike validation sets" in narrative.network_conclusion(unlike, T1_COAT_SHIRT)[0]
    none = {k: replace(n, chosen=False) for k, n in nets.items()}  # compared, none chosen
    assert not any("Chosen" in s for s in narrative.network_conclusion(none, T1_COAT_SHIRT))


def test_the_seed_statistics_and_rule_are_the_records():
    spec = ADAM_SPEC
    n = replace(
        network(),
        spec=spec,
        test_acc_mean=0.5,
        test_acc_sd=0.25,
        representative_rule="lower median",
    )
    text = narrative.network_description(n, 0.0)
    assert "of an even number, the lower of the middle two" in text  # 3 seeds, as recorded
    line = narrative.network_conclusion(
        {"x": replace(n, chosen=True), "y": replace(n, name="y", chosen=False)}, T1_COAT_SHIRT
    )[0]
    assert "test 0.5000 ± 0.2500" in line
    forest = replace(
        model(),
        details={
            "train_rows": 10,
            "n_trees": 30,
            "seeds": [0, 1],
            "seed": 0,
            "oob_per_seed": [0.8, 0.9],
            "test_acc_per_seed": [0.7, 0.9],
        },
        seed_summary={"test_acc_mean": 0.123, "test_acc_sd": 0.045, "rule": "median"},
    )
    text = narrative.fit_note(forest, 10)
    assert "test accuracy 0.1230 ± 0.0450 over the seeds" in text and "the median by" in text


def _probabilities(**calibration):
    cal = {"source": "logistic", "clip": None, "bins": [[0.9, 0.9, 10]], **calibration}
    return replace(
        model(),
        log_loss=0.3,
        roc_auc={"4": 0.9, "6": 0.95, "macro": 0.925},
        ece=0.02,
        calibration=cal,
        lowest_auc_class="6",  # the record's, though 4's AUC is lower
    )


@pytest.mark.parametrize(
    "verdict, words",
    [
        ("over", "over-confident on average: mean confidence 0.8000 against accuracy 0.7000"),
        ("under", "under-confident on average: mean confidence 0.8000"),
        ("matched", "is within 1 point of its accuracy (0.7000)"),
    ],
)
def test_the_calibration_verdict_is_the_records(verdict, words):
    ev = _probabilities(
        mean_confidence=0.8, mean_accuracy=0.7, confidence=verdict, gap=0.01, bins_filled=1
    )
    text = narrative.calibration_text(ev, {4: "Coat", 6: "Shirt"})
    assert words in text and "(lower Shirt, 0.9500)" in text


def test_the_budget_banner_is_the_records():
    m = replace(_metrics(), networks={"n1": network()})
    quick = StudyConfig(classes=(4, 5), profile="quick")
    budget = reductions(quick, m.models, m.networks, 24000)
    assert budget["bootstrap"] == 300 and budget["network_epochs"] == 2
    labels = {k: k for k in m.models}
    banner = narrative.reduced_budget(replace(m, budget=budget), labels)
    assert "300 bootstrap resamples" in banner and "at most 2 epochs with 2 seeds" in banner
    cut = {**budget, "bootstrap": 1234, "network_epochs": None, "logreg_max_iter": 7}
    banner = narrative.reduced_budget(replace(m, budget=cut), labels)
    assert "1,234 bootstrap resamples" in banner and "epochs" not in banner
    assert "at most 7 iterations" in banner
    assert narrative.reduced_budget(replace(m, budget=None), labels) is None


def test_the_search_space_is_the_records():
    from fmstudy.search.run import SPACE, search_space
    from fmstudy.search.settings import SearchSettings

    space = search_space(SearchSettings(classes=(4, 6)))
    assert space["depth"] == {"low": SPACE["depth"]["low"], "high": SPACE["depth"]["high"]}
    outcome = SearchOutcome(
        "s",
        "sqlite:///x",
        {"max_epochs": 3, "pruner": "median"},
        {"complete": 1},
        0,
        0.9,
        {},
        "10",
        0.9,
        3,
        50,
        space=space,
    )
    text = narrative.search_intro(outcome)
    assert "0-2 convolution blocks, 1-5 dense layers of 32-2048 units" in text
    wider = {**space, "depth": {"low": 2, "high": 7}}
    assert "2-7 dense layers" in narrative.search_intro(replace(outcome, space=wider))
    no_conv = search_space(SearchSettings(classes=(4, 6), conv=False))
    assert "convolution" not in narrative.search_intro(replace(outcome, space=no_conv))


def _pair_model(a_as_b: int):
    pair = {"a": 4, "b": 6, "a_as_b": a_as_b, "b_as_a": 2, "total": a_as_b + 2, "discussed": True}
    return replace(model(), confused_pairs=[pair, {**pair, "discussed": False}])


@pytest.mark.parametrize(
    "lang, one, two",
    [
        ("en", "1 Coat image was called Shirt", "2 Coat images were called Shirt"),
        ("sv", "1 bild av Coat klassades som Shirt", "2 bilder av Coat klassades som Shirt"),
    ],
)
def test_a_count_meets_its_noun_in_the_right_form(lang, one, two):
    names = {4: "Coat", 6: "Shirt"}
    with language(lang):
        first = narrative.discussion(_pair_model(1), [], names)
        second = narrative.discussion(_pair_model(2), [], names)
        assert one in first[1] and two in second[1]
        assert len(first) == 2  # the pair its record does not discuss is left out
        one = replace(network(), seeds=[0], histories=[{"val_loss": [1.0]}], overfit_seeds=[False])
        one = replace(one, overfit_epochs=[1], overfit_rises=[0.0], overfit_noise=[0.0])
        once = narrative.overfitting_sentence("n", one)
        twice = narrative.overfitting_sentence("n", network())
    words = {
        "en": ("0 of its 1 seed:", "0 of its 3 seeds:"),
        "sv": ("0 av dess 1 frö:", "0 av dess 3 frön:"),
    }
    assert words[lang][0] in once and words[lang][1] in twice
