import numpy as np
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from fmstudy.compare import (
    bootstrap_accuracy,
    compare_models,
    confused_pairs,
    evaluate,
    mcnemar_table,
    mcnemar_test,
    model_result,
)


def test_mcnemar_table_direction_by_hand():
    a = np.array([1, 1, 1, 0, 0, 1, 0], bool)  # model A right?
    b = np.array([1, 0, 0, 1, 0, 0, 0], bool)  # model B right?
    # rows: A right / A wrong; columns: B right / B wrong
    assert mcnemar_table(a, b).tolist() == [[1, 3], [1, 2]]
    t = mcnemar_test(a, b)
    assert t["a_only_right"] == 3 and t["b_only_right"] == 1 and t["discordant"] == 4
    assert t["test"] == "exact binomial"
    assert t["p_value"] == pytest.approx(mcnemar([[1, 3], [1, 2]], exact=True).pvalue)


def test_mcnemar_switches_to_chi_square_from_25_discordant():
    rng = np.random.default_rng(0)
    a = rng.random(500) < 0.9
    b = rng.random(500) < 0.8
    t = mcnemar_test(a, b)
    assert t["discordant"] >= 25 and t["test"].startswith("chi-square")
    table = mcnemar_table(a, b)
    assert t["p_value"] == pytest.approx(mcnemar(table, exact=False, correction=True).pvalue)


def test_compare_models_holm_and_better():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 600)
    good = np.where(rng.random(600) < 0.95, y, (y + 1) % 3)
    bad = np.where(rng.random(600) < 0.7, y, (y + 1) % 3)
    same = good.copy()
    preds = {"good": good, "bad": bad, "same": same}
    ci95, pairs = compare_models(y, preds, {k: k for k in preds}, n_boot=200, seed=0)
    raw = [p.p_value for p in pairs]
    holm = multipletests(raw, method="holm")[1]
    assert [p.p_holm for p in pairs] == pytest.approx(list(holm))
    by = {(p.a, p.b): p for p in pairs}
    assert by[("good", "bad")].better == "good" and by[("good", "bad")].significant
    assert by[("good", "same")].better is None and not by[("good", "same")].significant
    lo, hi = ci95["good"]
    assert lo <= np.mean(good == y) <= hi


def test_bootstrap_is_seeded_and_brackets_the_mean():
    correct = np.r_[np.ones(90), np.zeros(10)].astype(bool)
    assert bootstrap_accuracy(correct, n_boot=500, seed=0) == bootstrap_accuracy(
        correct, n_boot=500, seed=0
    )
    lo, hi = bootstrap_accuracy(correct, n_boot=500, seed=0)
    assert lo < 0.9 < hi


def test_evaluate_and_confused_pairs():
    y = np.array([4, 4, 4, 6, 6, 6, 5, 5])
    p = np.array([4, 6, 6, 4, 6, 6, 5, 7])
    ev = evaluate(y, p, (4, 5, 6, 7), ["Coat", "Sandal", "Shirt", "Sneaker"])
    assert ev["accuracy"] == pytest.approx(4 / 8)
    assert ev["confusion"][0] == [1, 0, 2, 0]
    top = ev["confused_pairs"][0]
    assert (top["a"], top["b"], top["a_as_b"], top["b_as_a"]) == (4, 6, 2, 1)
    assert confused_pairs(np.eye(3, dtype=int), (0, 1, 2), ["a", "b", "c"]) == []


def test_model_result_is_evaluate_as_a_record():
    y = np.array([4, 4, 6, 6])
    p = np.array([4, 6, 6, 6])
    names = ["Coat", "Shirt"]
    r = model_result("forest", "Random forest", "3", y, p, (4, 6), names, {"n_trees": 9})
    ev = evaluate(y, p, (4, 6), names)
    assert (r.key, r.task, r.details, r.ci95) == ("forest", "3", {"n_trees": 9}, None)
    assert r.accuracy == ev["accuracy"] and r.confusion == ev["confusion"] == [[1, 1], [0, 2]]
    assert r.report == ev["report"] and r.confused_pairs == ev["confused_pairs"]
