"""narrative.py: each sentence says what its numbers say, from the records alone."""

from dataclasses import replace

from test_results import model, network

from fmstudy.report import narrative
from fmstudy.results import PairTest, StudyMetrics
from fmstudy.study.budget import reductions
from fmstudy.study.config import StudyConfig

T1_47 = {"dataset": "fashion-mnist", "classes": [4, 5, 6, 7]}
T1_COAT_SHIRT = {"dataset": "fashion-mnist", "classes": [4, 6]}


def test_counts_read_as_words():
    assert [narrative.seeds_counted(n) for n in (0, 1, 3)] == ["0 seeds", "1 seed", "3 seeds"]


ACC = {"forest": 0.90, "logreg": 0.93, "net": 0.935}


def _pair(a, b, significant, p=0.01, **seeds):
    return PairTest(
        a,
        b,
        a,
        b,
        [[1, 2], [3, 4]],
        2,
        30,
        32,
        "chi-square",
        1.0,
        p,
        p,
        significant,
        b,
        difference=ACC.get(a, 0.5) - ACC.get(b, 0.5),
        **seeds,
    )


def _metrics():
    models = {
        "forest": replace(model("forest", 0.90), label="Forest"),
        "logreg": replace(model("logreg", 0.93), label="LogReg"),
        "net": replace(model("net", 0.935), label="Net"),
    }
    pairs = [
        _pair("forest", "logreg", True, 1e-5),
        _pair("forest", "net", True, 1e-6),
        _pair("logreg", "net", False, 0.4),
    ]
    task1 = {**T1_47, "splits": {"test": {"kept": 4000}, "train": {"kept": 24000}}}
    return StudyMetrics(
        tasks=("1",),
        task1=task1,
        models=models,
        pairs=pairs,
        groups={"net": "a", "logreg": "a", "forest": "b"},
    )


def test_comparison_summary_says_what_is_indistinguishable_and_what_differs():
    m = _metrics()
    text = narrative.comparison_summary(m, {k: mo.label for k, mo in m.models.items()})
    assert text.startswith("Net has the highest test accuracy, 0.9350")
    assert "Indistinguishable from the best model here: LogReg (−0.50 points)." in text
    assert (
        "Different from the best model at 0.05 (McNemar's test, Holm-corrected): Forest "
        "(−3.50 points)." in text
    )
    assert "form 2 groups" in text
    assert "better" not in text


def test_the_verdict_rule_is_said_once_with_its_numbers():
    rule = narrative.verdict_rule(_metrics(), StudyConfig(classes=(4, 5), profile="quick", seed=3))
    assert "Holm's correction for the 3 pairs" in rule and "the largest p" not in rule
    assert "compares the runs the summary shows" in rule and "share a letter exactly" in rule
    assert "Wilson score intervals for a proportion of the 4,000 test images" in rule
    assert "300 paired bootstrap resamples of the test images (bootstrap seed 3)" in rule
    assert "overlapping intervals do not make two models indistinguishable" in rule
    assert "test-set sampling only" in rule


def test_seed_by_seed_verdicts_are_worded_from_the_record():
    m = _metrics()
    labels = {k: mo.label for k, mo in m.models.items()}
    assert narrative.seed_stability(m, labels) == ""  # one fit each: nothing to say
    pairs = [
        _pair("forest", "logreg", True, seed_p_values=[0.01, 0.2], seed_significant=[True, False]),
        _pair("forest", "net", True, seed_p_values=[0.01, 0.01], seed_significant=[True, True]),
        _pair("logreg", "net", False, seed_p_values=[0.3, 0.4], seed_significant=[False, False]),
    ]
    seeded = replace(m, pairs=pairs)
    text = narrative.seed_stability(seeded, labels)
    assert "each of the 2 seed indices" in text
    assert "This verdict does not hold at every seed index" in text
    assert "Forest vs LogReg (1 of 2)" in text and "Net" not in text.split(":", 2)[-1]
    assert [narrative.seeds_same(p) for p in pairs] == ["1/2", "2/2", "2/2"]
    steady = replace(m, pairs=[pairs[1], pairs[2]])
    assert "Every verdict is the same at every seed index." in narrative.seed_stability(
        steady, labels
    )


def test_verdict_words():
    assert narrative.verdict(_pair("a", "b", True)) == "different at 0.05"
    assert narrative.verdict(_pair("a", "b", False)) == "indistinguishable here"


def test_notebook_numbers_only_on_the_notebooks_data():
    nets = {"n1": network(), "n2": replace(network(), name="n2")}
    on_47 = " ".join(narrative.network_conclusion(nets, T1_47))
    assert "the networks of the course's reference notebook were single runs" in on_47
    assert "study.md" not in on_47  # only what the reader has is cited
    assert "0.9384 ± 0.0031" in on_47
    other = " ".join(narrative.network_conclusion(nets, T1_COAT_SHIRT))
    assert "notebook" not in other and "0.95" not in other
    alone = narrative.network_conclusion({"n1": network()}, T1_COAT_SHIRT)
    assert not any("Chosen on validation" in line for line in alone)  # no choice to make
    assert any("Chosen on validation" in line for line in narrative.network_conclusion(nets, T1_47))


def test_overfitting_sentences_follow_the_stored_verdict():
    n = network()  # falling curves: no seed overfits
    assert "0 of its 3 seeds: no overfitting seen in" in narrative.overfitting_sentence("n1", n)
    said = replace(n, overfit_seeds=[True, True, False], overfits=True)  # words, not decides
    assert "2 of its 3 seeds: it overfits." in narrative.overfitting_sentence("n1", said)


ADAM_SPEC = {  # a network's settings as metrics.json records them
    "activation": "relu",
    "optimizer": "adam",
    "lr": 0.001,
    "weight_decay": 0.0,
    "batch_size": 32,
    "epochs": 2,
    "patience": None,
    "scaling": "unit",
    "refit": False,
}


def test_network_description_names_the_validation_median():
    n = replace(
        network(),
        spec=ADAM_SPEC,
    )
    text = narrative.network_description(n, 0.0)
    assert "adam (lr 0.001), batch 32, 2 fixed epochs, inputs / 255, validation on a " in text
    assert (
        "seed 1: the seed with the median validation accuracy, so the test set chose nothing"
        in text
    )


def test_the_banner_names_what_was_reduced():
    svc = replace(model("svc"), task="zoo", details={"train_rows": 2000})
    knn = replace(model("knn"), task="zoo", details={"train_rows": 6000})
    m = replace(
        _metrics(),
        models={
            "forest": replace(model("forest"), details={"train_rows": 6000}),
            "svc": svc,
            "knn": knn,
        },
        networks={"n1": network()},
    )
    quick = StudyConfig(classes=(4, 5), profile="quick")
    m = replace(m, budget=reductions(quick, m.models, m.networks, 24000))
    banner = narrative.reduced_budget(m, {"forest": "Forest", "svc": "SVC", "knn": "k-NN"})
    assert (  # in alphabetical order, grouped by their rows
        "Forest, k-NN learn from a stratified 6,000 of the 24,000 training rows; SVC "
        "learns from a stratified 2,000 of the 24,000 training rows;" in banner
    )
    assert "logistic regressions" not in banner  # none was fitted
    assert "at most 2 epochs with 2 seeds" in banner and "not for conclusions" in banner
    full = replace(m, models={"forest": replace(model("forest"), details={"train_rows": 24000})})
    plain = replace(full, networks={})
    budget = reductions(StudyConfig(classes=(4, 5)), plain.models, {}, 24000)
    assert budget is None
    assert narrative.reduced_budget(replace(plain, budget=budget), {"forest": "F"}) is None


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
    assert "by hand is 12.35" in text and "PC1 explains 25.0 %" in text
    assert "7 components are needed for 90 %" in text


def test_table3_is_quoted_only_on_all_ten_fashion_mnist_classes():
    svc = replace(model("svc", 0.8885), task="zoo")
    ten = {"dataset": "fashion-mnist", "classes": list(range(10))}
    text = narrative.table3_note(svc, ten, None)
    assert "Xiao et al. (2017, Table 3) report 0.897 for the best SVC" in text
    assert "chosen on the test set; this one is 0.8885 (−0.9 points)" in text
    assert narrative.table3_note(svc, {**ten, "classes": [4, 5, 6, 7]}, None) == ""
    assert narrative.table3_note(svc, {**ten, "dataset": "mnist"}, None) == ""
    assert narrative.table3_note(replace(svc, key="extra-trees"), ten, None) == ""  # not in Table 3


def test_network_description_says_bfloat16_only_when_it_was_used():
    n = replace(network(), spec=ADAM_SPEC)
    assert "bfloat16" not in narrative.network_description(n, 0.0)
    text = narrative.network_description(replace(n, precision="bfloat16"), 0.0)
    assert "forward passes in bfloat16 (weights in float32)." in text
