"""narrative.py: each sentence says what its numbers say, from the records alone."""

from test_results import model, network

from fmstudy import narrative
from fmstudy.config import StudyConfig
from fmstudy.results import PairTest, StudyMetrics


def test_counts_read_as_words():
    assert [narrative.counted(n, "seed") for n in (0, 1, 3)] == ["0 seeds", "1 seed", "3 seeds"]


def test_comparison_names_the_best_model_and_each_verdict():
    pair = PairTest(
        "forest",
        "nn-n1",
        "Forest",
        "Nn-N1",
        [[1, 2], [30, 4]],
        2,
        30,
        32,
        "chi-square",
        20.0,
        1e-5,
        1e-5,
        True,
        "nn-n1",
    )
    m = StudyMetrics(
        tasks=("1",),
        task1={},
        models={"forest": model("forest", 0.9), "nn-n1": model("nn-n1", 0.93)},
        pairs=[pair],
    )
    first, second = narrative.comparison_lines(m)
    assert first.startswith("Nn-N1 is the most accurate model on the test set (0.9300")
    assert "Nn-N1 is ahead by 3.00 points" in second and "a real difference" in second
    assert "(2 vs 30)" in second and "McNemar p = 1e-05" in second


def test_network_sentences_follow_their_numbers():
    n = network()
    nets = {"n1": n}
    intro = narrative.networks_intro(StudyConfig(classes=(4, 5), profile="quick"), nets)
    assert intro.startswith("Profile quick trains 1 architecture with 3 seeds (0, 1, 2)")
    first, overfit = narrative.network_conclusion(nets)
    assert "validation 0.8000 ± 0.0000, test 0.9200 ± 0.0200 over 3 seeds" in first
    assert "lowest at epoch 2 (median over seeds) of 2" not in overfit  # best == last epoch
    assert "still falling at the last epoch (2)" in overfit
    text = narrative.network_description(
        n.__class__(
            **{
                **n.__dict__,
                "spec": {
                    "activation": "relu",
                    "optimizer": "adam",
                    "lr": 0.001,
                    "weight_decay": 0.0,
                    "batch_size": 32,
                    "epochs": 2,
                    "patience": None,
                    "scaling": "unit",
                    "refit": False,
                },
            }
        ),
        0.0,
    )
    assert "adam (lr 0.001), batch 32, 2 fixed epochs, inputs / 255." in text
    assert "0.9000, 0.9200, 0.9400; the report below is seed 1" in text


def test_pca_text_quotes_its_checks():
    checks = {
        "n_features": 784,
        "n_samples": 100,
        "pc1_variance_by_hand": 12.3456,
        "pc1_variance_numpy": 12.3456,
        "pc1_variance_sklearn": 12.3456,
        "total_variance_by_hand": 50.0,
        "total_variance_numpy": 50.0,
        "pc1_ratio": 0.25,
        "pc2_ratio": 0.1,
        "components_for_90pct": 7,
        "eig_components_compared": 10,
        "eig_vs_sklearn_abs_cosine_min": 1.0,
        "random_directions": 1000,
        "random_direction_variance_max": 3.0,
        "random_direction_variance_mean": 1.0,
        "pc1_dot_pc2": 1e-17,
    }
    text = " ".join(narrative.pca_text({"checks": checks}))
    assert "by hand is 12.35" in text and "PC1 explains 25.0%" in text
    assert "7 components are needed for 90 %" in text
