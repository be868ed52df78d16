"""`corpus model predict`: the model's answers for the units not yet decided, as the
predictions JSONL `corpus push --predictions` reads.

    from toolkit.model import BaselineModel, predict_file
    predict_file(schema, BaselineModel.load(folder), "exports/corpus.jsonl",
                 out="predictions.jsonl", snapshot="exports/s/snapshots/X.json")

One line per unit, in corpus order:
``{"corpus_key", "model_version", "score", "result"}``; ``result`` holds Label Studio
result items (toolkit.studio.results.build_result) with the model's answer to each
trained question: the most probable class (single, yes/no, rating), the labels
more likely chosen than not (multi choice; none chosen gives no item). ``score`` is
the model's confidence in its answers: the probability of its top answer, for multi
choice its weakest label decision (max(p, 1 - p)), and over several questions the
weakest of them. Units decided already (status ``ok`` in the snapshot) and the
near-duplicate copies push leaves out get none. Deterministic: the same model,
corpus and snapshot give the same bytes. Any other model's file in this format is
used by push the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from ..corpus import read_corpus
from ..errors import InputError
from ..ingest.near_duplicates import copies_not_pushed
from ..kinds import kind_of
from ..paths import naming, replacing
from ..provenance import Status
from ..review import review_snapshot
from ..schema import Schema
from ..studio.results import build_result
from ..tasks import iter_task_data
from .linear import LABELS
from .saved import BaselineModel
from .votes import baseline_votes

__all__ = ["PredictResult", "check_fits", "decided_keys", "predict_file", "prediction_records"]


@dataclass
class PredictResult:
    """What a predict run wrote: ``written`` lines for ``units`` units of the corpus,
    ``decided`` units left out as decided, ``copies`` near-duplicate copies left out."""

    path: Path
    model_version: str
    units: int = 0
    decided: int = 0
    copies: int = 0
    written: int = 0
    empty: int = 0  # units left out: no answer to pre-fill (multi choice: none chosen)
    notes: list[str] = field(default_factory=list)


def check_fits(schema: Schema, model: BaselineModel) -> list[str]:
    """InputError when the model was not trained for this schema or its classes are not
    the schema's answers; a note when the schema changed since in a way it survives."""
    trained_for = model.meta.get("schema_name")
    if trained_for != schema.name:
        raise InputError(f"model {model.version} was trained for schema {trained_for!r}, not "
                         f"{schema.name!r}; give --model of this schema's models")
    for name, head in model.heads.items():
        try:
            question = schema.question(name)
        except KeyError:
            raise InputError(f"model {model.version}: question {name!r} is not in schema "
                             f"{schema.name} any more; train the model again") from None
        allowed = kind_of(question.kind).model_labels(question)
        unknown = [value for value in head.classes if value not in allowed]
        if unknown:
            raise InputError(f"model {model.version}: answers {unknown} of {name!r} are not "
                             f"in the schema any more; train the model again")
    if model.meta.get("schema_hash") != schema.content_hash:
        return [f"model {model.version} was trained under another version of schema "
                f"{schema.name} ({model.meta.get('schema_hash')}, now {schema.content_hash}); "
                "its questions and answers still fit"]
    return []


def decided_keys(schema: Schema, snapshot: str | Path | None) -> set[str]:
    """Corpus keys of the units the snapshot decides (status ``ok``)."""
    if snapshot is None:
        return set()
    review = review_snapshot(snapshot, schema, validate=False, agreement=False,
                             model_votes=baseline_votes)  # rule crowdlab: the model votes
    return {item.corpus_key for item in review.items or ()
            if item.status == Status.OK and item.corpus_key is not None}


def prediction_records(schema: Schema, model: BaselineModel, units: list[dict], *,
                       on_progress: Callable[[int, int | None], None] | None = None
                       ) -> Iterable[dict]:
    """One record per unit (task data dicts) in the push --predictions format."""
    by_field: dict[str, list[str]] = {}
    for name, where in model.fields.items():
        by_field.setdefault(where, []).append(name)
    probabilities: dict[str, np.ndarray] = {}
    for where, names in by_field.items():
        probabilities.update(model.probabilities([u.get(where) for u in units],
                                                 questions=names, on_progress=on_progress))
    version = model.version
    for index, unit in enumerate(units):
        answers: dict[str, object] = {}
        confidence = 1.0
        for name, head in model.heads.items():
            p = probabilities[name][index]
            if head.link == LABELS:
                answers[name] = [c for c, pj in zip(head.classes, p, strict=True) if pj >= 0.5]
                sure = float(np.maximum(p, 1.0 - p).min())
            else:
                best = int(np.argmax(p))
                answers[name] = head.classes[best]
                sure = float(p[best])
            confidence = min(confidence, sure)
        texts = {where: unit.get(where) or "" for where in by_field}
        result = build_result(schema, answers, texts=texts)
        yield {"corpus_key": unit["corpus_key"], "model_version": version,
               "score": round(confidence, 6), "result": result}


def predict_file(schema: Schema, model: BaselineModel, corpus: str | Path, *,
                 out: str | Path, snapshot: str | Path | None = None,
                 decided: set[str] | None = None,
                 on_progress: Callable[[int, int | None], None] | None = None
                 ) -> PredictResult:
    """Write the predictions of the units of ``corpus`` that ``snapshot`` (None: no
    snapshot yet) does not decide to ``out`` (see the module docstring)."""
    notes = check_fits(schema, model)
    result = PredictResult(Path(out), model.version, notes=notes)
    if decided is None:  # the caller may know them already (sync: one read of a snapshot)
        decided = decided_keys(schema, snapshot)
    policy = schema.annotation.near_duplicates
    skip = copies_not_pushed(policy, read_corpus(Path(corpus))) \
        if schema.unit == "comment" else {}
    units, seen = [], set()
    for unit in iter_task_data(schema, read_corpus(Path(corpus))):
        key = unit["corpus_key"]
        if key in seen:
            continue
        seen.add(key)
        result.units += 1
        if unit["unit_id"] in skip:
            result.copies += 1
        elif key in decided:
            result.decided += 1
        else:
            units.append(unit)
    lines = []
    for record in prediction_records(schema, model, units, on_progress=on_progress):
        if not record["result"]:  # nothing to pre-fill (multi choice: none chosen)
            result.empty += 1
            continue
        lines.append(orjson.dumps(record))
    result.written = len(lines)
    if not lines and result.path.exists():  # an empty run never replaces predictions
        result.notes.append(f"nothing to predict: {result.path} was kept as it was")
        return result
    with replacing(result.path) as tmp, naming(result.path), tmp.open("wb") as handle:
        for line in lines:
            handle.write(line + b"\n")
    return result
