"""The architecture search's results: the trials as a table, the best spec, the typed
outcome and optuna's figures in the report's language.

    frame = trials_frame(study); spec, number, val = best_spec(study)
    trial, epoch, val, state = best_trial(study)  # state: complete, pruned or unfinished
    outcome = summary(study, frame, final, settings, storage, networks)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, replace

from fmstudy.errors import FmstudyError
from fmstudy.i18n import N_
from fmstudy.i18n import gettext as _
from fmstudy.nets import notebook_reference
from fmstudy.nets.spec import NetSpec
from fmstudy.results import SearchOutcome
from fmstudy.search.settings import SearchSettings


def trials_frame(study):
    """One row per trial: number, state, value, epochs, seconds, worker and the spec."""
    import pandas as pd

    rows = []
    for t in study.get_trials(deepcopy=False):
        spec = t.user_attrs.get("spec")
        layers = NetSpec.from_dict(spec).layer_string if spec else ""
        rows.append(
            {
                "number": t.number,
                "state": t.state.name.lower(),
                "val_accuracy": t.value if t.value is not None else _last(t),
                "best_epoch": t.user_attrs.get("best_epoch"),
                "epochs_run": t.user_attrs.get("epochs_run"),
                "seconds": t.user_attrs.get("seconds"),
                "worker": t.user_attrs.get("worker"),
                "layers": layers,
                **{f"param_{k}": v for k, v in t.params.items()},
            }
        )
    return pd.DataFrame(rows)


def _last(t) -> float:
    return t.intermediate_values[max(t.intermediate_values)] if t.intermediate_values else math.nan


def best_trial(study):
    """The trial the search reports: (trial, best epoch, validation accuracy, state).

    The best complete trial at its best epoch; when none is complete (the --timeout came
    before any trial finished), the best validation accuracy any trial reached after an
    epoch, at that epoch, labelled by the trial's state: ``"pruned"`` or ``"unfinished"``
    (stopped at the deadline, or still running on another machine).
    """
    import optuna
    from optuna.trial import TrialState

    try:
        trials = study.get_trials(deepcopy=False)
        if any(t.state == TrialState.COMPLETE for t in trials):
            best = study.best_trial
            return best, int(best.user_attrs["best_epoch"]), float(best.value), "complete"
    except optuna.exceptions.OptunaError as exc:
        raise FmstudyError(str(exc)) from None
    seen = [t for t in trials if t.intermediate_values]
    if not seen:
        raise FmstudyError(
            f"study {study.study_name!r} has no trial with a finished epoch yet: run more "
            "--trials or give a longer --timeout"
        )
    best = max(seen, key=lambda t: (max(t.intermediate_values.values()), -t.number))
    values = best.intermediate_values
    epoch = max(values, key=lambda e: (values[e], -e))  # the first epoch at the best value
    state = "pruned" if best.state == TrialState.PRUNED else "unfinished"
    return best, int(epoch), float(values[epoch]), state


def best_spec(study, found=None) -> tuple[NetSpec, int, float]:
    """The reported trial's spec (``found``, else :func:`best_trial`) with its epochs set
    to the best epoch count, its number and its validation accuracy."""
    best, epochs, value, _state = found or best_trial(study)
    spec = NetSpec.from_dict({**best.user_attrs["spec"], "name": f"search-best-{best.number}"})
    return replace(spec, epochs=epochs, patience=None), best.number, value


def summary(study, frame, final, settings: SearchSettings, storage: str, networks):
    """The search's typed outcome: counts, best trial, final test accuracy (None when the
    retraining was skipped at the deadline), and which trial's state the best is."""
    found = best_trial(study)  # reads every trial from the storage: once
    spec, number, val = best_spec(study, found)
    states = frame["state"].value_counts().to_dict()
    applies = notebook_reference.applies(settings.dataset, settings.classes)
    return SearchOutcome(
        study_name=study.study_name,
        storage=storage,
        settings=asdict(settings),
        trials={k: int(v) for k, v in states.items()},
        best_trial=number,
        best_val_accuracy=val,
        best_spec=spec.to_dict(),
        best_layers=spec.layer_string,
        test_accuracy=final.test_accuracy if final else None,
        final_epochs=final.epochs_run if final else None,
        n_params=final.n_params if final else None,
        against_notebook=against_notebook(final.test_accuracy, networks)
        if final and applies
        else [],
        best_trial_state=found[3],
        stopped_at_deadline=int(
            sum(t.user_attrs.get("stopped") == "deadline" for t in study.trials)
        ),
    )


MIN_IMPORTANCE_TRIALS = 10  # fewer finished trials say nothing about which parameter matters
OPTUNA_LEGEND = (N_("Best Value"), N_("Infeasible Trial"))  # optuna's words, translated


def figures(study) -> dict:
    """Optimization history, parameter importances and the pruned curves (matplotlib).

    The figures are taken out of pyplot's figure list, ready to save; the caller's own
    figures stay open."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())  # the caller's figures, left open
    try:
        return _drawn(study)
    finally:
        for number in set(plt.get_fignums()) - before:  # optuna's, a failed one's included
            plt.close(number)


def _drawn(study) -> dict:
    import optuna.visualization.matplotlib as ovm
    from matplotlib.ticker import MaxNLocator
    from optuna.trial import TrialState

    from fmstudy.plots.figures import localized

    out = {}
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna marks its matplotlib backend experimental
        ax = ovm.plot_optimization_history(study, target_name=_("validation accuracy"))
        ax.figure.set_size_inches(8, 4.5)
        ax.set_title(_("Search: validation accuracy per trial"))
        ax.set(xlabel=_("trial"), ylabel=_("validation accuracy"))
        for text in ax.get_legend().get_texts() if ax.get_legend() else []:
            text.set_text(_(text.get_text()))  # optuna's "Best Value"
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # trial numbers
        out["search_history"] = ax.figure
        if len(complete) >= MIN_IMPORTANCE_TRIALS:
            try:
                from optuna.importance import FanovaImportanceEvaluator

                ax = ovm.plot_param_importances(  # fANOVA named, as the title says (a seed:
                    study,  # the same figure on a rerun); optuna 5's default is PED-ANOVA
                    evaluator=FanovaImportanceEvaluator(seed=0),
                    target_name=_("validation accuracy"),
                )
                ax.figure.set_size_inches(8, 4.5)
                ax.set_title(_("Search: parameter importances (fANOVA)"))
                ax.set(xlabel=_("importance"), ylabel=_("parameter"))
                out["search_importances"] = ax.figure
            except (RuntimeError, ValueError):
                pass  # all complete trials share one value: nothing to attribute
        ax = ovm.plot_intermediate_values(study)
        ax.figure.set_size_inches(8, 4.5)
        ax.set_title(_("Search: validation accuracy per epoch of every trial"))
        ax.set_ylabel(_("validation accuracy"))
        ax.set_xlabel(_("epoch"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax.get_legend():
            ax.get_legend().remove()  # one entry per trial says nothing
        out["search_curves"] = ax.figure
    for fig in out.values():
        localized(fig)
        fig.tight_layout()
    return out


def against_notebook(test_accuracy: float, networks: dict | None) -> list[dict]:
    """The best spec's test accuracy beside the notebook's networks (as the notebook
    reported them, and as this study trained them when task 5 ran)."""
    rows = []
    for name, (ref, _digits) in notebook_reference.NOTEBOOK_RUNS.items():
        net = (networks or {}).get(name)
        rows.append(
            {
                "name": name,
                "notebook": ref,
                "trained_here": net.test_acc_mean if net is not None else None,
                "best_minus_notebook": test_accuracy - ref,
            }
        )
    return rows
