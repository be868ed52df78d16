"""The model's part of the loop: train the baseline model on the newest snapshot, keep
its figures in the model history, predict the units not decided yet, and put the
predictions before annotators as suggestions (`corpus sync`; `corpus model train`
saves through :func:`save_model` too).

Each step that has nothing to do is skipped with one line saying why (``skipped``):
a schema with no closed question, too few decided labels to learn from, nothing left
to predict, no server to attach to. The model history (``models/history.jsonl``: one
line per trained model: when, how many items, each question's cross-validated
accuracy) is what the HTML report draws the learning curve from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..model import PredictResult, Trained, predict_file, train_model
from ..model.data import modelled_questions
from ..model.saved import HISTORY_FILE
from ..paths import replacing, schema_exports
from ..provenance import Status
from ..review import ReviewResult
from ..schema import Schema
from ..studio.connection import Studio
from .next_up import SuggestRun, suggest

__all__ = ["ModelRun", "learn", "learn_and_suggest", "predictions_file", "save_model",
           "suggest_next"]

Say = Callable[[str], None]


@dataclass
class ModelRun:
    """What the model's steps did; ``skipped``: one line per step that had nothing to do."""

    trained: Trained | None = None
    saved: Path | None = None
    predicted: PredictResult | None = None
    suggested: SuggestRun | None = None
    skipped: list[str] = field(default_factory=list)
    #: corpus keys the snapshot decides (from the review ``learn`` was given): not predicted
    decided: set[str] | None = None


def predictions_file(schema: Schema, exports: str | Path | None = None) -> Path:
    """``exports/<schema>/predictions.jsonl`` (``exports``: another folder for the
    schema's outputs): the newest model's predictions, which `corpus sync --slice` orders
    the next slice by."""
    return (Path(exports) if exports is not None else schema_exports(schema.name)) \
        / "predictions.jsonl"


def save_model(trained: Trained, models: str | Path | None = None) -> Path:
    """Save the trained model (``<models>/<version>/``, named latest) and add its figures
    to the model history; returns its folder."""
    assert trained.model is not None, "nothing to save: no question could be trained"
    folder = trained.folder(models)
    trained.model.save(folder)
    history = folder.parent / HISTORY_FILE
    line = {"version": trained.version, "items": trained.items,
            "snapshot": trained.snapshot.name,
            "trained_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "questions": {r.question: {"accuracy": r.accuracy, "macro_f1": r.macro_f1,
                                       "items": r.items}
                          for r in trained.reports if r.skipped is None}}
    previous = history.read_bytes() if history.is_file() else b""
    with replacing(history) as tmp:
        tmp.write_bytes(previous + orjson.dumps(line) + b"\n")
    return folder


def learn(schema: Schema, snapshot: str | Path, *, review: ReviewResult | None = None,
          models: str | Path | None = None) -> ModelRun:
    """Train on ``snapshot`` (``review``: the review of it already made) and save the
    model (under ``models``, default exports/<schema>/models); the run says why when
    there was nothing to learn."""
    run = ModelRun()
    if review is not None and review.items is not None:
        run.decided = {item.corpus_key for item in review.items
                       if item.status == Status.OK and item.corpus_key is not None}
    if not modelled_questions(schema):
        run.skipped.append("model: the schema has no single, multi, yes/no or rating "
                           "question to learn")
        return run
    run.trained = train_model(schema, snapshot, review=review)
    if run.trained.model is None:
        run.skipped.append("model: not trained: no question has enough decided labels yet "
                           "(annotate more items)")
        return run
    run.saved = save_model(run.trained, models)
    return run


def suggest_next(run: ModelRun, schema: Schema, snapshot: str | Path, corpus: str | Path,
                 studio: Studio | None, *, say: Say | None = None,
                 exports: str | Path | None = None) -> ModelRun:
    """With the model ``run`` trained: predict the units of ``corpus`` that ``snapshot``
    does not decide into :func:`predictions_file` (of ``exports``), and attach them as
    suggestions on ``studio``."""
    if run.trained is None or run.trained.model is None:
        return run
    run.predicted = predict_file(schema, run.trained.model, corpus,
                                 out=predictions_file(schema, exports), snapshot=snapshot,
                                 decided=run.decided)
    if not run.predicted.written:
        run.skipped.append("suggestions: nothing to suggest (every unit is decided)")
        run.skipped.extend(run.predicted.notes)  # the previous predictions were kept
        return run
    if studio is None:
        run.skipped.append("suggestions: no Label Studio to attach them to")
        return run
    run.suggested = suggest(schema, studio, run.predicted.path, say=say)
    return run


def learn_and_suggest(schema: Schema, snapshot: str | Path, corpus: str | Path,
                      studio: Studio | None, *, review: ReviewResult | None = None,
                      say: Say | None = None) -> ModelRun:
    """:func:`learn`, then :func:`suggest_next` (see the module docstring)."""
    return suggest_next(learn(schema, snapshot, review=review), schema, snapshot, corpus,
                        studio, say=say)
