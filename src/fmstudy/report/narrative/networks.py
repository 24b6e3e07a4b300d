"""Task 5's and the search's sentences; the course's reference notebook's numbers, where
they apply, come from :mod:`.reference`.

The choices they word are in the records: the architecture chosen on validation
(``NetworkResult.chosen``), each one's seed statistics and representative rule, the
overfitting verdict, the search's space (``SearchOutcome.space``)."""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import ngettext, num, sig
from fmstudy.report.narrative.models import listed
from fmstudy.report.narrative.net_overfitting import overfitting_sentence, seeds_counted
from fmstudy.report.narrative.reference import notebook_applies, notebook_reference
from fmstudy.results import (
    NetworkResult,
    SearchOutcome,
    choose_on_validation,
    representative_rule,
)
from fmstudy.study.config import StudyConfig


def networks_intro(config: StudyConfig, nets: dict[str, NetworkResult]) -> str:
    """What task 5 trained and how it is read: the profile (or the run's own specs) decides,
    and the report says which; a first-rows validation part made after its check
    (fmstudy.nets.inputs.first_split_fault) passed says it was checked."""
    first = next(iter(nets.values()))
    seeds = first.seeds
    if config.networks_chosen_by == "options":
        text = ngettext(
            "This run trains {n} architecture", "This run trains {n} architectures", len(nets)
        ).format(n=len(nets))
    else:
        text = ngettext(
            "Profile {profile} trains {n} architecture",
            "Profile {profile} trains {n} architectures",
            len(nets),
        ).format(profile=config.profile, n=len(nets))
    each = _("with {seeds} each") if len(nets) > 1 else _("with {seeds}")
    text += " " + each.format(seeds=seeds_counted(len(seeds))) + f" ({listed(map(str, seeds))}); "
    if len(seeds) > 1:
        text += _("accuracies are mean ± sd over the seeds.")
    else:
        text += _("one seed gives no spread, so every sd reads 0.")
    first_rows = split_made(first) == "first"
    if len(nets) > 1 and first_rows:
        text += " " + _(
            "Validation for {name} is the first 20 % of the training rows, as in the course's "
            "reference notebook; each spec below says its own."
        ).format(name=first.name)
    elif len(nets) > 1:
        text += " " + _(
            "Validation for {name} is a stratified 20 % of the training rows; each spec below "
            "says its own."
        ).format(name=first.name)
    elif first_rows:
        text += " " + _(
            "Validation is the first 20 % of the training rows, as in the course's reference "
            "notebook."
        )
    else:
        text += " " + _("Validation is a stratified 20 % of the training rows.")
    if first_rows and first.val_split_used == "first":  # made so after the check passed
        text += " " + _(
            "The training rows are not ordered by class, and the first {share} and the rest "
            "each hold every class (checked), so validation covers every class."
        ).format(share=f"{num(100 * first.spec.get('val_fraction', 0.2), 0)} %")
    changed = split_changed(nets)
    text += f" {changed}" if changed else ""
    return text + " " + _("The test set is touched only for the final numbers.")


def split_made(n: NetworkResult) -> str:
    """The validation split an architecture's seeds were trained with (for a record
    written before that was kept, its spec's)."""
    return n.val_split_used or n.spec.get("val_split", "stratified")


def split_changed(nets: dict[str, NetworkResult]) -> str:
    """One sentence naming the architectures whose spec's "first" split was made
    stratified, and why (the rows came ordered by class, or the first rows lacked a
    class); "" when none was."""
    changed = {name: n for name, n in nets.items() if n.val_split_reason}
    if not changed:
        return ""
    n = next(iter(changed.values()))
    if n.val_split_reason == "ordered":
        text = ngettext(
            "The training rows come ordered by class, so {names} validates on a stratified "
            "{share} of them (the same share of every class) instead of the first {share} its "
            "spec asks for, which would hold only some of the classes.",
            "The training rows come ordered by class, so {names} validate on a stratified "
            "{share} of them (the same share of every class) instead of the first {share} their "
            "specs ask for, which would hold only some of the classes.",
            len(changed),
        )
    else:
        text = ngettext(
            "The first {share} of the training rows leave a class out of the validation part "
            "or of the rest, so {names} validates on a stratified {share} of them (the same "
            "share of every class) instead of the first {share} its spec asks for.",
            "The first {share} of the training rows leave a class out of the validation part "
            "or of the rest, so {names} validate on a stratified {share} of them (the same "
            "share of every class) instead of the first {share} their specs ask for.",
            len(changed),
        )
    share = f"{num(100 * n.spec.get('val_fraction', 0.2), 0)} %"
    return text.format(names=listed(changed), share=share)


def network_conclusion(nets: dict[str, NetworkResult], task1: dict) -> list[str]:
    """Task 5's conclusion, from the records: the architecture chosen on validation (when
    there was a choice), the notebook's runs (only on its own data), overfitting.  Records
    not yet compared (a notebook's, each summarised alone) are compared first, by the
    study's own rule (fmstudy.results.choose_on_validation)."""
    if not nets:
        return []
    if any(n.chosen is None for n in nets.values()):
        nets = choose_on_validation(nets)
    lines = []
    pick = next((name for name, n in nets.items() if n.chosen), None)
    if pick is not None:
        p = nets[pick]
        line = _(
            "Chosen on validation accuracy alone: {name} ({layers}), validation {val} ± "
            "{val_sd}, test {test} ± {test_sd} over {seeds}."
        ).format(
            name=pick,
            layers=p.layers,
            val=num(p.val_acc_mean),
            val_sd=num(p.val_acc_sd),
            test=num(p.test_acc_mean),
            test_sd=num(p.test_acc_sd),
            seeds=seeds_counted(len(p.seeds)),
        )
        if p.unlike_validation:
            line += " " + _(
                "The architectures validate on different parts of the training rows, so this "
                "choice compares unlike validation sets."
            )
        lines.append(line)
    if notebook_applies(task1):
        lines.append(notebook_reference())
    for name, n in nets.items():
        lines.append(overfitting_sentence(name, n))
    return lines


def extras(s: dict) -> list[str]:
    """A spec's training choices beyond layers and optimizer, in words."""
    out = []
    if s.get("schedule") == "onecycle":
        out.append(_("one-cycle learning rate"))
    if s.get("hflip"):
        out.append(_("horizontal flips"))
    if s.get("shift"):
        out.append(_("random shifts of up to {px} px").format(px=s["shift"]))
    if s.get("mixup"):
        out.append(_("mixup (alpha {alpha})").format(alpha=num(s["mixup"], 2)))
    if s.get("tta"):
        out.append(_("predictions averaged over image and mirror"))
    if s.get("refit"):
        out.append(_("tested network retrained on every training row"))
    return out


def network_description(n: NetworkResult, refit_seconds: float, compared: bool = False) -> str:
    """How one architecture was trained and which seed the report below shows; with
    ``compared`` (the report has a comparison) that the comparison's verdicts are about it."""
    s = n.spec
    if s["weight_decay"]:
        opt = _("{optimizer} (lr {lr}, weight decay {wd})")
    else:
        opt = _("{optimizer} (lr {lr})")
    opt = opt.format(optimizer=s["optimizer"], lr=sig(s["lr"]), wd=sig(s["weight_decay"]))
    if n.early_stopping:
        stop = _("early stopping with patience {patience} (best weights restored)")
    else:
        stop = ngettext("{epochs} fixed epoch", "{epochs} fixed epochs", s["epochs"])
    stop = stop.format(patience=s["patience"], epochs=s["epochs"])
    inputs = _("standardized") if s["scaling"] == "standardize" else "/ 255"
    if split_made(n) == "first":
        val = _("validation on the first {share} of the training rows")
    else:
        val = _("validation on a stratified {share} of the training rows")
    val = val.format(share=f"{num(100 * s.get('val_fraction', 0.2), 0)} %")
    text = _("{activation}, {optimizer}, batch {batch}, {stop}, inputs {inputs}, {val}").format(
        activation=s["activation"],
        optimizer=opt,
        batch=s["batch_size"],
        stop=stop,
        inputs=inputs,
        val=val,
    )
    if n.precision == "bfloat16":
        more = [_("forward passes in bfloat16 (weights in float32)")]
    else:
        more = []
    text += "".join(f", {x}" for x in extras(s) + more) + "."
    if s["refit"]:
        if n.early_stopping:
            epochs = _("each seed's best epoch count ({counts})").format(
                counts="/".join(map(str, n.best_epoch))
            )
        else:
            epochs = ngettext("{epochs} epoch", "{epochs} epochs", s["epochs"]).format(
                epochs=s["epochs"]
            )
        text += " " + _(
            "The curves and the best epoch come from the run with a validation part; the test "
            "numbers from the same spec trained again on every training row for {epochs} "
            "({seconds} s more)."
        ).format(epochs=epochs, seconds=num(refit_seconds, 0))
    rule = n.representative_rule or representative_rule(len(n.seeds))  # made by hand: as then
    how = {
        "only": _("its only seed"),
        "median": _("the seed with the median validation accuracy"),
        "lower of two": _("the seed with the median validation accuracy; of two, the lower"),
        "lower median": _(
            "the seed with the median validation accuracy; of an even number, the lower of the "
            "middle two"
        ),
    }[rule]
    if s["refit"]:
        how = _("{how} of the run before the retraining").format(how=how)
    text += " " + _(
        "Test accuracy per seed: {accs}. The run shown below, and in the summary, is seed "
        "{seed}: {how}, so the test set chose nothing."
    ).format(accs=listed(num(a) for a in n.test_acc), seed=n.representative_seed, how=how)
    if compared:
        text += " " + _("The comparison's verdicts are about this run.")
    return text


def search_conclusion(s: SearchOutcome) -> str:
    """The search's result: the best trial, then that spec on the test set (or why not),
    and for a time-bounded search how to repeat it."""
    epochs = s.best_spec["epochs"]
    found = {"trial": s.best_trial, "layers": s.best_layers, "val": num(s.best_val_accuracy)}
    if s.best_trial_state == "unfinished":
        text = _(
            "No trial was complete when the search stopped, so this is the best validation "
            "accuracy seen so far: trial {trial} ({layers}; unfinished trial, best epoch "
            "{epochs}) reached {val}."
        ).format(**found, epochs=epochs)
    elif s.best_trial_state == "pruned":
        text = _(
            "No trial was complete when the search stopped, so this is the best validation "
            "accuracy seen so far: trial {trial} ({layers}; pruned trial, best epoch {epochs}) "
            "reached {val}."
        ).format(**found, epochs=epochs)
    else:
        text = _(
            "The best trial, {trial} ({layers}), reached validation accuracy {val} at epoch "
            "{epochs}."
        ).format(**found, epochs=epochs)
    if s.test_accuracy is None:
        text += " " + _(
            "Its retraining on all training rows was skipped: the --timeout left too little "
            "time for it. Run the same command again without --timeout (the study is kept) to "
            "retrain and test it."
        )
    else:
        text += " " + ngettext(
            "Retrained on all training rows of the chosen classes for that {epochs} epoch it "
            "scores {acc} on the test set.",
            "Retrained on all training rows of the chosen classes for those {epochs} epochs it "
            "scores {acc} on the test set.",
            epochs,
        ).format(epochs=epochs, acc=num(s.test_accuracy))
    timeout = s.settings.get("timeout")
    done = s.trials.get("complete", 0) + s.trials.get("pruned", 0)
    if timeout and not done:
        text += " " + _(
            "The search was bounded by --timeout {timeout} s, in which no trial finished; a "
            "longer --timeout, or none, lets trials complete (the study is kept)."
        ).format(timeout=sig(timeout, 6))
    elif timeout:
        held = ngettext("{n} finished trial", "{n} finished trials", done).format(n=done)
        if s.stopped_at_deadline:
            held += "; " + ngettext(
                "{n} trial stopped at the deadline",
                "{n} trials stopped at the deadline",
                s.stopped_at_deadline,
            ).format(n=s.stopped_at_deadline)
        text += " " + _(
            "The search was bounded by --timeout {timeout} s, so it is not repeatable trial "
            "for trial: it holds {held}; --trials {done} without --timeout repeats it."
        ).format(timeout=sig(timeout, 6), held=held, done=done)
    return text


def search_intro(s: SearchOutcome) -> str:
    """What the search ran: trials, storage, budget, sampler, pruner, the space it drew
    from (its record's), and how the test set is kept out of it."""
    t = s.trials
    text = (
        ngettext("{n} complete trial", "{n} complete trials", t.get("complete", 0)).format(
            n=t.get("complete", 0)
        )
        + " "
        + ngettext(
            "and {n} pruned trial in study {name} ({storage}),",
            "and {n} pruned trials in study {name} ({storage}),",
            t.get("pruned", 0),
        ).format(n=t.get("pruned", 0), name=s.study_name, storage=s.storage)
        + " "
        + ngettext(
            "at most {epochs} epoch each, a seeded TPE sampler and the {pruner} pruner fed the "
            "validation accuracy after every epoch.",
            "at most {epochs} epochs each, a seeded TPE sampler and the {pruner} pruner fed the "
            "validation accuracy after every epoch.",
            s.settings["max_epochs"],
        ).format(epochs=s.settings["max_epochs"], pruner=s.settings["pruner"])
    )
    if t.get("fail"):
        text += " " + ngettext(
            "{n} trial was interrupted.", "{n} trials were interrupted.", t["fail"]
        ).format(n=t["fail"])
    return text + " " + space_text(s.space) if s.space else text


def space_text(space: dict) -> str:
    """The search space (fmstudy.search.run.SPACE as its record holds it) in words."""
    conv = ""
    if "conv_blocks" in space:
        conv = _("{low}-{high} convolution blocks, ").format(**space["conv_blocks"])
    return _(
        "The space: {conv}{d0}-{d1} dense layers of {w0}-{w1} units (log-uniform) with dropout "
        "{p0}-{p1} each, SGD with momentum, Adam or AdamW, learning rate {lr0} to {lr1} and "
        "weight decay {wd0} to {wd1} (log-uniform), batch {b0}-{b1}, standardized or /255 "
        "inputs, horizontal flips or not. Trials are ranked on a stratified 20 % validation "
        "part of the training rows; the test set is used once, for the best spec."
    ).format(
        conv=conv,
        d0=space["depth"]["low"],
        d1=space["depth"]["high"],
        w0=space["width"]["low"],
        w1=space["width"]["high"],
        p0=sig(space["dropout"]["low"]),
        p1=sig(space["dropout"]["high"]),
        lr0=sig(space["lr"]["low"]),
        lr1=sig(space["lr"]["high"]),
        wd0=sig(space["weight_decay"]["low"]),
        wd1=sig(space["weight_decay"]["high"]),
        b0=min(space["batch_size"]["choices"]),
        b1=max(space["batch_size"]["choices"]),
    )


def search_files_note() -> str:
    """Where the search's outputs are and how to use them."""
    return _(
        "Every trial is in search_trials.csv. The best spec is best-spec.json, ready for "
        "'fmstudy nn --arch best-spec.json' (which trains it with a validation part); the "
        "network retrained on all training rows is in models/search-best/ ('fmstudy evaluate "
        "models/search-best')."
    )
