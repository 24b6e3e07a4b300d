"""The report's terms: each defined under the section that first uses it, and listed in a
glossary at the end; a term the report does not use is neither.

    texts = [("", head_text), ("summary", text), ("task1", text), ...]   # in report order
    g = glossary(texts, user_words(ctx))
    g["by_anchor"]["summary"]      # [(name, definition), ...] first used in the summary
    g["entries"]                   # [(name, definition), ...] every term used, by name

A term is found by the word starts its ``forms`` message gives in the report's language
(``|`` between them; one that starts with ``#`` only right after a number, so "# point"
finds "2.3 points" but not a scatter's points), by a language-free pattern (the layer
notation, a bare p), or by either.  Text that
comes from the user (class names, the data set, network names) is masked first, so a
class called "AUC" is not the term AUC.  Text before the first section (the title and
the banner) counts as the first section's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from fmstudy import escape
from fmstudy.i18n import N_
from fmstudy.i18n import gettext as _

# One layer token of fmstudy.nets.spec's grammar, and two or more joined by dashes.
_TOKEN = r"(?:c?\d+(?::d\d*\.?\d+)?|p)"
LAYERS = rf"(?<![\w.,:-]){_TOKEN}(?:-{_TOKEN})+(?![\w.,:-])"


@dataclass(frozen=True)
class Term:
    """A term: its name and short definition (messages), and how the text writes it:
    ``forms`` (a message of ``|``-separated word starts; empty: the name, unless there is
    a ``pattern``) and ``pattern`` (a regular expression, the same in every language).
    ``hyphened`` false: a form joined to a word before it by a hyphen is another term's
    ("cross-validation" is not "validation")."""

    key: str
    name: str
    definition: str
    forms: str = ""
    pattern: str = ""
    hyphened: bool = True

    def regex(self) -> re.Pattern:
        """The term as it is written in the current language."""
        found = [f"(?-i:{self.pattern})"] if self.pattern else []
        if self.forms or not self.pattern:
            before = r"(?<!\w)" if self.hyphened else r"(?<!\w)(?<!\w-)"
            starts = [w.strip() for w in _(self.forms or self.name).split("|") if w.strip()]
            for w in sorted(starts, key=len, reverse=True):
                after_number = w.startswith("#")
                word = re.escape(w.lstrip("#").strip())
                found.append(
                    rf"(?<=\d)\s?{word}(?!\d)" if after_number else rf"{before}{word}(?!\d)"
                )
        return re.compile("|".join(found), re.IGNORECASE)


TERMS = (
    Term(
        "layers",
        N_("layer notation (e.g. c16-p-c32-p-64)"),
        N_(
            "a network's hidden layers from input to output, separated by dashes: cN is a "
            "3×3 convolution with N filters (with batch normalisation and the activation), "
            "p a 2×2 max pooling that halves the image's width and height, a bare number N "
            "a dense layer of N units, and :dX after a layer a dropout of X; the output "
            "layer, one unit per class, is not written"
        ),
        pattern=LAYERS,
    ),
    Term(
        "stratified",
        N_("stratified"),
        N_("drawn so that every class keeps its share of the rows"),
        N_("stratified|stratifying"),
    ),
    Term(
        "bootstrap",
        N_("bootstrap"),
        N_(
            "drawing as many rows as there are, with replacement (some twice, some not at "
            "all); repeated many times it shows how much a number depends on which rows "
            "happened to be drawn"
        ),
    ),
    Term(
        "seed",
        N_("seed (random seed)"),
        N_("the start value of the random number generator; the same seed gives the same run"),
        N_("seed|random seed"),
    ),
    Term(
        "epoch",
        N_("epoch"),
        N_("one pass of a network's training through all of its training rows"),
        N_("epoch|epochs"),
    ),
    Term(
        "validation",
        N_("validation (validation part, validation accuracy)"),
        N_(
            "a share of a network's training rows held back from its training; the "
            "validation accuracy and loss, measured on it after each epoch, show how the "
            "network does on images it did not learn from, without the test set"
        ),
        N_("validation|validated"),
        hyphened=False,
    ),
    Term(
        "points",
        N_("percentage points (points)"),
        N_(
            "a difference between two shares in units of 1 %: from 0.90 to 0.92 is 2 "
            "points (a relative change of 2.2 %)"
        ),
        N_("percentage point|# point|(point"),
    ),
    Term(
        "wilson",
        N_("Wilson score interval"),
        N_(
            "an interval for a proportion (here the share of the test images a model gets "
            "right) from the score test; unlike the estimate ± 1.96 standard errors it "
            "stays between 0 and 1 and holds near them"
        ),
        N_("Wilson"),
    ),
    Term(
        "precision",
        N_("precision"),
        N_("of the images predicted as a class, the share that truly are that class"),
    ),
    Term("recall", N_("recall"), N_("of the images of a class, the share predicted as it")),
    Term(
        "f1",
        N_("F1, macro F1"),
        N_(
            "F1 is the harmonic mean of precision and recall; macro F1 is the plain mean "
            "of the classes' F1, each class counting the same"
        ),
        N_("F1"),
    ),
    Term(
        "sha256",
        N_("SHA-256"),
        N_(
            "a fingerprint of a file's bytes: any change to the file changes it, so a match "
            "shows the file is the expected one"
        ),
    ),
    Term(
        "covariance",
        N_("covariance matrix"),
        N_(
            "the table of how every pair of pixels varies together; its diagonal holds each "
            "pixel's variance"
        ),
    ),
    Term(
        "eigen",
        N_("eigenvector, eigenvalue"),
        N_(
            "an eigenvector of a matrix is a direction the matrix only stretches; its "
            "eigenvalue is how much (for the covariance matrix: the variance along it)"
        ),
        N_("eigenvector|eigenvalue|eigen-decomposition"),
    ),
    Term(
        "orthogonal",
        N_("orthogonal"),
        N_("at right angles to each other: their dot product is 0"),
    ),
    Term(
        "pooled",
        N_("pooled standard deviation"),
        N_(
            "two classes' standard deviations combined, the root of the mean of their "
            "variances; a yardstick for how far apart their means are"
        ),
        N_("pooled standard deviation|pooled spread"),
    ),
    Term(
        "oob",
        N_("out-of-bag"),
        N_(
            "each tree of a forest is grown on a bootstrap sample of the training rows; a "
            "row's out-of-bag prediction uses only the trees that did not see it, which "
            "estimates the accuracy on new images without the test set"
        ),
    ),
    Term(
        "lbfgs",
        N_("L-BFGS"),
        N_(
            "the optimisation method (solver) that fits the logistic regression; it stops "
            "when the fit no longer improves (converged) or at its limit of iterations"
        ),
    ),
    Term(
        "skops",
        N_("skops"),
        N_(
            "a file format for scikit-learn models that loads without running code from "
            "the file, unlike Python's pickle"
        ),
    ),
    Term(
        "ovr",
        N_("one-vs-rest"),
        N_("one class against all the others together, for each class in turn"),
    ),
    Term(
        "logloss",
        N_("log-loss"),
        N_(
            "the mean over the images of −log(the probability the model gave the true "
            "class); lower is better, and a confident wrong answer costs much"
        ),
    ),
    Term(
        "auc",
        N_("ROC AUC"),
        N_(
            "the area under the ROC curve (true against false positive rate): the chance "
            "that an image of a class gets a higher probability for that class than an "
            "image of another class; 0.5 is chance, 1 perfect"
        ),
        N_("ROC|AUC"),
    ),
    Term(
        "calibration",
        N_("calibration, ECE"),
        N_(
            "a model is calibrated when its confidence (its highest probability) matches "
            "how often it is right; the expected calibration error (ECE) is the mean gap "
            "between the two over ten confidence bins, weighted by their images"
        ),
        N_("calibration|ECE"),
    ),
    Term(
        "reliability",
        N_("reliability diagram"),
        N_(
            "accuracy against confidence, bin by bin; a calibrated model's points lie on "
            "the diagonal"
        ),
    ),
    Term(
        "softmax",
        N_("softmax"),
        N_("turns a network's output scores into probabilities that sum to 1"),
    ),
    Term(
        "onecycle",
        N_("one-cycle"),
        N_(
            "a learning-rate schedule that raises the learning rate over the first part of "
            "training and then lowers it to almost zero"
        ),
    ),
    Term(
        "bfloat16",
        N_("bfloat16"),
        N_(
            "a 16-bit number format with float32's range but only about 3 significant "
            "digits; a network's layers computed in it while the weights are kept and "
            "updated in float32 (mixed precision) run about twice as fast on processors "
            "that compute it natively"
        ),
    ),
    Term(
        "mcnemar",
        N_("McNemar's test"),
        N_(
            "tests whether two models differ in accuracy on the same test images, from the "
            "images exactly one of them gets right"
        ),
        N_("McNemar"),
    ),
    Term(
        "holm",
        N_("Holm's correction"),
        N_(
            "raises the p-values when many pairs are tested, so that the chance of calling "
            "any truly equal pair different stays at the stated level"
        ),
        N_("Holm"),
    ),
    Term(
        "pvalue",
        N_("p-value (p, Holm p)"),
        N_(
            "the chance of a difference at least as large as the one seen if the two "
            "models were truly equally accurate; below 0.05 the difference is called real. "
            "Holm p is the p-value after Holm's correction"
        ),
        N_("p-value"),
        pattern=r"(?<![\w-])p(?![\w-])",
    ),
    Term(
        "paired",
        N_("paired bootstrap interval"),
        N_(
            "an interval for the difference between two models' accuracies: the test "
            "images are drawn again by bootstrap, both models scored on the same draw, "
            "many times; the 95 % interval runs from the 2.5th to the 97.5th percentile "
            "of the differences"
        ),
        N_("paired bootstrap"),
    ),
    Term(
        "overfitting",
        N_("overfitting"),
        N_(
            "fitting the rows a model learns from better than new images bear out: for a "
            "network, its validation loss rising after its lowest point as the epochs go "
            "on; for a classical model, its accuracy on the rows it learnt from clearly "
            "above its held-out accuracy on the learning curve"
        ),
        N_("overfit"),
    ),
    Term(
        "crossval",
        N_("cross-validation"),
        N_(
            "the training rows split into k parts (folds); each part in turn is held out "
            "and scored by a model trained on the others"
        ),
        N_("cross-valid"),
    ),
)


def _masked(text: str, user: Iterable[str]) -> str:
    """``text`` with every whole-word occurrence of the user's strings (as written and
    as Markdown escapes them) blanked out."""
    for word in sorted({u.strip() for u in user if u and u.strip()}, key=len, reverse=True):
        for form in {word, escape.markdown(word)}:
            text = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return text


def first_uses(texts: list[tuple[str, str]], user: Iterable[str] = ()) -> dict[str, list[Term]]:
    """Section anchor -> the terms first used in it, in the registry's order; ``texts`` are
    (anchor, text) in report order, the anchor "" before the first section."""
    user = list(user)
    anchors = [a for a, _text in texts if a]
    found: dict[str, list[Term]] = {}
    seen: set[str] = set()
    for anchor, text in texts:
        plain = _masked(text, user)
        for term in TERMS:
            if term.key not in seen and term.regex().search(plain):
                seen.add(term.key)
                found.setdefault(anchor or (anchors[0] if anchors else ""), []).append(term)
    return found


def glossary(texts: list[tuple[str, str]], user: Iterable[str] = ()) -> dict:
    """The terms of a report in the current language: ``by_anchor`` (anchor -> (name,
    definition) of the terms first used there) and ``entries`` (every term used, by name)."""
    found = first_uses(texts, user)
    by_anchor = {a: [(_(t.name), _(t.definition)) for t in ts] for a, ts in found.items()}
    entries = sorted((e for es in by_anchor.values() for e in es), key=lambda e: e[0].lower())
    return {"by_anchor": by_anchor, "entries": entries}


def user_words(ctx: dict) -> list[str]:
    """The report's words that come from the user, not from fmstudy: class names, the data
    set's name and the networks' names."""
    words = [str(n) for n in ctx.get("names", {}).values()]
    words.append(str(ctx.get("t1", {}).get("dataset", "")))
    words += [str(net["name"]) for net in ctx.get("networks") or []]
    return words
