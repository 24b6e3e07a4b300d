"""The classifier zoo (issue 18): --models, each new model on tiny synthetic data, the
saved skops models (save, reload, same predictions; untrusted types refused) and
--save-models."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from conftest import synthetic_arrays
from sklearn.preprocessing import FunctionTransformer

from fmstudy.api import run_study
from fmstudy.cli.main import main
from fmstudy.errors import FmstudyError
from fmstudy.models import saved as saved_models
from fmstudy.models.classical import fit_model
from fmstudy.models.predict import predict_images
from fmstudy.models.registry import MODEL_CHOICES, parse_models
from fmstudy.models.zoo import zoo_defaults, zoo_specs
from fmstudy.study.config import StudyConfig, study_config

ZOO = ("svc", "knn", "hgb", "extra-trees")


@pytest.fixture(scope="module")
def images():
    a = synthetic_arrays()
    flat = {k: v.reshape(len(v), -1) if v.ndim == 3 else v for k, v in a.items()}
    return flat["train-images"], flat["train-labels"], flat["test-images"], flat["test-labels"]


def test_models_parse_in_order_once_and_all_names_every_model():
    assert parse_models("svc, forest,svc") == ("svc", "forest")
    assert parse_models("all") == MODEL_CHOICES
    for bad in ("forest,xgboost", "", ","):
        with pytest.raises(FmstudyError, match="--models: unknown model"):
            parse_models(bad)


def test_config_resolves_the_chosen_models_settings_and_round_trips():
    cfg = study_config(classes="4-7", profile="quick", models="forest,svc,knn")
    assert cfg.models == ("forest", "svc", "knn")
    assert set(cfg.zoo) == {"svc", "knn"}
    assert cfg.zoo["svc"]["max_train_rows"] == 2000  # quick stays quick
    assert StudyConfig.from_dict(json.loads(cfg.to_json())) == cfg
    default = StudyConfig(classes=(4, 5))
    assert default.models == ("forest", "logreg") and default.zoo == {}
    assert zoo_defaults("standard", 3)["hgb"]["max_train_rows"] is None
    with pytest.raises(FmstudyError, match="bad settings for model 'svc'"):
        StudyConfig(classes=(4, 5), models=("svc",), zoo={"svc": {"kernel": "poly"}})
    with pytest.raises(FmstudyError, match="svc C must be"):
        StudyConfig(classes=(4, 5), models=("svc",), zoo={"svc": {"C": -1}})
    with pytest.raises(FmstudyError, match="zoo must map"):
        StudyConfig(classes=(4, 5), zoo={"boost": {}})


@pytest.mark.parametrize("name", ZOO)
def test_each_new_model_learns_the_synthetic_bands(images, name):
    x, y, xt, yt = images
    settings = {**zoo_defaults("quick", 0)[name], "max_train_rows": None}
    (spec,) = zoo_specs((name,), {name: settings})
    fit = fit_model(spec, x, y, xt)
    assert np.mean(fit.y_pred == yt) > 0.9  # the band gives each label away
    assert fit.proba.shape == (len(yt), 10)
    np.testing.assert_allclose(fit.proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(fit.y_pred, np.arange(10)[fit.proba.argmax(axis=1)])
    expected = {"svc": "n_support", "knn": "k", "hgb": "n_iter", "extra-trees": "n_trees"}
    assert fit.info[expected[name]] > 0 and fit.info["train_rows"] == len(y)
    assert spec.task == "zoo"
    again = fit_model(spec, x, y, xt)  # fixed seeds: the same fit twice
    np.testing.assert_array_equal(again.proba, fit.proba)


@pytest.mark.parametrize("name", ZOO)
def test_a_saved_model_reloads_and_predicts_the_same(images, name, tmp_path):
    x, y, xt, _ = images
    (spec,) = zoo_specs((name,), zoo_defaults("quick", 0))
    fit = fit_model(spec, x, y, xt)
    data = saved_models.dump(fit.model)
    back = saved_models.loads(data, "test")
    np.testing.assert_array_equal(back.predict_proba(xt), fit.model.predict_proba(xt))
    np.testing.assert_array_equal(back.predict(xt), fit.y_pred)


def test_an_untrusted_type_is_refused_and_evaluate_says_so_in_one_line(tmp_path, capsys):
    evil = saved_models.dump(FunctionTransformer(func=os.system))
    with pytest.raises(FmstudyError, match=r"does not trust \((posix|os)\.system\)"):
        saved_models.loads(evil, "evil.skops")
    folder = tmp_path / "evil"
    meta = {"key": "svc", "classes": [0, 1], "dataset": "digits", "image_shape": [8, 8]}
    saved_models.write_model(folder, evil, meta)
    assert main(["evaluate", str(folder), "--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not trust" in err[0] and "refusing to load" in err[0]


def test_save_models_policy_says_which_files_are_written():
    assert not saved_models.wanted("none", 10)
    assert saved_models.wanted("small", saved_models.SMALL_MODEL_BYTES)
    assert not saved_models.wanted("small", saved_models.SMALL_MODEL_BYTES + 1)
    assert saved_models.wanted("all", 10**12)
    with pytest.raises(
        FmstudyError, match="unknown --save-models .some.: choose one of none, small, all"
    ):
        saved_models.wanted("some", 10)


@pytest.fixture(scope="module")
def digits_study(tmp_path_factory):
    """The zoo on scikit-learn's digits (offline), quick profile: every model saved."""
    root = tmp_path_factory.mktemp("zoo")
    cfg = study_config(
        dataset="digits",
        classes="0-9",
        profile="quick",
        tasks="1,3,4",
        models="forest,logreg,svc,knn,hgb,extra-trees",
        learning_curves=False,
    )
    result = run_study(cfg, data_dir=root / "data")
    result.save(root / "report")
    return root, cfg, result


def test_every_model_goes_through_the_same_evaluation(digits_study):
    root, _, result = digits_study
    m = result.metrics
    keys = ["forest", "logreg_raw", "logreg_std", *ZOO]
    assert list(m.models) == keys and set(result.estimators) == set(keys)
    n_pairs = len(keys) * (len(keys) - 1) // 2
    assert len(m.pairs) == n_pairs and set(m.groups) == set(keys)
    for key in ZOO:
        ev = m.models[key]
        assert ev.task == "zoo" and ev.ci95 is not None and ev.log_loss is not None
        assert ev.accuracy > 0.85
        est = result.estimators[key]
        x_test = _digits_test(root)
        pred = est.predict(x_test.reshape(len(x_test), -1))
        assert np.array_equal(pred, result.predictions[key].to_numpy())
        for fig in (f"confusion_{key}", f"proba_{key}"):
            assert fig in result.figures
    assert m.models["knn"].calibration["source"] == "neighbours"
    assert m.models["svc"].calibration["source"] == "platt"
    md = (root / "report" / "report.md").read_text()
    assert "## More classifiers: RBF support vector classifier (C = 10)" in md
    assert "one sigmoid per class (Platt)" in md and "k-NN learns nothing" in md
    assert "Xiao et al." not in md  # Table 3 is about all ten Fashion-MNIST classes only


def _digits_test(root):
    from fmstudy.data.loading import load_dataset
    from fmstudy.data.own import DataOptions
    from fmstudy.data.subsets import select_classes

    ds = load_dataset("digits", root / "data", options=DataOptions())
    return select_classes(ds, tuple(range(10))).x_test


def test_saved_models_are_evaluated_and_predict_as_in_the_study(digits_study, capsys, tmp_path):
    root, _, result = digits_study
    metrics = json.loads((root / "report" / "metrics.json").read_text())
    for key in ("forest", "logreg_std", *ZOO):
        folder = root / "report" / "models" / key
        assert (folder / "model.skops").is_file() and (folder / "model.json").is_file()
        argv = ["evaluate", str(folder), "--json", "--data-dir", str(root / "data")]
        assert main(argv) == 0
        evaluated = json.loads(capsys.readouterr().out)
        assert evaluated["accuracy"] == metrics["models"][key]["accuracy"]
    from PIL import Image

    x_test = _digits_test(root)
    files = []
    for i in range(3):
        files.append(tmp_path / f"d{i}.png")
        Image.fromarray(x_test[i]).save(files[-1])
    got = predict_images(root / "report" / "models" / "svc", files)
    want = result.predictions["svc"].to_numpy()[:3]
    assert [p.label for p in got] == list(want)
    assert all(abs(sum(p.probabilities.values()) - 1) < 1e-9 for p in got)


def test_small_skips_a_large_file_says_so_and_all_refits_to_write_it(
    digits_study, monkeypatch, tmp_path
):
    root, cfg, first = digits_study
    limit = first.saved_models["knn"].size - 1000  # k-NN keeps its training rows
    monkeypatch.setattr(saved_models, "SMALL_MODEL_BYTES", limit)
    small = run_study(cfg, data_dir=tmp_path / "data", save_models="small")
    sizes = {k: s.size for k, s in small.saved_models.items()}
    assert {k for k, s in small.saved_models.items() if s.saved} == {
        k for k, n in sizes.items() if n <= limit
    }
    assert not small.saved_models["knn"].saved and small.saved_models["logreg_std"].saved
    small.save(tmp_path / "small")
    assert not (tmp_path / "small" / "models" / "knn").exists()
    md = (tmp_path / "small" / "report.md").read_text()
    assert "Not saved: its file would be" in md and "--save-models all writes it" in md
    # The cache kept the fit but not the large file: a rerun has no k-NN estimator to
    # return under 'small', and 'all' refits it to write the file, predicting the same.
    again = run_study(cfg, data_dir=tmp_path / "data", save_models="small")
    assert set(again.estimators) == {k for k, n in sizes.items() if n <= limit}
    everything = run_study(cfg, data_dir=tmp_path / "data", save_models="all")
    assert everything.saved_models["knn"].saved
    assert everything.predictions.equals(first.predictions)
    fresh = run_study(cfg, data_dir=tmp_path / "data", fresh=True)  # refits, then saves
    assert fresh.saved_models["logreg_std"].saved and "svc" in fresh.estimators
    none = run_study(cfg, data_dir=tmp_path / "data", save_models="none")
    none.save(tmp_path / "none")
    assert not (tmp_path / "none" / "models").exists()
    assert "Not saved (--save-models none)." in (tmp_path / "none" / "report.md").read_text()
