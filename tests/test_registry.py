"""The classifier registry (issue 25): every registered kind goes the whole way on tiny
synthetic data (settings per profile, fit, probabilities, save, reload, evaluate, the
report's sentences), in the spirit of scikit-learn's common estimator checks; an unknown
kind is an error wherever a kind is looked up, never another model's behaviour."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest
import skops.io as sio

from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import model_result
from fmstudy.i18n import language
from fmstudy.models import registry
from fmstudy.models import saved as saved_models
from fmstudy.models.classical import ModelSpec, estimator, fit_model, specs_of
from fmstudy.models.fit_needs import fit_problem
from fmstudy.models.zoo import checked, zoo_defaults
from fmstudy.report import narrative
from fmstudy.report.narrative.zoo import kind_note
from fmstudy.study.config import StudyConfig
from fmstudy.study.profiles import PROFILES, get_profile

KINDS = [r.kind for r in registry.RECORDS]


SMALL = {"n_estimators": 5, "max_iter": 5}  # ensembles and iterations: seconds in all


def quick_specs(record) -> list[ModelSpec]:
    """The kind's fits under the quick profile as a study makes them, on small budgets."""
    settings = record.defaults("quick", 0)
    small = {k: v for k, v in SMALL.items() if hasattr(settings, k)}
    if record.task == "zoo":
        return specs_of(record.kind, checked(record.kind, {**asdict(settings), **small}))
    return specs_of(record.kind, replace(settings, **small))


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_settings_for_every_profile_and_a_config_takes_them(kind):
    record = registry.get(kind)
    for profile in PROFILES:
        settings = record.defaults(profile, 3)
        assert isinstance(settings, record.settings)
        specs = specs_of(kind, settings if record.task != "zoo" else zoo_defaults(profile, 3)[kind])
        assert {s.model_key for s in specs} == set(record.keys)
        assert all(s.kind == kind and s.task == record.task for s in specs)
    cfg = StudyConfig(classes=(4, 5), profile="quick", models=(kind,))
    assert cfg.models == (kind,) and (kind in cfg.zoo) == (record.task == "zoo")
    if record.task != "zoo":  # task 3 and 4 keep typed settings: the profile's
        assert getattr(get_profile("quick", 0), kind) == record.defaults("quick", 0)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_fits_saves_reloads_evaluates_and_is_described(kind, sub, synthetic, tmp_path):
    record = registry.get(kind)
    _, data_dir = synthetic
    x = sub.x_train.reshape(len(sub.x_train), -1)
    xt = sub.x_test.reshape(len(sub.x_test), -1)
    for spec in quick_specs(record):
        assert fit_problem(spec, sub.y_train, {}) is None
        fit = fit_model(spec, x, sub.y_train, xt)
        # probabilities: one column per class, rows summing to 1, the prediction their argmax
        assert fit.proba.shape == (len(xt), len(sub.classes))
        np.testing.assert_allclose(fit.proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(fit.y_pred, np.asarray(sub.classes)[fit.proba.argmax(1)])
        assert np.mean(fit.y_pred == sub.y_test) > 0.6  # the band gives each label away
        assert fit.info["train_rows"] == len(sub.y_train) and "train_accuracy" in fit.info
        # save and reload: the file names only types its record trusts
        data = saved_models.dump(fit.model)
        assert set(sio.get_untrusted_types(data=data)) <= set(record.trusted)
        folder = saved_models.write_model(
            tmp_path / spec.key, data, saved_models.model_meta(spec, fit, sub)
        )
        back, meta = saved_models.load_model(folder)
        np.testing.assert_array_equal(back.predict_proba(xt), fit.proba)
        evaluation = saved_models.evaluate_saved_model(folder, data_dir=data_dir)
        assert evaluation.result.accuracy == pytest.approx(np.mean(fit.y_pred == sub.y_test))
        assert evaluation.result.task == record.task
        assert evaluation.result.calibration["source"] == record.source.name
        # the report's sentences, in both languages
        ev = model_result(
            spec.key,
            (spec.label_id, spec.label_args),
            spec.task,
            sub.y_test,
            fit.y_pred,
            sub.classes,
            sub.class_names,
            fit.info,
            proba=fit.proba,
            source=spec.source,
        )
        names = dict(zip(sub.classes, sub.class_names, strict=True))
        for lang in ("en", "sv"):
            with language(lang):
                assert narrative.label_of(ev) and narrative.short_label(spec.key, ev)
                assert record.describe(fit.info) in narrative.fit_note(ev, len(sub.y_train))
                assert record.source.note(ev.calibration, ev.details) in (
                    narrative.probability_note(ev, names)
                )


def test_a_kind_that_needs_two_classes_says_so():
    y = np.zeros(30, int)
    for record in registry.RECORDS:
        for spec in quick_specs(record):
            problem = fit_problem(spec, y, {0: "zero"})
            assert (problem is not None and "two classes" in problem) == record.two_classes


def test_the_cli_and_the_saved_model_check_come_from_the_registry():
    help_text = registry.models_help()
    assert all(f"{k} (" in help_text for k in KINDS)
    assert registry.parse_models("all") == tuple(KINDS)
    assert set(registry.trusted()) <= set(saved_models.TRUSTED)
    # 0.1's names (module fmstudy.classical) and the first stage layout's stay trusted
    assert "fmstudy.classical.times" in saved_models.TRUSTED
    assert "fmstudy.models.classical.as_float64" in saved_models.TRUSTED


def _result(key: str, source: str):
    ev = model_result(
        "knn",
        "k-NN",
        "zoo",
        np.array([0, 1, 0, 1]),
        np.array([0, 1, 1, 1]),
        (0, 1),
        ("a", "b"),
        {"k": 5, "weights": "distance"},
        proba=np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.3, 0.7]]),
        source="neighbours",
    )
    return replace(ev, key=key, calibration={**ev.calibration, "source": source})


def test_an_unknown_kind_is_an_error_wherever_a_kind_is_looked_up(tmp_path):
    spec = ModelSpec("bogus", "bogus", "Bogus")
    x, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(FmstudyError, match="unknown classifier kind 'bogus'"):
        registry.get("bogus")
    with pytest.raises(FmstudyError, match="unknown classifier kind 'bogus'"):
        fit_model(spec, x, y, x)  # was: fitted, then given k-NN's details
    with pytest.raises(FmstudyError, match="unknown classifier kind 'bogus'"):
        estimator(spec)
    with pytest.raises(FmstudyError, match="unknown classifier kind 'bogus'"):
        fit_problem(spec, y, {})
    assert kind_note(_result("knn", "neighbours"))  # the known one is described
    with pytest.raises(FmstudyError, match="unknown classical model 'bogus'"):
        kind_note(_result("bogus", "neighbours"))  # was: called extra trees
    with pytest.raises(FmstudyError, match="unknown classical model 'bogus'"):
        narrative.short_label("bogus", _result("bogus", "neighbours"))
    names = {0: "a", 1: "b"}
    assert "softmax" in narrative.probability_note(_result("nn-x", "softmax"), names)
    with pytest.raises(FmstudyError, match="unknown probability source 'guesswork'"):
        narrative.probability_note(_result("bogus", "guesswork"), names)  # was: a network's softmax
    with pytest.raises(FmstudyError, match="config: zoo must map model names"):
        StudyConfig(classes=(4, 5), zoo={"bogus": {}})
    with pytest.raises(FmstudyError, match="--models: unknown model 'bogus'"):
        registry.parse_models("forest,bogus")
