"""fmstudy.overfitting: each seed's validation-loss curve read as a student reads it, and the
sentence that words the stored verdict (constructed curves, no training)."""

import pytest

from fmstudy.i18n import language
from fmstudy.report import narrative
from fmstudy.results import NetworkResult, StudyMetrics

U = [1.0, 0.6, 0.45, 0.4, 0.42, 0.5, 0.6, 0.75]  # lowest at epoch 4, then up by 0.35
FLAT = [1.0, 0.6, 0.45, 0.4, 0.39, 0.385, 0.38, 0.378]  # still falling at its last epoch
NOISY = [1.0, 0.7, 0.55, 0.5, 0.53, 0.49, 0.52, 0.48, 0.51, 0.53]  # lowest at 8, +0.05


def net(*curves, **spec) -> NetworkResult:
    """A network record made the way the study makes one, from its seeds' curves."""
    n = len(curves)
    return NetworkResult.summarised(
        name="n",
        key="nn-n",
        label="n",
        spec={"epochs": 10, **spec},
        layers="10",
        params=10,
        extras=[],
        seeds=list(range(n)),
        representative_seed=0,
        test_acc=[0.9] * n,
        val_acc_at_best=[0.8] * n,
        epochs_run=[len(c) for c in curves],
        best_epoch=[1] * n,
        histories=[{"val_loss": list(c)} for c in curves],
        early_stopping="patience" in spec,
    )


def test_a_u_shaped_curve_overfits_after_its_minimum():
    n = net(U, U, U)
    assert n.overfit_seeds == [True] * 3 and n.overfit_epochs == [4] * 3 and n.overfits
    assert n.overfit_rises[0] == pytest.approx(0.35)
    assert n.overfit_noise[0] == pytest.approx(0.1)  # median of |.4 .15 .05 .02 .08 .1 .15|
    text = narrative.overfitting_sentence("n", n)
    assert "lowest at epoch 4 of 8 (the dotted line in its figure)" in text
    assert "seed 0 at epoch 4, ending 0.350 above it (typical change 0.100)" in text
    assert "this happens in 3 of its 3 seeds: it overfits." in text


def test_a_curve_lowest_at_its_last_epoch_does_not_overfit():
    n = net(FLAT, FLAT)
    assert n.overfit_seeds == [False, False] and n.overfit_epochs == [8, 8] and not n.overfits
    text = narrative.overfitting_sentence("n", n)
    assert "seed 0 at epoch 8, its last (still falling); seed 1 at epoch 8, its last (still" in text
    assert (  # no majority clause when none overfit; the curves could still turn
        "0 of its 2 seeds: no overfitting seen in 8 epochs; the validation loss was still "
        "falling at its last epoch in 2 of 2 seeds, so more epochs could still show it." in text
    )
    assert "twice its typical epoch-to-epoch change (the median)" in text


def test_a_verdict_without_a_seed_lowest_at_its_end_claims_no_more():
    text = narrative.overfitting_sentence("n", net(NOISY, NOISY))  # lowest at 8 of 10
    assert "0 of its 2 seeds: no overfitting." in text and "still falling" not in text


def test_seeds_of_unlike_length_still_falling_are_counted_per_seed():
    text = narrative.overfitting_sentence("n", net(U, FLAT[:6], patience=2))
    assert "seed 1 at epoch 6, its last (still falling)" in text
    assert (
        "1 of its 2 seeds: no overfitting seen in the epochs run (that needs more than half "
        "of the seeds); the validation loss was still falling at its last epoch in 1 of 2 "
        "seeds" in text
    )


def test_a_rise_within_the_noise_is_not_overfitting():
    n = net(NOISY, NOISY)
    assert n.overfit_epochs == [8, 8] and n.overfit_rises[0] == pytest.approx(0.05)
    assert n.overfit_noise[0] < n.overfit_rises[0] <= 2 * n.overfit_noise[0]  # up, but in noise
    assert n.overfit_seeds == [False, False] and not n.overfits
    text = narrative.overfitting_sentence("n", n)
    assert "seed 1 at epoch 8, ending 0.050 above it (typical change 0.040)" in text
    assert "no overfitting" in text and "it overfits" not in text


def test_one_seed_gets_a_verdict():
    one = net(U)
    assert one.overfit_seeds == [True] and one.overfits is True
    assert "1 of its 1 seed: it overfits" in narrative.overfitting_sentence("n", one)
    assert net(FLAT).overfits is False


def test_the_summary_needs_more_than_half_of_the_seeds():
    assert net(U, U, FLAT).overfits is True
    assert net(U, FLAT).overfits is False  # one of two is not a majority
    split = net(U, FLAT)
    assert split.overfit_seeds == [True, False]
    text = narrative.overfitting_sentence("n", split)
    assert "1 of its 2 seeds: no overfitting seen in 8 epochs (that needs more than half" in text
    assert "still falling at its last epoch in 1 of 2 seeds" in text


def test_the_figure_line_is_the_mean_curves_minimum_and_the_sentence_names_it():
    n = net(U, FLAT[:6], patience=2)  # seeds of unlike length: the epochs both ran
    assert n.marked_epoch == 4 and n.overfit_epochs == [4, 6]
    text = narrative.overfitting_sentence("n", n)
    assert "lowest at epoch 4 of the 6 that every seed ran (the dotted line" in text
    assert "Early stopping (patience 2)" in text


def test_the_verdicts_travel_through_metrics_json():
    n = net(U, FLAT)
    entry = StudyMetrics(tasks=("5",), task1={}, networks={"n": n}).to_dict()["networks"]["n"]
    assert entry["overfit_seeds"] == [True, False] and entry["overfit_epochs"] == [4, 8]
    assert "late_rise" not in entry
    back = StudyMetrics.from_dict({"tasks": ["5"], "task1": {}, "networks": {"n": entry}})
    assert back.networks["n"] == n


def test_a_record_without_per_seed_verdicts_says_so():
    old = {**net(U).__dict__, "overfit_seeds": [], "overfits": None}
    text = narrative.overfitting_sentence("n", NetworkResult(**old))
    assert text.endswith("no overfitting verdict stored.")


def test_the_swedish_sentence_words_the_same_verdict():
    with language("sv"):
        text = narrative.overfitting_sentence("n", net(U, U, FLAT))
    assert "2 av dess 3 frön: det överanpassar" in text and "frö 2 vid epok 8, dess sista" in text
