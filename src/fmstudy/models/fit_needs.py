"""What a classical model needs of the rows it is fitted on, said in words.

    fit_problem(spec, y, names)       # None, or why the model cannot be fitted on y
    sample_problem(y, n, names)       # None, or why y has no stratified sample of n rows

Most kinds need two classes; beyond that each kind's record says what it needs
(``needs``: k-NN k rows, the SVC as many rows of each class as its calibration folds,
boosting a stratified share to stop on, which :func:`split_problem` checks).  ``names``
maps class numbers to names (a number without one is shown as is).
"""

from __future__ import annotations

import numpy as np


def row_count(n: int) -> str:
    """``n`` rows in words: 1 row, 2 rows."""
    return f"{n} row" if n == 1 else f"{n} rows"


def fewest(y, names: dict) -> tuple[str, int]:
    """The smallest class among ``y``: its name and its row count."""
    values, counts = np.unique(np.asarray(y), return_counts=True)
    i = int(counts.argmin())
    return str(names.get(int(values[i]), values[i])), int(counts[i])


def split_problem(y, n_out: int, names: dict) -> str | None:
    """Why ``y`` cannot be split, stratified, into ``n_out`` rows and the rest (scikit-learn's
    train_test_split: two rows of each class, a row of each class on either side)."""
    k = len(np.unique(y))
    name, count = fewest(y, names)
    if count < 2:
        return f"class {name!r} has 1 of them, and a stratified split needs 2 per class"
    if min(n_out, len(y) - n_out) < k:
        return (
            f"a stratified split into {n_out} and {len(y) - n_out} needs {k} (one per class) "
            "on each side"
        )
    return None


def sample_problem(y, n: int | None, names: dict) -> str | None:
    """Why the training rows ``y`` have no stratified sample of ``n`` (a model's
    ``max_train_rows``; None or not smaller than ``y``: all rows, no sample)."""
    if n is None or n >= len(y):
        return None
    problem = split_problem(y, n, names)
    return f"its stratified sample of {n} of them: {problem}" if problem else None


def fit_problem(spec, y, names: dict) -> str | None:
    """Why ``spec``'s model (a classical.ModelSpec) cannot be fitted on rows labelled ``y``
    (words to follow "N rows:"); None when it can."""
    record = spec.record
    if record.two_classes and len(np.unique(y)) < 2:
        name, _ = fewest(y, names)
        return f"all are of class {name!r}, and it needs two classes"
    return record.needs(spec.params, y, names)
