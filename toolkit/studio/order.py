"""Which units annotators get first: the priority order of the units not yet pushed.

Label Studio Community's stream ("Sequential sampling") serves the tasks nobody has
finished by task id, and ids follow import order; a Data Manager tab's ordering is
ignored by "Label All Tasks" (GUIDE, Label Studio facts). So the order that reaches
annotators is the order push imports in, slice by slice: :func:`priority_order`
decides it, and is the one place to change when a better score arrives (the baseline
model's uncertainty; an ActiveLab-style score).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["priority_order", "uncertainty_scores"]


def uncertainty_scores(predictions: Mapping[str, list[dict]]) -> dict[str, float]:
    """key -> the model's confidence in its suggestion: the lowest ``score`` among the
    key's predictions that carry one (keys without a scored prediction are left out)."""
    scores: dict[str, float] = {}
    for key, items in predictions.items():
        given = [float(p["score"]) for p in items if p.get("score") is not None]
        if given:
            scores[key] = min(given)
    return scores


def priority_order(keys: Sequence[str], scores: Mapping[str, float]) -> list[str]:
    """``keys`` (in corpus order) in the order to import them: the least confident
    prediction first (lowest ``score``; ties in corpus order), then the units without a
    prediction, in corpus order. Deterministic for the same inputs."""
    position = {key: i for i, key in enumerate(keys)}
    scored = sorted((k for k in keys if k in scores), key=lambda k: (scores[k], position[k]))
    return scored + [k for k in keys if k not in scores]
