"""The review stage's one entry: validation, aggregation and agreement from ONE
streaming read of a snapshot.

    from toolkit.review import review_snapshot
    result = review_snapshot("exports/s/snapshots/X.json", schema, corpus="exports/corpus.jsonl")
    result.validation, result.items, result.agreement

Each task is parsed once; the validator walks its results and hands the answers
it extracted to aggregation (so results are read once), and the agreement
collector takes the aggregated item (so answers are never read again). What is
not asked for is not computed: ``corpus validate`` runs the validator alone,
``corpus agree`` aggregation and agreement, ``corpus build`` and ``corpus sync``
all three. The snapshot header is checked here, for every step (V020).

A rule that needs every item before it decides any (a label model:
``Rule.decides_all_at_once``, toolkit.rules) gets the aggregated items held,
re-decided once the read is done, and only then handed to ``item``; the agreement
report's unresolved items are then those the rule left unresolved (what build
rejects).
An annotation by an account in the schema's ``annotation.adjudicators`` is ground
truth; the export names annotators by id only, so they are found through the
header's ``annotator_emails`` map (toolkit.review.adjudicators, which also says
when a ground-truth star counts). What aggregation met about who decides (A060-A063)
is in ``result.findings``.
``competence=True`` adds the annotators' competence figures
(toolkit.review.quality) from the same read, reusing the rule's models; under a
rule that decides task by task they are gathered in compact arrays as the items
pass (``CompetenceCollector``), so no item is held. ``on_progress(done, total)``
follows the read (tasks of the header's count) for a progress bar.

A rule that lets a model vote (``Rule.needs_model``: ``crowdlab``) needs the model's
probabilities, which review cannot compute (the classifier lives in toolkit.model,
above it): the caller passes a provider, ``model_votes`` (toolkit.model.votes:
``baseline_votes``, or ``predictions_votes(file)``), called once with the held items.
The rule's ratings of the annotators and of the model, its likely label errors and
the model's version come back in ``result.ratings``, ``result.likely_errors`` and
``result.model_versions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, KeysView, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from ..columns import SpilledRows
from ..errors import InputError
from ..findings import Finding
from ..rules import Decided, ModelProvider, rule_of
from ..schema import Schema
from ..studio.snapshot import OnProgress, Snapshot, open_snapshot
from .adjudicators import GoldPolicy, gold_policy, stars_findings
from .aggregate import AggregatedItem, aggregate_task, restate, unresolved_rows
from .agreement import AgreementCollector, AgreementReport, name_annotators
from .header import check_header, schema_changed_finding
from .quality import CompetenceCollector, competence_report
from .records import Task, parse_task
from .validate import CODES, REJECTS_ITEM, ValidationReport, corpus_fingerprints, task_validator

__all__ = ["Observer", "ReviewResult", "agreement_for_snapshot", "review_snapshot"]

#: ``observer(task record, aggregated item, invalid reason or None)``, called per task inside
#: the pass (the HTML report's tally is one): what else a caller counts rides on the
#: same read. The reason is the task's first item-rejecting finding so far
#: ("V002 unknown-label: ..."), as ``ReviewResult.invalid`` holds it.
Observer = Callable[[Task, AggregatedItem, "str | None"], None]


@dataclass
class ReviewResult:
    """What one pass over a snapshot found; the parts not asked for are None.

    ``items``: one per task in snapshot order, the :class:`AggregatedItem` or what the
    ``item`` callable made of it. ``invalid``: task id -> its first finding that makes
    the item unusable ("V002 unknown-label: ..."; only the codes in
    ``validate.REJECTS_ITEM``, with validation). ``schema_changed``: the V020 text
    when the snapshot was pulled under another version of the schema. ``corpus_keys``:
    the corpus's task keys, when a corpus was given. ``seconds``: time per step.
    """

    snapshot: Snapshot
    schema_changed: str | None = None
    validation: ValidationReport | None = None
    items: list[Any] | None = None
    agreement: AgreementReport | None = None
    competence: Any = None  # CompetenceReport (toolkit.review.quality), when asked for
    invalid: dict[Any, str] = field(default_factory=dict)
    corpus_keys: KeysView[str] | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    # about who decides items (A060-A063, toolkit.review.adjudicators) and the label
    # model (A053, A054), with aggregation only
    findings: list[Finding] = field(default_factory=list)
    # under a rule with a model (crowdlab): its ratings of the annotators and the model
    # ({question, annotator (None: the model), items, quality, weight, agreement}), the
    # likely label errors ({task_id, corpus_key, question, label, model_label, score},
    # the likeliest first) and question -> the version of the model that voted
    ratings: list[dict] = field(default_factory=list)
    likely_errors: list[dict] = field(default_factory=list)
    model_versions: dict[str, str] = field(default_factory=dict)


def review_snapshot(
    snapshot: str | Path | Snapshot,
    schema: Schema,
    *,
    corpus: str | Path | None = None,
    validate: bool = True,
    aggregate: bool = True,
    agreement: bool = True,
    item: Callable[[AggregatedItem], Any] | None = None,
    observers: Sequence[Observer] = (),
    competence: bool = False,
    model_votes: ModelProvider | None = None,
    on_progress: OnProgress | None = None,
    list_unresolved: bool = True,
    keep_findings: bool | int = True,
    on_figures: OnProgress | None = None,
) -> ReviewResult:
    """Read ``snapshot`` once and return the validation report, the aggregated items
    and the agreement report together (see the module docstring).

    ``corpus`` (the corpus JSONL the tasks were pushed from) lets validation flag text
    changed since push (V011). ``item`` turns each aggregated item into what the
    caller keeps (build drops the task data it does not publish as early as it can); an
    ``item`` that returns None keeps nothing in ``items`` (build's own read: its records
    and spool hold what it needs).
    ``observers`` are called per task with (task, aggregated item, invalid reason or
    None) before ``item`` (see :data:`Observer`); they make the pass aggregate.
    ``competence`` adds the annotators' competence figures (``result.competence``).
    ``model_votes``: the model's probabilities for a rule with ``needs_model`` (module
    docstring); InputError when such a rule gets none.
    ``on_progress(done, total)``: tasks read (see :meth:`Snapshot.tasks`), for a bar;
    ``on_figures(done, total)``: the questions whose figures are made after the read
    (agreement's, then competence's label models, a few seconds each on a million tasks).
    ``list_unresolved=False`` leaves the agreement report's list of unresolved items
    (``agreement.unresolved``) empty: a caller that does not show them (build) saves a few
    hundred bytes an unresolved item.
    ``keep_findings=False`` counts validation's findings (``validation.summary``, and the
    invalid tasks in ``invalid``) but keeps none of them in ``validation.findings``: a
    caller that shows the counts only (the report) saves a few hundred bytes a finding,
    on a snapshot where most tasks have one (V014, fewer annotators than the overlap).
    A number N keeps the first N errors and warnings and no info finding (`corpus
    validate` prints the first 200).
    Raises SnapshotError when the snapshot cannot be read or was pulled for another
    schema.
    """
    snap = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    changed = check_header(snap.header, schema, snap.path)
    result = ReviewResult(snap, changed)
    fingerprints = None
    if validate and corpus is not None:
        fingerprints = corpus_fingerprints(corpus, schema)
        result.corpus_keys = fingerprints.keys()
    validator = task_validator(schema, header=snap.header, corpus=fingerprints) if validate \
        else None
    collector = None
    unresolved = None
    if agreement:
        collector = AgreementCollector(schema, list_unresolved=list_unresolved)
    observers = tuple(observers)
    if validator is not None and not (aggregate or agreement or observers):
        checks = _Checks(validator, result.invalid, keep_findings)
        for task in snap.tasks(on_progress):
            checks.task(task)
    else:
        policy, result.findings = gold_policy(schema, snap.header, str(snap.path))
        # a rule that decides all items at once needs them held; competence alone does
        # not: it is gathered in compact arrays as the items pass (bounded memory)
        hold = rule_of(schema.annotation.rule).decides_all_at_once
        gathering = CompetenceCollector(schema) if competence and not hold else None
        held = _pass(result, schema, validator, collector, keep_items=aggregate, item=item,
                     hold=hold, observers=observers, policy=policy, competence=gathering,
                     on_progress=on_progress, keep_findings=keep_findings)
        if held is not None:
            unresolved = _decide(result, schema, held, competence=competence,
                                 keep_items=aggregate, item=item, model_votes=model_votes,
                                 list_unresolved=list_unresolved)
        # the figures made after the read, question by question: agreement's, then the fits
        agreed = len(collector.questions) if collector is not None else 0
        steps = agreed + (gathering.fits if gathering is not None else 0)
        if collector is not None:  # before the competence fits: its codes are gone by then
            _agreement(result, collector, unresolved, changed, None if on_figures is None
                       else lambda done: on_figures(done, steps))
            collector = None
        if gathering is not None:
            start = perf_counter()
            names = snap.header.get("annotators")
            result.competence = gathering.report(
                names=names if isinstance(names, dict) else None,
                on_fit=None if on_figures is None else lambda done: on_figures(agreed + done,
                                                                              steps))
            result.seconds["competence"] = (result.seconds.get("competence", 0.0)
                                            + perf_counter() - start)
    if validator is not None:
        result.validation = validator.report
        result.validation.snapshot = str(snap.path)
    return result


def _agreement(result: ReviewResult, collector: AgreementCollector,
               unresolved: list[dict] | None, changed: str | None,
               on_question: Callable[[int], None] | None = None) -> None:
    """The agreement report from what ``collector`` gathered, into ``result``."""
    start = perf_counter()
    snap = result.snapshot
    result.agreement = collector.report(on_question=on_question)
    if unresolved is not None:  # rule dawid_skene: what build rejects, not the ties
        result.agreement.unresolved = SpilledRows(unresolved)
    name_annotators(result.agreement, snap.header)  # names from pull's `annotators` map
    result.seconds["agreement"] = result.seconds.get("agreement", 0.0) + perf_counter() - start
    if changed is not None:
        result.agreement.findings.append(schema_changed_finding(snap.path, changed, "agree"))


def _pass(result: ReviewResult, schema: Schema, validator: Any, collector: Any, *,
          keep_items: bool, item: Callable[[AggregatedItem], Any] | None,
          hold: bool = False, policy: GoldPolicy | None = None,
          observers: Sequence[Observer] = (),
          competence: CompetenceCollector | None = None,
          on_progress: OnProgress | None = None,
          keep_findings: bool | int = True) -> list[AggregatedItem] | None:
    """The streaming loop with aggregation, timed per step (observers count as
    aggregation's time). With ``hold``, returns every aggregated item (for the label
    model or competence, :func:`_decide`); the items under the rule dawid_skene are
    then made by :func:`_decide`. The items' findings go to ``result.findings``, with
    who starred what when the schema lists no adjudicators."""
    items: list[Any] = []
    held: list[AggregatedItem] | None = [] if hold else None
    decide_later = hold and rule_of(schema.annotation.rule).decides_all_at_once
    invalid = result.invalid
    # annotator -> tasks their star decided, when any account's star decides
    starred: dict[str, list] | None = None if policy is None or policy.listed else {}
    checks = _Checks(validator, invalid, keep_findings) if validator is not None else None
    if validator is not None:
        validator.collect = True  # its answers feed aggregation: results walked once
    read = validating = aggregating = agree = competent = 0.0
    tasks = result.snapshot.tasks(on_progress)
    while True:
        start = perf_counter()
        raw = next(tasks, None)
        if raw is None:
            read += perf_counter() - start
            break
        task = parse_task(raw) if type(raw) is dict else raw  # typed once, for every step
        after_read = perf_counter()
        read += after_read - start
        if checks is not None:
            checks.task(task)  # fills the annotations' answers on its fast paths
            after_validate = perf_counter()
            validating += after_validate - after_read
        else:
            after_validate = after_read
        if not isinstance(task, Task):
            continue  # not a task object: validation said so (V019); nothing to aggregate
        agg = aggregate_task(task, schema, policy=policy)
        if agg.findings:
            result.findings.extend(agg.findings)
        if agg.gold_by is not None and starred is not None:
            starred.setdefault(agg.gold_by, []).append(agg.task_id)
        if observers:
            reason = invalid.get(agg.task_id) if invalid else None
            for observe in observers:
                observe(task, agg, reason)
        after_aggregate = perf_counter()
        aggregating += after_aggregate - after_validate
        if collector is not None:
            collector.add(agg)
            agree += perf_counter() - after_aggregate
        if competence is not None:
            start = perf_counter()
            competence.add(agg)
            competent += perf_counter() - start
        if held is not None:
            held.append(agg)
            if decide_later:
                continue
        if keep_items:
            kept = agg if item is None else item(agg)
            if kept is not None:  # None: the caller keeps what it needs itself (build)
                items.append(kept)
            if held is not None and kept is not agg:
                agg.data = {}  # competence needs the answers only (memory)
    if keep_items and not decide_later:
        result.items = items
    if starred and policy is not None:
        result.findings.extend(stars_findings(starred, policy, str(result.snapshot.path)))
    result.seconds = {"read": read, "validate": validating, "aggregate": aggregating,
                      "agreement": agree}
    if competence is not None:
        result.seconds["competence"] = competent
    return held


class _Checks:
    """Validation task by task: each task's first item-rejecting finding noted in
    ``invalid``, and of its findings only those ``keep_findings`` keeps in the report's
    list: all (True), none (False: counted in the summary only), or the first N errors
    and warnings."""

    def __init__(self, validator: Any, invalid: dict[Any, str], keep: bool | int) -> None:
        self.validator = validator
        self.findings: list[Any] = validator.report.findings
        self.invalid = invalid
        self.room = None if keep is True else 0 if keep is False else int(keep)

    def task(self, task: Any) -> None:
        findings = self.findings
        seen = len(findings)
        self.validator.task(task)
        if len(findings) == seen:
            return
        note_invalid(findings[seen:], self.invalid)
        if self.room is None:
            return
        added = findings[seen:]
        del findings[seen:]  # counted in the summary, not kept
        for finding in added:
            if self.room and finding.level != "info":
                findings.append(finding)
                self.room -= 1


def _decide(result: ReviewResult, schema: Schema, held: list[AggregatedItem], *,
            competence: bool, keep_items: bool,
            item: Callable[[AggregatedItem], Any] | None,
            model_votes: ModelProvider | None = None,
            list_unresolved: bool = True) -> list[dict] | None:
    """After the read: the decisions of a rule that decides all items at once (then the
    items), and the competence figures, from the held aggregated items. Returns the
    unresolved rows under such a rule (None under another rule)."""
    start = perf_counter()
    decided = decide(held, schema,  # empty under a rule that decides task by task
                     findings=result.findings, where=str(result.snapshot.path),
                     model_votes=model_votes)
    rule = rule_of(schema.annotation.rule)
    # competence reuses a label model's fits; a rule with a model fits something else
    models = {} if rule.needs_model else decided.fitted
    result.ratings, result.model_versions = decided.ratings, decided.model_versions
    result.likely_errors = decided.suspects
    unresolved = None
    if rule_of(schema.annotation.rule).decides_all_at_once:
        if keep_items:
            result.items = held if item is None else [
                kept for kept in map(item, held) if kept is not None]
        unresolved = ([row for agg in held for row in unresolved_rows(agg)]
                      if list_unresolved else [])
    result.seconds["aggregate"] = result.seconds.get("aggregate", 0.0) + perf_counter() - start
    if competence:
        start = perf_counter()
        names = result.snapshot.header.get("annotators")
        result.competence = competence_report(
            held, schema, models, names=names if isinstance(names, dict) else None)
        result.seconds["competence"] = perf_counter() - start
    return unresolved


def decide_all(items: Sequence[AggregatedItem], schema: Schema, *,
               findings: list[Finding] | None = None, where: str = "snapshot",
               model_votes: ModelProvider | None = None) -> dict[str, Any]:
    """:func:`decide`, returning what the rule fitted per question only ({} under a rule
    that decides task by task)."""
    return decide(items, schema, findings=findings, where=where,
                  model_votes=model_votes).fitted


def decide(items: Sequence[AggregatedItem], schema: Schema, *,
           findings: list[Finding] | None = None, where: str = "snapshot",
           model_votes: ModelProvider | None = None) -> Decided:
    """Re-decide ``items`` in place under the schema's rule when it decides all items at
    once (a label model, CROWDLAB), and restate each one's status; returns what the rule
    decided (``fitted``: per question, for competence; a rule with a model: ratings and
    likely label errors, their ``index`` replaced by the item's task_id and corpus_key).
    Does nothing under another rule. ``findings`` gets the rule's findings (A053, A054,
    A070), ``where`` naming the snapshot; ``model_votes``: see :func:`review_snapshot`."""
    rule = rule_of(schema.annotation.rule)
    if not rule.decides_all_at_once:
        return Decided()
    pool = [item for item in items if item.votes is not None]
    if rule.needs_model:
        if model_votes is None:
            raise InputError(f"rule {rule.name} needs a model's probabilities and none was "
                             "given (review_snapshot's model_votes, e.g. "
                             "toolkit.model.votes.baseline_votes)")
        votes = model_votes(pool, schema) if pool else {}
        decided = rule.decide_all(pool, schema, where=where,  # type: ignore[call-arg]
                                  model=votes)
        for row in decided.suspects:
            item = pool[row.pop("index")]
            row["task_id"], row["corpus_key"] = item.task_id, item.corpus_key
    else:
        decided = rule.decide_all(pool, schema, where=where)
    for index, item in enumerate(pool):
        restate(item, schema, unjudged=index in decided.unjudged,
                note=decided.notes.get(index))
    if findings is not None:
        findings.extend(decided.findings)
    return decided


def agreement_for_snapshot(snapshot: str | Path | Snapshot, schema: Schema, *,
                           on_progress: OnProgress | None = None) -> AgreementReport:
    """``compute_agreement`` over a snapshot file (streamed). SnapshotError when it cannot be
    read or was pulled for another schema; a warning (V020) in ``findings`` when it was
    pulled under another version of this schema. :func:`review_snapshot` with agreement alone."""
    agreement = review_snapshot(snapshot, schema, validate=False, aggregate=False,
                                on_progress=on_progress).agreement
    assert agreement is not None  # asked for
    return agreement


def note_invalid(findings: Iterable[Any], invalid: dict[Any, str]) -> None:
    """Add to ``invalid`` (task id -> reason) the first finding that makes its item
    unusable (a code in validate's REJECTS_ITEM) of each task not in it yet."""
    for finding in findings:
        task_id = getattr(finding, "task_id", None)
        if finding.code in REJECTS_ITEM and task_id is not None and task_id not in invalid:
            invalid[task_id] = f"{finding.code} {CODES[finding.code][1]}: {finding.message}"
