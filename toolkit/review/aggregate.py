"""Aggregation: one label per item and question from several annotators' answers.

``aggregate_task(task, schema)`` reads one Label Studio task (as in a snapshot)
and returns an :class:`AggregatedItem`: the aggregated label of every question
and where it came from (its *provenance*):

- ``ground_truth``: a submitted annotation by an account listed in the schema's
  ``annotation.adjudicators`` (or, when none are listed, one marked ground truth
  in Label Studio; toolkit.review.adjudicators says who counts) decides every
  question it answers, whatever the others said; a question it left empty
  keeps the other annotators' aggregate (as below). When several such
  annotations are on a task, a starred one wins, else the latest; where another
  one answered differently, the item carries a finding (A062);
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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..kinds import kind_of
from ..kinds.base import MAJORITY, UNANIMOUS, UNRESOLVED  # noqa: F401  (provenances)
from ..provenance import Provenance, Status
from ..rules import Majority, Rule, rule_of
from ..schema import Question, Schema
from .adjudicators import CONFLICT, STAR_IGNORED, GoldPolicy, gold_policy
from .answers import Answer, annotator_name, extract_answers, per_schema
from .records import Annotation, Task, parse_task

GROUND_TRUTH = Provenance.GROUND_TRUTH

OK = Status.OK
STATUS_UNRESOLVED = Status.UNRESOLVED
TOO_FEW = Status.TOO_FEW
NO_ANNOTATIONS = Status.NO_ANNOTATIONS


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
    # question -> every annotator's (normalized) answer, in ``answers`` order, as
    # aggregation compared them; agreement reuses them. None when not aggregated.
    votes: dict[str, list] | None = field(default=None, compare=False, repr=False)
    # annotator id -> readable name (answers.annotator_name) where the export has one;
    # for `corpus agree`'s table only, never written to the dataset.
    names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # question -> posterior of the chosen label, under the rule dawid_skene only
    # (toolkit.rules.label_model fills it); empty otherwise.
    confidence: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    # the annotator whose ground-truth answer decided the item, when one did
    gold_by: str | None = field(default=None, compare=False, repr=False)
    # what aggregation met on this task that a lead should know (A060 a star ignored,
    # A062 deciding answers that disagree); review_snapshot gathers them
    findings: list[Finding] = field(default_factory=list, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == OK


def _submitted_and_cancelled(task: Task) -> tuple[list[tuple[str, Annotation]], int]:
    """(annotator, annotation) of the task's submitted annotations, one per annotator (their
    latest), in id order; and how many were cancelled."""
    latest: dict[str, tuple[str, Annotation]] = {}
    in_order = True  # ids all ints, increasing, one annotation per annotator: no sort needed
    last = None
    cancelled = 0
    for record in task.annotations or ():
        if record is None:
            continue
        if record.cancelled:
            cancelled += 1
            continue
        who = record.annotator
        ident = record.id
        if in_order and (type(ident) is not int or who in latest
                         or (last is not None and ident <= last)):
            in_order = False
        last = ident
        previous = latest.get(who)
        if previous is None or _order(ident) >= _order(previous[1].id):
            latest[who] = (who, record)
    if in_order:
        return list(latest.values()), cancelled
    return sorted(latest.values(), key=lambda pair: _order(pair[1].id)), cancelled


def _order(ident: Any) -> tuple:
    return (0, ident, "") if isinstance(ident, int) else (1, 0, str(ident))


class _Plan:
    """What aggregate_task needs of a schema, looked up once (the schema is frozen).

    ``questions`` also holds, per question, a memo of the rule's ``disagreement`` answer
    by the tuple of votes: the same few disagreements (("agree", "agree", "neutral"),
    ...) recur on thousands of items, and the answer depends on the votes alone.
    Spans questions get no memo (their votes are offsets in each item's own text,
    rarely repeated); a memo is emptied when it reaches ``_MEMO_SIZE`` entries.
    """

    def __init__(self, schema: Schema) -> None:
        self.names = [q.name for q in schema.questions]
        # (name, question, set-valued (multi/spans), free text, memo or None)
        self.questions: list[tuple[str, Question, bool, bool, dict | None]] = [
            (q.name, q, kind_of(q.kind).set_valued, kind_of(q.kind).free_text,
             {} if kind_of(q.kind).memo_votes else None)
            for q in schema.questions]
        self.min_annotations = schema.annotation.min_annotations
        self.rule = rule_of(schema.annotation.rule)
        # without a snapshot header: adjudicators listed by user id only can be known
        self.policy = gold_policy(schema, None)[0]


_MEMO_SIZE = 4096
_MAJORITY = Majority()


_plan = per_schema(_Plan)


def aggregate_task(task: Task | Mapping[str, Any], schema: Schema, *,
                   policy: GoldPolicy | None = None) -> AggregatedItem:
    """Aggregate one task (a :class:`~toolkit.review.records.Task` record, or the task
    dict from a snapshot) under the schema's rule (see the module docstring). The
    answers an annotation record already carries (the validator fills them as it
    checks) are used as they are; the others are extracted here. ``policy``: who
    decides an item (adjudicators, ground-truth stars; toolkit.review.adjudicators),
    found from the snapshot header; by default from the schema alone."""
    if not isinstance(task, Task):
        task = parse_task(task)
    plan = _plan(schema)
    data = task.data if task.data is not None else {}
    submitted, cancelled = _submitted_and_cancelled(task)
    drafts = len(task.drafts) if task.drafts is not None else 0
    answers = []
    for who, record in submitted:
        if record.answers is None:
            record.answers = extract_answers(record.raw.get("result"), schema, data)
        answers.append((who, record.answers))
    task_id = task.id
    unit_id = data.get("unit_id")
    corpus_key = data.get("corpus_key")
    item = AggregatedItem(
        corpus_key=corpus_key if isinstance(corpus_key, str) else None,
        unit_id=str(unit_id) if unit_id is not None else None,
        task_id=task_id if isinstance(task_id, int) else None,
        data=data,
        answers=answers,
        n_annotators=len(answers),
        labels=dict.fromkeys(plan.names),
        provenance=dict.fromkeys(plan.names, UNRESOLVED),
        cancelled=cancelled,
        drafts=drafts,
    )
    for who, record in submitted:
        a = record.raw
        if "created_username" in a or type(a.get("completed_by")) is dict:
            name = annotator_name(a)
            if name:
                item.names[who] = name
    policy = policy or plan.policy
    gold = _deciding(submitted, policy, item)
    if gold:
        decided = _apply_gold(item, gold, answers, plan, policy)
        others = [(who, given) for who, given in answers if who != item.gold_by]
        if decided is None or not others:
            return item
        _aggregate(item, others, plan, keep=decided)
        return item
    if not answers:
        item.status, item.reason = NO_ANNOTATIONS, "no submitted annotation"
        return item
    if len(answers) < plan.min_annotations:
        item.status = TOO_FEW
        item.reason = (
            f"{len(answers)} annotator(s), the schema wants at least {plan.min_annotations}"
        )
        return item
    item.votes = _aggregate(item, answers, plan)
    return item


def _deciding(submitted: list[tuple[str, Annotation]], policy: GoldPolicy,
              item: AggregatedItem) -> list[tuple[str, dict]]:
    """The submitted annotations that decide the item, in order, the one that wins last
    (a starred one over an unstarred one, else the latest); a finding (A060) for each
    ground-truth star that does not count."""
    gold = []
    for who, record in submitted:
        a = record.raw
        if policy.decides(who, a):
            gold.append((who, a))
        elif policy.ignored_star(who, a):
            item.findings.append(Finding(
                "warning", STAR_IGNORED, _where(item),
                f"{policy.label(who)} marked their own annotation {a.get('id')} ground truth "
                "but is not one of the schema's adjudicators",
                "the star is ignored: their answer counts as an annotator's"))
    gold.sort(key=lambda pair: bool(pair[1].get("ground_truth")))  # stable: latest last
    return gold


def _where(item: AggregatedItem) -> str:
    return f"task {item.task_id} [{item.corpus_key}]" if item.corpus_key \
        else f"task {item.task_id}"


def _apply_gold(item: AggregatedItem, gold: list[tuple[str, dict]],
                answers: list[tuple[str, dict[str, Answer]]], plan: _Plan,
                policy: GoldPolicy) -> frozenset[str] | None:
    """Set the winning deciding annotation's answers as ground truth; returns the
    questions it left empty (None when it answered all, or is the only answer: then
    it decides every question, an empty answer included)."""
    item.gold_by, truth = gold[-1]
    given = dict(answers)
    chosen = given.get(item.gold_by, {})
    alone = len(answers) == 1
    empty = set()
    for name, _, set_valued, _, _ in plan.questions:
        answer = chosen.get(name)
        if (answer is None or (set_valued and not answer)) and not alone:
            empty.add(name)
            continue
        item.labels[name] = (answer or None) if set_valued else answer
        item.provenance[name] = GROUND_TRUTH
    for who, other in gold[:-1]:
        theirs = given.get(who, {})
        differ = [name for name in plan.names if name not in empty
                  and theirs.get(name) is not None and theirs.get(name) != chosen.get(name)]
        if differ:
            won = ("starred" if truth.get("ground_truth") and not other.get("ground_truth")
                   else "latest")
            item.findings.append(Finding(
                "warning", CONFLICT, _where(item),
                f"{policy.label(who)} (annotation {other.get('id')}) and "
                f"{policy.label(item.gold_by)} (annotation {truth.get('id')}) both decide "
                f"this item and disagree on {', '.join(differ)}",
                f"the {won} one won (annotation {truth.get('id')}); remove the other in "
                "Label Studio to settle it"))
    return frozenset(empty) or None


def _aggregate(item: AggregatedItem, answers: list[tuple[str, dict[str, Answer]]], plan: _Plan,
               keep: frozenset[str] | None = None) -> dict[str, list]:
    """Aggregate ``answers`` into the item's labels and provenances (all questions, or
    those in ``keep``), set its status; returns every question's votes."""
    rule = plan.rule
    labels, provenances = item.labels, item.provenance
    all_votes: dict[str, list] = {}
    givens = [given for _, given in answers]
    for name, question, set_valued, free_text, memo in plan.questions:
        if keep is not None and name not in keep:
            continue
        if set_valued:  # no answer and an empty one are the same
            votes = [given.get(name) or None for given in givens]
        else:
            votes = [given.get(name) for given in givens]
        all_votes[name] = votes
        first = votes[0]
        provenance: str
        if votes.count(first) == len(votes):  # aggregate_question's first case, inline
            label, provenance = first, UNANIMOUS
        elif memo is None:
            label, provenance = rule.disagreement(question, votes)
        else:
            key = tuple(votes)
            found = memo.get(key)
            if found is None:
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                found = memo[key] = rule.disagreement(question, votes)
            label, provenance = found
        labels[name] = label
        provenances[name] = provenance
        if provenance == UNRESOLVED and not free_text:
            item.unresolved_questions.append(name)
    if item.unresolved_questions:
        item.status = STATUS_UNRESOLVED
        item.reason = "no agreed answer for: " + ", ".join(item.unresolved_questions)
    return all_votes


def aggregate_question(question: Question, votes: list[Answer | None], *,
                       rule: Rule | None = None) -> tuple[Answer | None, str]:
    """One question's (label, provenance) from every annotator's answer (None = no answer),
    under ``rule`` (the majority rule when None)."""
    if not votes:
        return None, UNRESOLVED
    if all(v == votes[0] for v in votes):
        return votes[0], UNANIMOUS
    return (rule or _MAJORITY).disagreement(question, votes)


def restate(item: AggregatedItem, schema: Schema, *, unjudged: bool = False,
            note: str | None = None) -> None:
    """Status, reason and unresolved questions from the provenances, as
    :func:`aggregate_task_with` sets them: after a rule re-decided the item
    (:meth:`toolkit.rules.Rule.decide_all`). ``unjudged``: the item's one answer could
    not be judged (A053). ``note``: the rule's own words on why (``Decided.notes``)."""
    item.unresolved_questions = [q.name for q in schema.questions
                                 if not kind_of(q.kind).free_text
                                 and item.provenance[q.name] == UNRESOLVED]
    if item.unresolved_questions:
        item.status = STATUS_UNRESOLVED
        low = [name for name in item.unresolved_questions if name in item.confidence]
        reason = "no agreed answer for: " + ", ".join(item.unresolved_questions)
        if note:
            reason += f" ({note})"
        elif low:
            reason += (f" (confidence below {schema.annotation.min_confidence:g}: "
                       + ", ".join(f"{name} {item.confidence[name]:.2f}" for name in low) + ")")
        elif unjudged:
            reason += " (one answer, from an annotator who shares no item: confidence unknown)"
        item.reason = reason
    else:
        item.status, item.reason = OK, ""


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
