"""Which unit is worth a human minute next: the model's uncertainty.

    from toolkit.model.priority import uncertainty, most_uncertain_first
    scores = uncertainty(probabilities)          # items x classes -> one score per item
    order = most_uncertain_first(scores)         # item indexes, the least sure first

Margin sampling: an item's uncertainty is 1 minus the margin between its two most
probable labels (1: a coin toss between two labels, 0: the model is sure). For a
multi-choice question (``multi_label=True``: each column is one label's own
probability) the margin of a label is |p - (1 - p)| and the item's margin is its
weakest label decision. bench/bench_budget.py measures what ordering by it saves.
"""

from __future__ import annotations

import numpy as np

__all__ = ["most_uncertain_first", "uncertainty"]


def uncertainty(probabilities: np.ndarray, *, multi_label: bool = False) -> np.ndarray:
    """One score in [0, 1] per row of ``probabilities`` (items x classes, each row
    summing to 1; with ``multi_label``, items x labels, each a yes/no probability):
    1 - (top probability - second), or 1 - the weakest label's |2p - 1|."""
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"probabilities must be items x classes, got shape {p.shape}")
    if p.shape[0] == 0:
        return np.zeros(0)
    if multi_label:
        return 1.0 - np.abs(2.0 * p - 1.0).min(axis=1)
    if p.shape[1] < 2:
        raise ValueError("probabilities need at least two classes (columns)")
    top_two = -np.partition(-p, 1, axis=1)[:, :2]
    return 1.0 - (top_two[:, 0] - top_two[:, 1])


def most_uncertain_first(scores: np.ndarray) -> np.ndarray:
    """Item indexes by decreasing uncertainty; equal scores keep their input order
    (deterministic)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
