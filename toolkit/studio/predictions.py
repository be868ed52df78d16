"""Predictions as annotators see them: which of a model's answers become suggestions, and
which model version the labeling UI pre-fills from.

Two facts of Label Studio 1.23 (read in its source, checked against the server by
tests/test_suggest_integration.py) shape this module:

- The labeling stream pre-fills a task only from the predictions whose
  ``model_version`` equals the project's ``model_version`` (and only while the project
  shows predictions, ``show_collab_predictions``, on by default). An import sets the
  project's version when it is empty; ``POST /api/predictions/`` never does. So after
  attaching a model's predictions the project is pointed at that version
  (:func:`show_model_version`): annotators see the latest model, and the older
  versions' predictions stay on their tasks, hidden from the UI and from the Data
  Manager's ``predictions_score`` (which also averages the project's version only).
- A question whose answers a suggestion would anchor (``suggest: false``, by default
  spans and free text: Kind.suggest_by_default) must not be pre-filled: its result
  items are left out of the prediction (:func:`suggested`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..schema import Schema
from .connection import Studio, raise_for_status

__all__ = ["Filtered", "show_model_version", "suggested"]


@dataclass
class Filtered:
    """What :func:`suggested` kept and left out."""

    predictions: dict[str, list[dict]]  # key -> predictions holding suggestible results only
    results_off: int = 0  # result items of questions with suggestions off
    results_unknown: int = 0  # result items naming no question of the schema
    emptied: list[str] = field(default_factory=list)  # keys left with no result at all
    off_questions: list[str] = field(default_factory=list)  # names, schema order


def suggested(schema: Schema, predictions: Mapping[str, list[dict]]) -> Filtered:
    """The predictions with only the result items of questions that suggest (see the
    module docstring); a prediction left with no item is dropped (its key in
    ``emptied`` when none of its predictions remains)."""
    on = {q.name for q in schema.questions if q.suggests}
    known = set(schema.question_names)
    out = Filtered({}, off_questions=[q.name for q in schema.questions if not q.suggests])
    for key, items in predictions.items():
        kept: list[dict] = []
        for prediction in items:
            results = []
            for item in prediction["result"]:
                name = item.get("from_name") if isinstance(item, dict) else None
                if name in on:
                    results.append(item)
                elif name in known:
                    out.results_off += 1
                else:
                    out.results_unknown += 1
            if results:
                kept.append({**prediction, "result": results})
        if kept:
            out.predictions[key] = kept
        else:
            out.emptied.append(key)
    return out


def show_model_version(studio: Studio, project_id: int, version: str) -> bool:
    """Point the project's ``model_version`` (what the labeling UI pre-fills from) at
    ``version``; True when it changed. The server refuses a version no prediction of
    the project carries, so call this after the predictions exist."""
    response = studio.http.get(f"/api/projects/{project_id}/")
    raise_for_status(response, studio.url)
    if response.json().get("model_version") == version:
        return False
    response = studio.http.patch(f"/api/projects/{project_id}/",
                                 json={"model_version": version})
    raise_for_status(response, studio.url)
    return True
