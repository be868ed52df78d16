"""Validate a pulled snapshot against the schema: every task, annotation and result.

``validate_snapshot(snapshot, schema, corpus=None)`` streams the snapshot (memory
does not grow with its size, only with the number of findings) and returns a
:class:`ValidationReport`. Each finding carries a stable code, its level, the
task key (``data.corpus_key``), the Label Studio task and annotation ids, the
annotator, the question, and a message written for a team lead.

Codes (level; ``error`` makes ``corpus validate`` exit 1; what build does about
each is in ``IN_BUILD``: only the codes in ``REJECTS_ITEM`` leave the item out):

    V001 error    unknown-question      a result answers a question the schema does not have
                                        (says so when the snapshot was pulled under another
                                        schema version, from the header's schema_hash)
    V002 error    unknown-label         a label that is not in the question's label set
    V003 error    several-choices       more than one choice on a single-choice or yes/no question
    V004 error    required-missing      a required question unanswered in a submitted annotation
    V005 error    when-not-met          a conditional question answered although its condition
                                        does not hold
    V006 error    span-out-of-range     span offsets outside the text (or start after end)
    V007 error    span-text-mismatch    text[start:end] differs from the span's recorded text
    V008 warning  span-utf16-repaired   offsets were right counted as UTF-16 code units (emoji
                                        before the span); repaired to code points
    V009 error    span-overlap          two spans overlap where the question forbids overlap
    V010 error    span-empty            a span of zero length (or empty recorded text)
    V011 error    corpus-text-changed   the task's text differs from the corpus (changed since push)
    V012 warning  not-in-corpus         the task's key is not in the given corpus file
    V013 error    duplicate-annotator   the same annotator submitted twice on one task
    V014 warning  under-annotated       fewer annotators submitted than the schema's overlap
                                        (an annotator who submitted twice counts once)
    V015 info     cancelled             a cancelled (skipped) annotation: counted, never a label
    V016 info     draft                 a draft: counted, never a label
    V017 error    malformed-value       a result's value has the wrong shape for its question
                                        (choices not a list, rating outside 1..scale, ...)
    V018 warning  no-task-key           task data without corpus_key (not pushed by the toolkit?)
    V019 error    malformed-task        a task or annotation that is not a Label Studio object
    V020 warning  schema-changed        the snapshot was pulled under another schema hash

A snapshot file that cannot be read at all (not JSON, not a Label Studio
export, truncated), or whose header says it was pulled for a schema of another
name, raises :class:`toolkit.errors.SnapshotError` instead.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import CODES, IN_BUILD, REJECTS_ITEM, Finding, Report  # noqa: F401
from ..kinds import ResultState, kind_of
from ..kinds.hooks import Ids
from ..schema import Question, Schema
from ..studio.snapshot import OnProgress, Snapshot, open_snapshot
from ..tasks import tasks_from_corpus
from .header import V020, V020_ACTION, check_header
from .records import Annotation, Task, parse_task

FIX = "fix the annotation in Label Studio and pull again"
LEFT_OUT = "build leaves the item out (rejected/)"
REJECT_FIX = f"{LEFT_OUT}; {FIX}"

@dataclass(frozen=True)
class ValidationFinding(Finding):
    """A finding about one task/annotation, with its ids kept as separate fields."""

    task_key: str | None = None
    task_id: Any = None
    annotation_id: Any = None
    annotator: str | None = None
    question: str | None = None


#: how many errors and warnings `corpus validate` prints (and, without --json, keeps: the
#: others are counted only)
FINDINGS_SHOWN = 200


@dataclass
class ValidationReport(Report):
    """Findings plus counts (tasks, annotations, results, cancelled, drafts) and the summary."""

    snapshot: str = ""
    schema_name: str = ""
    schema_hash: str = ""
    snapshot_schema_hash: str | None = None
    summary: Counter = field(default_factory=Counter)  # (code, question or "") -> n

    @property
    def exit_code(self) -> int:
        """1 when some finding is an error (counted in the summary: also those not kept)."""
        return 1 if any(CODES[code][0] == "error" for code, _ in self.summary) else 0

    def count(self, level: str) -> int:
        """How many findings of ``level`` there were, kept or only counted."""
        return sum(n for (code, _), n in self.summary.items() if CODES[code][0] == level)

    def to_dict(self) -> dict:
        return {
            "snapshot": self.snapshot,
            "schema": {"name": self.schema_name, "hash": self.schema_hash},
            "snapshot_schema_hash": self.snapshot_schema_hash,
            "counts": dict(self.counts),
            "summary": [
                {"code": code, "level": CODES[code][0], "name": CODES[code][1],
                 "question": question or None, "count": n}
                for (code, question), n in sorted(self.summary.items())
            ],
            "findings": [f.to_dict() for f in self.findings],
        }


def corpus_fingerprints(path: str | Path, schema: Schema) -> dict[str, bytes]:
    """corpus_key -> a digest of the item text(s) the task was built from."""
    fields = schema.item_fields
    return {data["corpus_key"]: _digest(tuple(data[f] for f in fields))
            for data in tasks_from_corpus(schema, path)}


def _digest(texts: tuple) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for text in texts:
        h.update(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else b"\0null")
        h.update(b"\0\1")
    return h.digest()


def validate_snapshot(snapshot: str | Path | Snapshot, schema: Schema, *,
                      corpus: str | Path | None = None,
                      on_progress: OnProgress | None = None) -> ValidationReport:
    """Validate a snapshot file (streamed); ``corpus`` (the corpus JSONL) lets it flag text
    changed since push (V011). SnapshotError when it cannot be read or was pulled for
    another schema. What :func:`toolkit.review.review_snapshot` does with validation
    alone, without loading what aggregation and agreement need (numpy)."""
    snap = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    fingerprints = corpus_fingerprints(corpus, schema) if corpus is not None else None
    report = validate_tasks(snap.tasks(on_progress), schema, header=snap.header,
                            corpus=fingerprints)
    report.snapshot = str(snap.path)
    return report


def validate_tasks(
    tasks: Iterable[Any],
    schema: Schema,
    *,
    header: Mapping[str, Any] | None = None,
    corpus: Mapping[str, bytes] | None = None,
) -> ValidationReport:
    """Validate tasks (dicts as Label Studio exports them); ``corpus`` from corpus_fingerprints."""
    checker = task_validator(schema, header=header, corpus=corpus)
    for task in tasks:
        checker.task(task)
    return checker.report


def task_validator(
    schema: Schema,
    *,
    header: Mapping[str, Any] | None = None,
    corpus: Mapping[str, bytes] | None = None,
) -> _Checker:
    """A validator fed one task at a time: ``v.task(task)``; findings gather in ``v.report``.

    For callers that read a snapshot once for several stages (build validates,
    aggregates and measures agreement in one pass); ``validate_tasks`` is this
    in a loop. Findings of one task are appended together, in task order.
    """
    return _Checker(schema, header or {}, corpus)


class _Checker:
    REJECT_FIX = REJECT_FIX  # the action of findings that make build leave the item out

    def __init__(self, schema: Schema, header: Mapping[str, Any], corpus: Mapping | None):
        self.schema = schema
        # Off unless a caller asks (the review pass does): with ``collect`` on, each
        # submitted Annotation record whose results were all well formed (the fast paths
        # below) gets its ``answers``, exactly as toolkit.review.answers.extract_answers
        # reads them; the others keep None, for aggregation to extract.
        self.collect = False
        self.rank = {q.name: {v: i for i, v in enumerate(q.label_values)}
                     for q in schema.questions}
        self.questions = {q.name: q for q in schema.questions}
        self.labels = {q.name: frozenset(q.label_values) for q in schema.questions}
        self.span_fields = {q.name: schema.target_field(q) for q in schema.questions}
        # name -> its kind, which checks each result of the question (toolkit.kinds)
        self.kinds = {q.name: kind_of(q.kind) for q in schema.questions}
        self.required = [q for q in schema.questions if q.required]
        self.conditional = [q for q in schema.questions if q.when is not None]
        self.corpus = corpus
        self.overlap = schema.annotation.overlap
        # name -> check(state, value, data): each kind's check of one result, made once
        self.checks = {q.name: self.kinds[q.name].validator(self, q) for q in schema.questions}
        self._state = ResultState(None, ())
        changed = check_header(header, schema, "the snapshot header")
        header_hash = header.get("schema_hash") if isinstance(header, Mapping) else None
        self.older = changed is not None
        self.report = ValidationReport(
            schema_name=schema.name,
            schema_hash=schema.content_hash,
            snapshot_schema_hash=header_hash if isinstance(header_hash, str) else None,
        )
        self.counts = self.report.counts
        if self.older:
            self.add(V020, "snapshot", None, None, None, None, changed,  # type: ignore[arg-type]
                     V020_ACTION["validate"])

    # -- findings ---------------------------------------------------------------
    def add(self, code: str, where: str | None, key, task_id, annotation_id, who,
            message: str, action: str = "", question: str | None = None) -> None:
        """Record a finding; ``where`` None means "built from the ids" (formatted lazily, so
        the clean path of a million results formats nothing)."""
        level = CODES[code][0]
        if where is None:
            where = f"task {task_id} [{key}]" if key else f"task {task_id}"
            if annotation_id is not None or who:
                where += f" annotation {annotation_id} by annotator {who or '?'}"
        self.report.findings.append(ValidationFinding(
            level, code, where, message, action, key, task_id, annotation_id, who, question,
        ))
        self.report.summary[(code, question or "")] += 1

    # -- one task ---------------------------------------------------------------
    def task(self, task: Task | Any) -> None:
        """Check one task: a :class:`~toolkit.review.records.Task` record, or the raw
        value from the snapshot (parsed here)."""
        counts = self.counts
        counts["tasks"] += 1
        if not isinstance(task, Task):
            if type(task) is not dict:
                self.add("V019", f"task #{counts['tasks']}", None, None, None, None,
                         "not a Label Studio task (not a JSON object)", "skipped")
                return
            task = parse_task(task)
        task_id = task.id
        data = task.data
        if data is None:
            self.add("V019", f"task {task_id!r}", None, task_id, None, None,
                     "the task has no data object", f"skipped; {LEFT_OUT}")
            return
        key = data.get("corpus_key")
        if type(key) is not str:
            key = None
        where = None  # formatted by add() when a finding needs it
        if key is None:
            self.add("V018", where, None, task_id, None, None,
                     "the task has no corpus_key in its data: it was not pushed by corpus-toolkit",
                     "checked, but it cannot be matched to the corpus")
        elif self.corpus is not None:
            self._corpus_check(key, data, where, task_id)
        annotations = task.annotations
        if annotations is None:
            self.add("V019", where, key, task_id, None, None,
                     "'annotations' is not a list", f"annotations skipped; {LEFT_OUT}")
            annotations = []
        seen: dict[str, Any] = {}  # annotator -> their first submitted annotation's id
        anonymous = 0  # submitted annotations whose annotator is unknown
        for record in annotations:
            counts["annotations"] += 1
            if record is None:
                self.add("V019", where, key, task_id, None, None,
                         "an annotation is not a JSON object", f"skipped; {LEFT_OUT}")
                continue
            ann_id = record.id
            who = record.annotator_id
            awhere = None
            if record.cancelled:
                counts["cancelled"] += 1
                self.add("V015", awhere, key, task_id, ann_id, who,
                         "cancelled (skipped) annotation", "counted, not used as labels")
                continue
            counts["submitted"] += 1
            if not who:
                anonymous += 1
            else:
                if who in seen:
                    self.add("V013", awhere, key, task_id, ann_id, who,
                             f"annotator {who} submitted this task twice "
                             f"(annotations {seen[who]} and {ann_id})",
                             "only the latest is used; delete the other in Label Studio")
                else:
                    seen[who] = ann_id
            self._annotation(record, data, awhere, key, task_id, ann_id, who)
        drafts = task.drafts
        if drafts is not None:
            for draft in drafts:
                counts["drafts"] += 1
                user = draft.get("user") if type(draft) is dict else None
                draft_id = draft.get("id") if type(draft) is dict else None
                self.add("V016", f"task {task_id} [{key}] draft {draft_id} by annotator {user}",
                         key, task_id,
                         draft_id, str(user) if user is not None else None,
                         "draft (not submitted)", "counted, not used as labels")
        # Annotators, not annotations: one person submitting twice is still one annotator.
        annotators = len(seen) + anonymous
        if annotators < self.overlap:
            self.add("V014", where, key, task_id, None, None,
                     f"{annotators} annotator(s) submitted; the schema asks for {self.overlap}",
                     "aggregated with what there is; assign more annotators in Label Studio")

    def _corpus_check(self, key: str, data: dict, where: str | None, task_id) -> None:
        expected = self.corpus.get(key)  # type: ignore[union-attr]
        if expected is None:
            self.add("V012", where, key, task_id, None, None,
                     "the task's key is not in the corpus file given",
                     "checked without the corpus comparison")
            return
        fields = ("text",) if self.schema.unit == "comment" else ("body", "title")
        if _digest(tuple(data.get(f) for f in fields)) != expected:
            self.add("V011", where, key, task_id, None, None,
                     f"the task's {'/'.join(fields)} differs from the corpus: the text changed "
                     "after the task was pushed, so span offsets may point to the wrong words",
                     f"{LEFT_OUT}; push the new text as a new task, or re-ingest the old one")

    # -- one annotation -----------------------------------------------------------
    def _annotation(self, record: Annotation, data: dict, where: str | None, key, task_id,
                    ann_id, who: str | None) -> None:
        result = record.raw.get("result")
        if result is None:
            result = []
        if type(result) is not list:
            self.add("V019", where, key, task_id, ann_id, who,
                     "the annotation's result is not a list", f"annotation skipped; {LEFT_OUT}")
            return
        questions = self.questions
        checks = self.checks
        self.counts["results"] += len(result)
        # ``state.extracted``: this annotation's answers as extract_answers reads them,
        # built on the kinds' fast paths only; None once any result needs the careful path
        # (or a question is answered twice), and then the caller extracts them itself.
        state = self._state  # one per checker, reset per annotation (no allocation)
        state.answered = {}
        state.spans = {}
        state.extracted = {} if self.collect else None
        state.marked = None
        state.ids = (where, key, task_id, ann_id, who)
        for item in result:
            if type(item) is not dict:
                self.add("V019", where, key, task_id, ann_id, who,
                         "a result is not a JSON object", f"skipped; {LEFT_OUT}")
                state.extracted = None
                continue
            name = item.get("from_name")
            question = questions.get(name) if type(name) is str else None
            if question is None:
                self._unknown_question(name, where, key, task_id, ann_id, who)
                state.extracted = None
                continue
            value = item.get("value")
            if type(value) is not dict:
                self.malformed(question, "has no value object", (where, key, task_id, ann_id, who))
                state.extracted = None
                continue
            # The kind checks the result: a fast path for the well-formed common case,
            # anything unusual goes to its careful checks, which produce the findings.
            checks[question.name](state, value, data)
        answered = state.answered
        spans = state.spans
        extracted = state.extracted
        marked = state.marked
        for name, found in spans.items():
            if not questions[name].allow_overlap and len(found) > 1:
                self._overlaps(name, found, where, key, task_id, ann_id, who)
        if extracted is not None:
            if marked is not None:
                for name, found in marked.items():
                    extracted[name] = self.kinds[name].combine(found, self.rank[name])
            record.answers = extracted
        for question in self.conditional:
            holds = self._condition_holds(question, answered)
            if question.name in answered and not holds:
                when = question.when
                self.add("V005", where, key, task_id, ann_id, who,
                         f"question '{question.name}' is answered although it applies only when "
                         f"'{when.question}' is {' or '.join(when.equals)}",  # type: ignore[union-attr]
                         "the answer is kept in the data; check the annotator's reading",
                         question.name)
        for question in self.required:
            if question.name not in answered and (
                question.when is None or self._condition_holds(question, answered)
            ):
                self.add("V004", where, key, task_id, ann_id, who,
                         f"required question '{question.name}' is not answered",
                         "the item is kept: this annotator's missing answer counts as no answer "
                         "in the vote; ask for a fix",
                         question.name)

    def _condition_holds(self, question: Question, answered: dict) -> bool:
        when = question.when
        given = answered.get(when.question)  # type: ignore[union-attr]
        if given is None:
            return False
        values = given if type(given) is list else [given]
        return any(v in when.equals for v in values)  # type: ignore[union-attr]

    def _unknown_question(self, name, where, key, task_id, ann_id, who) -> None:
        if self.older:
            why = (f"the annotation was made under an older schema version (snapshot schema "
                   f"{self.report.snapshot_schema_hash}, current {self.schema.content_hash})")
        else:
            why = "a question removed or renamed in the schema, or a config edited by hand"
        self.add("V001", where, key, task_id, ann_id, who,
                 f"answer to question {name!r}, which the schema does not have: {why}",
                 "the answer is ignored (also by aggregation and build)",
                 str(name) if name is not None else None)

    def finding(self, code: str, ids: Ids, message: str, action: str = "",
                question: str | None = None) -> None:
        """:meth:`add` with the annotation's ids as one tuple (the kinds' hooks)."""
        self.add(code, *ids, message, action, question)

    def malformed(self, question: Question, what: str, ids: Ids) -> None:
        self.add("V017", *ids,
                 f"the answer to '{question.name}' {what}", REJECT_FIX, question.name)

    def _overlaps(self, name: str, found: list, where, key, task_id, ann_id, who) -> None:
        found = sorted(found)
        reach_end, reach = found[0][1], found[0]
        for span in found[1:]:
            if span[0] < reach_end:
                self.add("V009", where, key, task_id, ann_id, who,
                         f"spans {reach[0]}..{reach[1]} and {span[0]}..{span[1]} in '{name}' "
                         "overlap, which the question does not allow", "both spans are kept",
                         name)
            if span[1] > reach_end:
                reach_end, reach = span[1], span
