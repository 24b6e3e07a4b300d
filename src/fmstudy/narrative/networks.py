"""Task 5's and the search's sentences, and the notebook's numbers where they apply."""

from __future__ import annotations

from fmstudy.config import StudyConfig
from fmstudy.narrative.models import counted
from fmstudy.results import NetworkResult, SearchOutcome

NOTEBOOK = {"notebook-1": 0.935, "notebook-2": 0.9415, "notebook-3": 0.95}  # single runs
KERAS_NOTEBOOK_3 = "0.9384 ± 0.0031"  # Keras, the notebook's settings, three seeds


def notebook_applies(task1: dict) -> bool:
    """The notebook's numbers are quoted only for the data it ran on: Fashion-MNIST 4-7."""
    return task1["dataset"] == "fashion-mnist" and list(task1["classes"]) == [4, 5, 6, 7]


def notebook_reference() -> str:
    """The notebook's network results, labelled as what they are."""
    runs = ", ".join(f"{name} {acc}" for name, acc in NOTEBOOK.items())
    return (
        f"For reference, the notebook's networks on these classes were single runs: {runs}. "
        "notebook-3's 0.95 does not reproduce from the configuration it states: Keras with "
        f"the notebook's layers and settings gets {KERAS_NOTEBOOK_3} over three seeds (a "
        "measurement outside this run, in fmstudy's study.md)."
    )


def networks_intro(config: StudyConfig, nets: dict[str, NetworkResult]) -> str:
    """What task 5 trained and how it is read: the profile (or the run's own specs) decides,
    and the report says which."""
    first = next(iter(nets.values()))
    seeds = first.seeds
    split = (
        "the first 20 % of the training rows, as in the notebook"
        if first.spec["val_split"] == "first"
        else "a stratified 20 % of the training rows"
    )
    many = len(nets) > 1
    who = "This run" if config.networks_chosen_by == "options" else f"Profile {config.profile}"
    spread = (
        "accuracies are mean ± sd over the seeds"
        if len(seeds) > 1
        else "one seed gives no spread, so every sd reads 0"
    )
    return (
        f"{who} trains {counted(len(nets), 'architecture')} with "
        f"{counted(len(seeds), 'seed')}{' each' if many else ''} "
        f"({', '.join(map(str, seeds))}); {spread}. Validation"
        f"{' for the first architecture' if many else ''} is {split}"
        f"{'; each spec below says its own' if many else ''}. "
        "The test set is touched only for the final numbers."
    )


def network_conclusion(nets: dict[str, NetworkResult], task1: dict) -> list[str]:
    """Task 5's conclusion, from the numbers: the pick by validation (when there was a
    choice), the notebook's runs (only on its own data), overfitting."""
    if not nets:
        return []
    lines = []
    if len(nets) > 1:
        pick = max(nets, key=lambda n: nets[n].val_acc_mean)
        p = nets[pick]
        lines.append(
            f"Chosen on validation accuracy alone: {pick} ({p.layers}), validation "
            f"{p.val_acc_mean:.4f} ± {p.val_acc_sd:.4f}, test {p.test_acc_mean:.4f} ± "
            f"{p.test_acc_sd:.4f} over {counted(len(p.seeds), 'seed')}."
            + (
                " The architectures validate on different parts of the training rows, so "
                "this choice compares unlike validation sets."
                if len({x.spec.get("val_split") for x in nets.values()}) > 1
                else ""
            )
        )
    if notebook_applies(task1):
        lines.append(notebook_reference())
    for name, n in nets.items():
        lines.append(overfitting_sentence(name, n))
    return lines


def overfitting_sentence(name: str, n: NetworkResult) -> str:
    """The overfitting verdict of one architecture, as the mean curve and its noise say."""
    ran = min(len(h["val_loss"]) for h in n.histories)
    longest = max(len(h["val_loss"]) for h in n.histories)
    seeds = counted(len(n.seeds), "seed")
    over = f" (the first {ran}, which every seed ran)" if longest > ran else ""
    low = (
        f"the mean validation loss over {seeds} is lowest at epoch {n.marked_epoch} of {ran}{over}"
    )
    stop = (
        f" Early stopping (patience {n.spec['patience']}) kept each seed's weights from its "
        "own best epoch."
        if n.early_stopping
        else ""
    )
    if n.overfits:
        return (
            f"{name}: {low}, and over the last 3 epochs it lies {n.late_rise:.4f} above that "
            f"minimum, more than twice its standard error over the seeds (standard error "
            f"{n.late_rise_se:.4f}, limit {2 * n.late_rise_se:.4f}): it overfits after epoch "
            f"{n.marked_epoch}.{stop}"
        )
    if n.overfits is None:
        return (
            f"{name}: {low}; one seed gives no standard error, so no verdict on overfitting.{stop}"
        )
    if n.late_rise is None and n.marked_epoch == ran:
        return f"{name}: no overfitting seen in {ran} epochs ({low}, its last).{stop}"
    if n.late_rise is None:
        return f"{name}: no overfitting seen in {ran} epochs ({low}).{stop}"
    return (
        f"{name}: no overfitting seen in {ran} epochs ({low}; over the last 3 epochs it lies "
        f"{n.late_rise:.4f} above it, within twice its standard error: standard error "
        f"{n.late_rise_se:.4f}, limit {2 * n.late_rise_se:.4f}).{stop}"
    )


def network_description(n: NetworkResult, refit_seconds: float) -> str:
    """How one architecture was trained and which seed the report below shows."""
    s = n.spec
    opt = f"{s['optimizer']} (lr {s['lr']}" + (
        f", weight decay {s['weight_decay']})" if s["weight_decay"] else ")"
    )
    stop = (
        f"early stopping with patience {s['patience']} (best weights restored)"
        if n.early_stopping
        else f"{s['epochs']} fixed epochs"
    )
    inputs = "standardized" if s["scaling"] == "standardize" else "/ 255"
    val = "the first" if s.get("val_split") == "first" else "a stratified"
    text = (
        f"{s['activation']}, {opt}, batch {s['batch_size']}, {stop}, inputs {inputs}, "
        f"validation on {val} {s.get('val_fraction', 0.2):.0%} of the training rows"
    )
    text += "".join(f", {x}" for x in n.extras) + "."
    if s["refit"]:
        epochs = (
            f"each seed's best epoch count ({'/'.join(map(str, n.best_epoch))})"
            if n.early_stopping
            else f"{s['epochs']} epochs"
        )
        text += (
            " The curves and the best epoch come from the run with a validation part; the "
            "test numbers from the same spec trained again on every training row for "
            f"{epochs} ({refit_seconds:.0f} s more)."
        )
    accs = ", ".join(f"{a:.4f}" for a in n.test_acc)
    return (
        f"{text} Test accuracy per seed: {accs}. The run shown below, and in the summary, is "
        f"seed {n.representative_seed}, "
        + (
            "the median by validation accuracy"
            if len(n.seeds) % 2
            else "the one with the lower validation accuracy of the two"
            if len(n.seeds) == 2
            else "the lower of the middle two by validation accuracy"
        )
        + (" of the run before the retraining" if s["refit"] else "")
        + " (the test set chose nothing); the comparison tests every seed pair."
    )


def search_conclusion(s: SearchOutcome) -> str:
    """The search's result: the best trial, then that spec on the test set (or why not),
    and for a time-bounded search how to repeat it."""
    epochs = s.best_spec["epochs"]
    text = (
        f"The best trial, {s.best_trial} ({s.best_layers}), reached validation accuracy "
        f"{s.best_val_accuracy:.4f} at epoch {epochs}."
    )
    if s.test_accuracy is None:
        text += (
            " Its retraining on all training rows was skipped: the --timeout left too little "
            "time for it. Run the same command again without --timeout (the study is kept) "
            "to retrain and test it."
        )
    else:
        text += (
            f" Retrained on all training rows of the chosen classes for those {epochs} "
            f"epochs it scores {s.test_accuracy:.4f} on the test set."
        )
    timeout = s.settings.get("timeout")
    if timeout:
        done = s.trials.get("complete", 0) + s.trials.get("pruned", 0)
        stopped = (
            f"; {counted(s.stopped_at_deadline, 'trial')} stopped at the deadline"
            if s.stopped_at_deadline
            else ""
        )
        text += (
            f" The search was bounded by --timeout {timeout:g} s, so it is not repeatable "
            f"trial for trial: it holds {counted(done, 'finished trial')}{stopped}; "
            f"--trials {done} without --timeout repeats it."
        )
    return text
