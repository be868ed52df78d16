"""A fitted linear classifier as plain arrays, applied with numpy.

scikit-learn's ``LogisticRegression`` is fitted in :mod:`toolkit.model.classifier`;
what is kept of it is its coefficients and intercepts, so a saved model is arrays
in an ``.npz`` file (read with ``allow_pickle=False``) and predicting needs no
scikit-learn. The probabilities are scikit-learn's ``predict_proba``:

- ``softmax``: one row of coefficients per class (multinomial, three classes or more);
- ``binary``: one row for the second class, p = sigmoid(score), the first gets 1 - p;
- ``labels``: one row per label of a multi-choice question, each its own yes/no
  decision (binary relevance): p(label chosen) = sigmoid(score).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .features import Rows

__all__ = ["BINARY", "LABELS", "SOFTMAX", "LinearHead"]

SOFTMAX, BINARY, LABELS = "softmax", "binary", "labels"


def sigmoid(scores: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-scores))


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass
class LinearHead:
    """One question's classifier: ``classes`` (answer values, the columns of
    :meth:`probabilities`), ``coef`` (rows x features), ``intercept`` (rows), ``link``."""

    classes: list[Any]
    coef: np.ndarray
    intercept: np.ndarray
    link: str

    def scores(self, rows: Rows) -> np.ndarray:
        """rows x coefficient rows: the linear scores (intercept added)."""
        entry_row = rows.row_of_entries()
        out = np.empty((rows.n_rows, len(self.coef)))
        for index, weights in enumerate(self.coef):
            out[:, index] = np.bincount(entry_row, weights=rows.data * weights[rows.indices],
                                        minlength=rows.n_rows)
        return out + self.intercept

    def probabilities(self, rows: Rows) -> np.ndarray:
        """rows x classes: the probability of each class (``labels``: of each label
        being chosen, independently)."""
        scores = self.scores(rows)
        if self.link == SOFTMAX:
            return softmax(scores)
        if self.link == BINARY:
            second = sigmoid(scores[:, 0])
            return np.column_stack([1.0 - second, second])
        return sigmoid(scores)
