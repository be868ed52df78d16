"""Fitting one question's classifier: logistic regression on the TF-IDF rows, its
cross-validated (out-of-fold) probabilities, and their accuracy and macro-F1.

scikit-learn is imported inside the functions that fit (training only: a saved model
predicts with numpy, :mod:`toolkit.model.linear`). Everything is seeded
(``Params.random_state``) and takes its inputs in the order given, so the same
inputs give the same model, folds and figures.

- one label per item (single, yes/no, rating: the ratings are classes):
  multinomial logistic regression; folds stratified by label;
- a set of labels (multi choice): one yes/no regression per label (binary
  relevance); a label nobody (or everybody) chose gets a constant probability.

Out-of-fold probabilities: each item's probabilities come from the model fitted on
the folds it is not in, so no item's own label feeds its prediction (what the
CROWDLAB rule of issue 20 needs: :func:`out_of_fold`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .features import Rows
from .linear import BINARY, LABELS, SOFTMAX, LinearHead

__all__ = ["OutOfFold", "Params", "fit_head", "metrics", "out_of_fold"]

#: the probability a constant label decision (never or always chosen) is given
CONSTANT = 1e-3


@dataclass(frozen=True)
class Params:
    """Everything that decides the model besides the data (part of its version)."""

    ngram_range: tuple[int, int] = (2, 5)
    min_df: int = 2
    C: float = 4.0  # noqa: N815  (scikit-learn's name)
    max_iter: int = 1000
    # the solver's stopping tolerance: at 1e-4 (scikit-learn's default) a fit on 80,000
    # comments took 96 iterations (18 s), at 1e-3 7 (1.8 s), held-out accuracy 0.889 vs
    # 0.885 (bench/bench_budget.py's simulation)
    tol: float = 1e-3
    folds: int = 5
    min_per_class: int = 2
    random_state: int = 0

    def to_dict(self) -> dict:
        return {**asdict(self), "ngram_range": list(self.ngram_range),
                "features": "char_wb tf-idf (sublinear tf, l2) on the Arabic matching "
                            "normalization",
                "classifier": "logistic regression (lbfgs); multi choice: one per label"}


@dataclass
class OutOfFold:
    """Cross-validated probabilities: ``probabilities[i, j]`` is item i's probability of
    ``classes[j]`` (multi choice: of label j being chosen) from the model fitted on the
    other ``folds - 1`` folds."""

    classes: list[Any]
    probabilities: np.ndarray
    folds: int
    multi_label: bool = False
    keys: list[str] = field(default_factory=list)  # the items' corpus keys, when known
    #: probabilities of the ``others`` rows given to :func:`out_of_fold` (items without a
    #: training label): the mean of the fold models' (None when none were given)
    others: np.ndarray | None = None


def _regression(params: Params):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=params.C, tol=params.tol, max_iter=params.max_iter,
                              random_state=params.random_state)


def _fit_one_label(X, codes: np.ndarray, weights: np.ndarray, classes: Sequence[Any],
                   params: Params) -> LinearHead:
    model = _regression(params).fit(X, codes, sample_weight=weights)
    present = [classes[int(code)] for code in model.classes_]
    link = BINARY if len(present) == 2 else SOFTMAX
    return LinearHead(present, np.array(model.coef_, dtype=np.float64),
                      np.array(model.intercept_, dtype=np.float64), link)


def _fit_labels(X, chosen: np.ndarray, weights: np.ndarray, classes: Sequence[Any],
                params: Params) -> LinearHead:
    coef = np.zeros((len(classes), X.shape[1]))
    intercept = np.zeros(len(classes))
    for j in range(len(classes)):
        column = chosen[:, j]
        if column.min() == column.max():  # never (or always) chosen here: a constant
            rate = CONSTANT if column[0] == 0 else 1.0 - CONSTANT
            intercept[j] = np.log(rate / (1.0 - rate))
            continue
        model = _regression(params).fit(X, column, sample_weight=weights)
        coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
    return LinearHead(list(classes), coef, intercept, LABELS)


def one_blas_thread():
    """A context with BLAS on one thread. The solver's vector operations are small; on a
    machine with few cores shared with other work, BLAS threads spinning against each
    other made a fit 7x slower (measured: 3.6 s -> 0.5 s CPU on 2,400 texts here)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def fit_head(X, y: np.ndarray, weights: np.ndarray, classes: Sequence[Any], *,
             multi_label: bool, params: Params) -> LinearHead:
    """The classifier of one question. ``X``: TF-IDF rows (scipy CSR); ``y``: class
    indexes into ``classes`` (one label per item), or an items x labels 0/1 matrix
    (``multi_label``); ``weights``: one per item."""
    fit = _fit_labels if multi_label else _fit_one_label
    with one_blas_thread():
        return fit(X, y, weights, classes, params)


def _folds(y: np.ndarray, multi_label: bool, params: Params) -> tuple[int, list]:
    from sklearn.model_selection import KFold, StratifiedKFold

    if multi_label:
        k = min(params.folds, len(y))
        splitter: Any = KFold(n_splits=k, shuffle=True, random_state=params.random_state)
    else:
        counts = np.bincount(y)
        k = min(params.folds, int(counts[counts > 0].min()))
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=params.random_state)
    return k, list(splitter.split(np.zeros(len(y)), y if not multi_label else None))


def out_of_fold(X, y: np.ndarray, weights: np.ndarray, classes: Sequence[Any], *,
                multi_label: bool, params: Params = Params(),
                on_fold: Callable[[], None] | None = None, others: Any = None) -> OutOfFold:
    """Cross-validated probabilities of every item (see :class:`OutOfFold`); the folds:
    ``params.folds``, fewer when the rarest class has fewer items (stratified), or
    the items are fewer (multi choice). ``on_fold()`` after each fold. ``others``:
    TF-IDF rows of items that have no label to train on; each fold's model predicts
    them too and ``OutOfFold.others`` is their mean (no refit)."""
    k, splits = _folds(y, multi_label, params)
    probabilities = np.zeros((len(y), len(classes)))
    extra = None if others is None else np.zeros((others.shape[0], len(classes)))
    rows_of_others = None if others is None else _rows(others)
    for train, test in splits:
        head = fit_head(X[train], y[train], weights[train], classes, multi_label=multi_label,
                        params=params)
        fitted = head.probabilities(_rows(X[test]))
        columns = [list(classes).index(value) for value in head.classes]
        probabilities[np.ix_(test, columns)] = fitted
        if extra is not None and rows_of_others is not None and extra.shape[0]:
            extra[:, columns] += head.probabilities(rows_of_others) / k
        if on_fold:
            on_fold()
    return OutOfFold(list(classes), probabilities, k, multi_label, others=extra)


def _rows(X) -> Rows:
    X = X.tocsr()
    return Rows(X.indptr, X.indices, X.data, X.shape[1])


def metrics(y: np.ndarray, oof: OutOfFold) -> dict[str, float]:
    """Accuracy (multi choice: the whole set right), macro-F1 (over the classes, or the
    labels) of the out-of-fold predictions, and the accuracy of always answering the
    most common answer (``majority_baseline``), for comparison."""
    from sklearn.metrics import f1_score

    if oof.multi_label:
        predicted = (oof.probabilities >= 0.5).astype(np.int64)
        accuracy = float(np.mean(np.all(predicted == y, axis=1)))
        chosen = np.flatnonzero(y.any(axis=0))  # a label nobody chose has no F1
        macro = float(f1_score(y[:, chosen], predicted[:, chosen], average="macro",
                               zero_division=0)) if len(chosen) else 0.0
        _, counts = np.unique(y, axis=0, return_counts=True)
    else:
        predicted = oof.probabilities.argmax(axis=1)
        accuracy = float(np.mean(predicted == y))
        macro = float(f1_score(y, predicted, average="macro", labels=np.unique(y),
                               zero_division=0))
        counts = np.bincount(y)
    return {"accuracy": accuracy, "macro_f1": macro,
            "majority_baseline": float(counts.max() / len(y))}
