"""Swedish a teacher would not correct, at its root: numbers never read −0, counts meet
their nouns in the right form, a model is referred back to by a noun (not a pronoun whose
gender depends on the model's name), and two things are compared, not superlated."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_narrative import _metrics, _pair
from test_narrative_decides_nothing import _pair_model
from test_results import model
from test_task4 import LABELS, Y, pair, record

from fmstudy.evaluation.input_forms import pixel_evidence
from fmstudy.i18n import language, ngettext, num, pct, sig
from fmstudy.report import narrative
from fmstudy.report.narrative.task4 import task4_text

PO = Path(__file__).parents[1] / "src/fmstudy/locale/sv/LC_MESSAGES/fmstudy.po"


@pytest.mark.parametrize("lang, zero", [("en", "0.0"), ("sv", "0,0")])
def test_a_number_that_rounds_to_zero_has_no_sign(lang, zero):
    with language(lang):
        assert num(-0.04, 1) == num(-0.0, 1) == num(0.04, 1) == zero
        assert num(-1e-12, 4) == zero + "000"
        assert num(-0.004, 2, sign=True) == num(0.0, 2, sign=True) == zero + "0"  # no + or −
        assert sig(-0.0) == zero and pct(-0.0001) == f"{zero} %"
        assert num(-0.06, 1) == "−" + zero[:-1] + "1"  # a real minus stays
        assert num(-0.006, 2, sign=True) == "−" + zero + "1"


def test_the_swedish_catalogue_has_two_plural_forms():
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in PO.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "lang, forms",
    [
        ("en", ["0 test images", "1 test image", "2 test images"]),
        ("sv", ["0 testbilder", "1 testbild", "2 testbilder"]),
    ],
)
def test_a_count_picks_its_noun_form_at_0_1_and_2(lang, forms):
    with language(lang):
        got = [ngettext("{n} test image", "{n} test images", n).format(n=n) for n in (0, 1, 2)]
    assert got == forms


@pytest.mark.parametrize(
    "lang, one, two",
    [
        ("en", "with 1 value in 1 test image beyond", "with 2 values in 2 test images beyond"),
        ("sv", "med 1 värde i 1 testbild bortom", "med 2 värden i 2 testbilder bortom"),
    ],
)
def test_task4_counts_the_blown_up_values_in_their_form(lang, one, two):
    train = np.array([[0, 1], [1, 200], [0, 50]])
    texts = []
    for test in (np.array([[90, 5]]), np.array([[90, 5], [90, 5]])):
        t4 = record(Y, [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], pairs=[pair(True, 0.01)])
        t4["pixels"] = pixel_evidence(train, test)
        with language(lang):
            texts.append(" ".join(task4_text(t4, LABELS)))
    assert one in texts[0] and two in texts[1]


def _two(best_label: str):
    m = _metrics()
    models = {
        "forest": m.models["forest"],
        "net": replace(m.models["net"], label=best_label),
    }
    return replace(m, models=models, pairs=[_pair("forest", "net", True)], groups={})


def test_the_best_is_named_by_a_noun_whatever_the_models_gender():
    m = _metrics()
    labels = {k: mo.label for k, mo in m.models.items()}
    with language("sv"):
        for best in ("Nätverk cnn-tiny", "Slumpskog (30 träd)"):  # ett-ord, en-ord
            text = narrative.comparison_summary(m, {**labels, "net": best})
            assert "Modeller som är oskiljbara från den bästa här: LogReg" in text
            assert "Modeller som skiljer sig från den bästa på nivån 0,05" in text
            assert "från den på" not in text and "från den här" not in text


@pytest.mark.parametrize(
    "lang, words, never",
    [
        ("en", ("has the higher test accuracy", "Different from the better model"), "highest"),
        ("sv", ("har högre testträffsäkerhet", "Skild från den bättre modellen"), "högst"),
    ],
)
def test_of_two_models_the_better_is_higher_not_highest(lang, words, never):
    m = _two("Net")
    with language(lang):
        text = narrative.comparison_summary(m, {k: mo.label for k, mo in m.models.items()})
        three = narrative.comparison_summary(_metrics(), {"forest": "F", "logreg": "L", "net": "N"})
    assert all(w in text for w in words) and never not in text
    assert never in three  # of three, the highest


def _lowest(n_classes: int):
    auc = {str(c): 0.9 + c / 100 for c in range(n_classes)} | {"macro": 0.95}
    cal = {"source": "logistic", "clip": None, "bins": [[0.9, 0.9, 10]]}
    return replace(model(), log_loss=0.3, roc_auc=auc, ece=0.02, calibration=cal)


@pytest.mark.parametrize(
    "lang, lower, lowest", [("en", "(lower", "(lowest"), ("sv", "(lägre för", "(lägst för")]
)
def test_the_lower_auc_of_two_classes_is_lower_not_lowest(lang, lower, lowest):
    names = {c: f"K{c}" for c in range(3)}
    with language(lang):
        two = narrative.calibration_text(_lowest(2), names)
        three = narrative.calibration_text(_lowest(3), names)
    assert lower in two and lowest not in two
    assert lowest in three and lower not in three


FOUR = [[9, 1, 0, 0], [1, 9, 0, 0], [0, 0, 9, 1], [0, 0, 1, 9]]
CORRECT = {"4": 9, "5": 9, "6": 9, "7": 9}


@pytest.mark.parametrize(
    "lang, second, third",
    [
        ("en", "The second most confused pair", "The third most confused pair"),
        ("sv", "Det näst mest förväxlade paret", "Det tredje mest förväxlade paret"),
    ],
)
def test_the_third_pair_is_called_third(lang, second, third):
    base = _pair_model(3).confused_pairs[0]
    pairs = [base, {**base, "b": 5}, {**base, "a": 5}, {**base, "a": 7}]
    names = {4: "Coat", 5: "Sandal", 6: "Shirt", 7: "Sneaker"}
    four = replace(model(), confused_pairs=pairs, confusion=FOUR, correct_per_class=CORRECT)
    with language(lang):
        lines = narrative.discussion(four, [], names)
    assert lines[2].startswith(second) and lines[3].startswith(third)
    assert second not in lines[4] and third not in lines[4]


@pytest.mark.parametrize(
    "lang, between, most",
    [
        ("en", "Between Coat and Shirt: 3 Coat images", "most"),
        ("sv", "Mellan Coat och Shirt: 3 bilder av Coat", "mest"),
    ],
)
def test_two_classes_are_one_pair_neither_most_nor_least(lang, between, most):
    similar = [{"a": 4, "b": 6, "correlation": 0.9}]
    with language(lang):
        lines = narrative.discussion(_pair_model(3), similar, {4: "Coat", 6: "Shirt"})
    assert lines[1].startswith(between) and most not in lines[1]
