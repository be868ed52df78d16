"""What the baseline model learns from: a snapshot's aggregated labels, per question.

Training data of a question (single, multi, yes/no, rating: the kinds with a label
model, ``Kind.label_model``; spans and free text get no model) are the items

- whose task validation did not reject (``review.invalid``) and whose status is
  ``ok`` or ``unresolved`` (another question unresolved does not spoil this one);
- whose label for the question is decided (provenance not ``unresolved``) and, for
  one label per item, not empty ("none of these" is an answer for multi choice);

weighted by the rule's confidence in the label where it gives one
(``item.confidence``, the label-model rules), else 1. Items are taken in corpus-key
order, so the data do not depend on the snapshot's task order.

Tiny data: a class with fewer than ``Params.min_per_class`` items is left out (the
model cannot learn it, and a stratified fold needs two); a question left with fewer
than two classes (multi choice: no label both chosen and not chosen that often) is
skipped with its reason.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ..errors import SnapshotError
from ..kinds import kind_of
from ..kinds.base import PER_LABEL
from ..provenance import Provenance, Status
from ..schema import Question, Schema
from ..studio.pull import snapshot_dir
from ..studio.snapshot import open_snapshot
from .classifier import Params
from .features import prepare

__all__ = ["QuestionData", "TrainingData", "modelled_questions", "newest_snapshot",
           "training_data"]

_USABLE = {Status.OK, Status.UNRESOLVED}


def modelled_questions(schema: Schema) -> list[Question]:
    """The questions a classifier is trained for (a kind with a label model)."""
    return [q for q in schema.questions if kind_of(q.kind).label_model is not None]


@dataclass
class QuestionData:
    """One question's examples: ``texts`` indexes into :attr:`TrainingData.texts`,
    ``y`` class indexes into ``classes`` (multi choice: an items x labels 0/1 matrix)."""

    question: Question
    text_field: str
    classes: list[Any]
    multi_label: bool
    keys: list[str] = field(default_factory=list)
    texts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dropped: dict[Any, int] = field(default_factory=dict)  # class -> items left out
    skipped: str | None = None  # why no model is trained for it

    @property
    def name(self) -> str:
        return self.question.name


@dataclass
class TrainingData:
    """The distinct (item, field) texts (prepared) and each question's examples."""

    texts: list[str]
    questions: list[QuestionData]

    def fingerprint(self, schema: Schema, params: Params) -> str:
        """A short hash of everything the model depends on: the schema, the parameters,
        and every example (key, text, label, weight). Same inputs, same version."""
        digest = hashlib.sha256()
        digest.update(orjson.dumps({"schema": schema.content_hash,
                                    "params": params.to_dict()}))
        for data in self.questions:
            digest.update(orjson.dumps([data.name, data.classes, data.keys,
                                        [self.texts[i] for i in data.texts]]))
            digest.update(np.ascontiguousarray(data.y).tobytes())
            digest.update(np.ascontiguousarray(data.weights).tobytes())
        return digest.hexdigest()[:12]


def training_data(items: Iterable[Any], schema: Schema, *, invalid: Any = (),
                  params: Params = Params()) -> TrainingData:
    """The examples of every modelled question in ``items`` (aggregated items of one
    snapshot, ``review_snapshot(...).items``); see the module docstring."""
    usable = sorted((item for item in items
                     if item.corpus_key is not None and item.status in _USABLE
                     and item.task_id not in invalid),
                    key=lambda item: item.corpus_key)
    texts: list[str] = []
    where: dict[tuple[str, str], int] = {}
    out = []
    for question in modelled_questions(schema):
        kind = kind_of(question.kind)
        data = QuestionData(question, schema.target_field(question),
                            list(kind.model_labels(question)), kind.label_model == PER_LABEL)
        index = {value: i for i, value in enumerate(data.classes)}
        keys, rows, labels, weights = [], [], [], []
        for item in usable:
            name = question.name
            label = item.labels.get(name)
            if item.provenance.get(name, Provenance.UNRESOLVED) == Provenance.UNRESOLVED:
                continue
            if data.multi_label:
                chosen = [index[v] for v in (label or ()) if v in index]
                code: Any = chosen
            elif label is None or label not in index:
                continue
            else:
                code = index[label]
            text = item.data.get(data.text_field)
            spot = where.get((item.corpus_key, data.text_field))
            if spot is None:
                spot = where[(item.corpus_key, data.text_field)] = len(texts)
                texts.append(prepare(text))
            keys.append(item.corpus_key)
            rows.append(spot)
            labels.append(code)
            weight = item.confidence.get(name)
            weights.append(1.0 if weight is None else float(weight))
        _settle(data, keys, rows, labels, weights, params)
        out.append(data)
    return TrainingData(texts, out)


def _settle(data: QuestionData, keys: list[str], rows: list[int], labels: list,
            weights: list[float], params: Params) -> None:
    """Fill ``data`` from the examples, leaving out the classes too rare to learn, or
    say why the question is skipped."""
    least = params.min_per_class
    if data.multi_label:
        matrix = np.zeros((len(labels), len(data.classes)), dtype=np.int64)
        for i, chosen in enumerate(labels):
            matrix[i, chosen] = 1
        chosen_count = matrix.sum(axis=0)
        learnable = [(c >= least and len(labels) - c >= least) for c in chosen_count]
        if not any(learnable):
            data.skipped = (f"{len(labels)} items; no label is both chosen and left out by "
                            f"at least {least} of them")
            return
        data.keys, data.texts, data.y = keys, np.asarray(rows, dtype=np.int64), matrix
        data.weights = np.asarray(weights, dtype=np.float64)
        return
    counts = Counter(labels)
    rare = {code for code, n in counts.items() if n < least}
    kept = sorted(code for code in counts if code not in rare)
    data.dropped = {data.classes[code]: counts[code] for code in sorted(rare)}
    if len(kept) < 2:
        if not counts:
            data.skipped = "no item has a decided label"
        else:
            shown = ", ".join(f"{data.classes[c]!s}: {counts[c]}" for c in sorted(counts))
            data.skipped = (f"{sum(counts.values())} items ({shown}); a model needs two "
                            f"answers given at least {least} times each")
        return
    recode = {code: i for i, code in enumerate(kept)}
    data.classes = [data.classes[code] for code in kept]
    take = [i for i, code in enumerate(labels) if code in recode]
    data.keys = [keys[i] for i in take]
    data.texts = np.asarray([rows[i] for i in take], dtype=np.int64)
    data.y = np.asarray([recode[labels[i]] for i in take], dtype=np.int64)
    data.weights = np.asarray([weights[i] for i in take], dtype=np.float64)


def newest_snapshot(schema: Schema, folder: str | Path | None = None) -> Path:
    """The newest complete snapshot `corpus pull` wrote of ``schema`` in ``folder``
    (default exports/<schema>/snapshots): by its header's pull time, a later
    ``<time>-N.json`` winning within one second, as toolkit.studio.pull orders them.
    Offline: training needs no server. SnapshotError when there is none."""
    where = snapshot_dir(schema, folder)
    best: tuple[str, int, str] | None = None
    for path in sorted(Path(where).glob("*.json")):
        try:
            header = open_snapshot(path).header
        except SnapshotError:
            continue
        if not header.get("cursor") or header.get("schema_name") not in (None, schema.name):
            continue
        _, _, number = path.stem.partition("Z-")
        key = (str(header.get("pulled_at") or ""), int(number) if number.isdigit() else 0,
               str(path))
        if best is None or key > best:
            best = key
    if best is None:
        raise SnapshotError(f"{where}: no snapshot of schema {schema.name}; run "
                            f"`corpus pull --schema ...` first, or give a snapshot file")
    return Path(best[2])


def texts_of(data: QuestionData, texts: Sequence[str]) -> list[str]:
    """The prepared texts of a question's examples, in order."""
    return [texts[i] for i in data.texts]
