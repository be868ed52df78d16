"""Aggregation: one label per item and question from several annotators' answers.

``aggregate_task(task, schema)`` reads one Label Studio task (as in a snapshot)
and returns an :class:`AggregatedItem`: the aggregated label of every question
and where it came from (its *provenance*):

- ``ground_truth``: a submitted annotation marked ground truth in Label Studio
  wins outright, for every question, whatever the others said;
- ``unanimous``: every annotator gave the same answer (an optional question
  that everyone left empty is ``None`` with provenance ``unanimous``);
- ``majority``: more than half of the annotators gave this answer
  (schema rule ``majority`` only);
- ``unresolved``: no strict majority (ties included), disagreement under the
  rule ``unanimous``, or too few annotations; the label is then ``None``.

What counts: submitted annotations only. Cancelled (skipped) annotations and
drafts are never used. When one annotator submitted twice on a task (validate
reports it, V013), only their latest annotation (highest id) counts. An
annotator who did not answer a question counts as answering "nothing" (None, or
the empty set for multi choice and spans), so silence is a vote too.

Per kind: single / yes-no / rating / text compare whole answers; multi choice
decides label by label (a label is in when more than half chose it; exactly
half is a tie, hence unresolved), and the result keeps schema order; spans
decide span by span on identical (start, end, label), with the same
threshold. Free-text answers are aggregated the same way but never make an item
unresolved (notes rarely coincide, and they are not labels).

Item status: ``no_annotations`` (nobody submitted), ``too_few_annotations``
(fewer than ``schema.annotation.min_annotations`` annotators and no ground
truth), ``unresolved`` (some non-text question unresolved; ``reason`` names
them), else ``ok``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .answers import Answer, annotator_id, extract_answers, is_cancelled
from .schema import Question, Schema

UNANIMOUS = "unanimous"
MAJORITY = "majority"
GROUND_TRUTH = "ground_truth"
UNRESOLVED = "unresolved"

OK = "ok"
STATUS_UNRESOLVED = "unresolved"
TOO_FEW = "too_few_annotations"
NO_ANNOTATIONS = "no_annotations"


@dataclass
class AggregatedItem:
    """One task's aggregated labels, with each annotator's answers kept beside them."""

    corpus_key: str | None
    unit_id: str | None
    task_id: int | None
    data: dict
    answers: list[tuple[str, dict[str, Answer]]]  # (annotator id, answers), submitted only
    n_annotators: int
    labels: dict[str, Answer | None]
    provenance: dict[str, str]
    status: str = OK
    reason: str = ""
    cancelled: int = 0
    drafts: int = 0
    unresolved_questions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == OK


def submitted_annotations(task: Mapping[str, Any]) -> list[dict]:
    """The task's submitted annotations, one per annotator (their latest), in id order."""
    latest: dict[str, dict] = {}
    annotations = task.get("annotations")
    if not isinstance(annotations, list):
        return []
    for annotation in annotations:
        if not isinstance(annotation, dict) or is_cancelled(annotation):
            continue
        who = _who(annotation)
        previous = latest.get(who)
        if previous is None or _order(annotation) >= _order(previous):
            latest[who] = annotation
    return sorted(latest.values(), key=_order)


def _who(annotation: Mapping[str, Any]) -> str:
    return annotator_id(annotation) or f"annotation-{annotation.get('id')}"


def _order(annotation: Mapping[str, Any]) -> tuple:
    ident = annotation.get("id")
    return (0, ident, "") if isinstance(ident, int) else (1, 0, str(ident))


def aggregate_task(task: Mapping[str, Any], schema: Schema) -> AggregatedItem:
    """Aggregate one task under the schema's rule (see the module docstring)."""
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    annotations = task.get("annotations") if isinstance(task.get("annotations"), list) else []
    cancelled = sum(1 for a in annotations if isinstance(a, dict) and is_cancelled(a))
    drafts = len(task.get("drafts") or ()) if isinstance(task.get("drafts"), list) else 0
    submitted = submitted_annotations(task)
    answers = [
        (_who(a), extract_answers(a.get("result"), schema, data)) for a in submitted
    ]
    task_id = task.get("id") if isinstance(task.get("id"), int) else None
    unit_id = data.get("unit_id")
    item = AggregatedItem(
        corpus_key=data.get("corpus_key") if isinstance(data.get("corpus_key"), str) else None,
        unit_id=str(unit_id) if unit_id is not None else None,
        task_id=task_id,
        data=data,
        answers=answers,
        n_annotators=len(answers),
        labels={q.name: None for q in schema.questions},
        provenance={q.name: UNRESOLVED for q in schema.questions},
        cancelled=cancelled,
        drafts=drafts,
    )
    gold = [a for a in submitted if a.get("ground_truth")]
    if gold:
        chosen = extract_answers(gold[-1].get("result"), schema, data)
        for question in schema.questions:
            item.labels[question.name] = normalize_empty(question, chosen.get(question.name))
            item.provenance[question.name] = GROUND_TRUTH
        return item
    if not answers:
        item.status, item.reason = NO_ANNOTATIONS, "no submitted annotation"
        return item
    policy = schema.annotation
    if len(answers) < policy.min_annotations:
        item.status = TOO_FEW
        item.reason = (
            f"{len(answers)} annotator(s), the schema wants at least {policy.min_annotations}"
        )
        return item
    unanimous_only = policy.rule == "unanimous"
    for question in schema.questions:
        votes = [normalize_empty(question, given.get(question.name)) for _, given in answers]
        label, provenance = aggregate_question(question, votes, unanimous_only=unanimous_only)
        item.labels[question.name] = label
        item.provenance[question.name] = provenance
        if provenance == UNRESOLVED and question.kind != "text":
            item.unresolved_questions.append(question.name)
    if item.unresolved_questions:
        item.status = STATUS_UNRESOLVED
        item.reason = "no agreed answer for: " + ", ".join(item.unresolved_questions)
    return item


def normalize_empty(question: Question, answer: Answer | None) -> Answer | None:
    """Multi choice and spans: an empty answer and no answer are the same (None)."""
    if question.kind in ("multi", "spans") and not answer:
        return None
    return answer


def aggregate_question(
    question: Question, votes: list[Answer | None], *, unanimous_only: bool = False
) -> tuple[Answer | None, str]:
    """One question's (label, provenance) from every annotator's answer (None = no answer)."""
    n = len(votes)
    if n == 0:
        return None, UNRESOLVED
    if all(v == votes[0] for v in votes):
        return votes[0], UNANIMOUS
    if unanimous_only:
        return None, UNRESOLVED
    if question.kind == "multi":
        return _per_part_majority(votes, n, order=question.label_values)
    if question.kind == "spans":
        return _per_part_majority(votes, n, order=None)
    value, count = Counter(votes).most_common(1)[0]
    if count * 2 > n:
        return value, MAJORITY
    return None, UNRESOLVED


def _per_part_majority(
    votes: list[Any], n: int, *, order: list[str] | None
) -> tuple[Answer | None, str]:
    """Multi choice labels or spans: keep each part more than half chose; a half is a tie."""
    counts: Counter = Counter()
    for vote in votes:
        counts.update(set(vote or ()))
    kept = []
    for part, count in counts.items():
        if count * 2 == n:
            return None, UNRESOLVED
        if count * 2 > n:
            kept.append(part)
    if order is not None:
        rank = {value: i for i, value in enumerate(order)}
        kept.sort(key=lambda v: (rank.get(v, len(rank)), v))
    else:
        kept.sort()
    return (tuple(kept) if kept else None), MAJORITY


def aggregate_snapshot(tasks: Iterable[Mapping[str, Any]], schema: Schema):
    """Stream ``aggregate_task`` over tasks (e.g. ``open_snapshot(p).tasks()``)."""
    for task in tasks:
        yield aggregate_task(task, schema)


def unresolved_rows(item: AggregatedItem) -> list[dict]:
    """What a lead needs to adjudicate: one row per unresolved question of an item."""
    if item.status != STATUS_UNRESOLVED:
        return []
    questions = item.unresolved_questions
    rows = []
    for name in questions:
        rows.append(
            {
                "corpus_key": item.corpus_key,
                "task_id": item.task_id,
                "status": item.status,
                "question": name,
                "reason": item.reason,
                "answers": {who: _jsonable(given.get(name)) for who, given in item.answers},
            }
        )
    return rows


def _jsonable(answer: Answer | None) -> Any:
    if isinstance(answer, tuple):
        return [a._asdict() if hasattr(a, "_asdict") else a for a in answer]
    return answer
