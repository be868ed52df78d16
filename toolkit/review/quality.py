"""Annotator competence over a snapshot's aggregated items (what `corpus agree` shows).

:func:`competence_report` takes the aggregated items of a snapshot (as
``aggregate_task`` returns them) and, per question the label models handle
(single, yes/no, rating, multi), fits the Dawid-Skene model on the items
aggregated from their annotators' answers (not ground truth, not too few),
skipping a question on which every answer is the same (nothing tells annotators
apart there), then reports per annotator and question :class:`~toolkit.review.competence.Competence`
(items done, agreement with the aggregated label under the schema's rule, the
model's accuracy estimate, spammer score, flags A050-A052) and, where items
have ground truth (marked in Label Studio or given by an adjudicator), each
other annotator's accuracy against it (questions the ground truth left empty
are not compared).

Under the rule ``dawid_skene`` the items are re-decided first
(:func:`~toolkit.review.rule.apply_label_model`) and its models are reused;
under ``majority``/``unanimous`` the models are fitted for the competence
figures only and the labels are left as aggregated.

:func:`review_snapshot` reads a snapshot once for both the agreement report and
this one; under the rule ``dawid_skene`` the agreement report's unresolved items
(``corpus agree --unresolved``) are those the model left unresolved (below
``annotation.min_confidence``), as build will reject them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aggregate import GROUND_TRUTH, AggregatedItem, aggregate_task, unresolved_rows
from ..report import Finding
from ..schema import Schema
from .competence import Competence, competence, competence_multi, findings
from .dawid_skene import MultiLabelModel, binary_relevance, dawid_skene
from .rule import MODEL_KINDS, _label_order, apply_label_model


@dataclass
class CompetenceReport:
    """Per (annotator, question) figures, their flags as findings, and readable names."""

    rows: list[Competence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "annotators": [{**row.to_dict(), "name": self.names.get(str(row.annotator))}
                           for row in self.rows],
            "findings": [f.to_dict() for f in self.findings],
        }


def _gold(items: Sequence[AggregatedItem], name: str, set_valued: bool
          ) -> dict[str, tuple[int, int]]:
    """annotator -> (answers on ground-truth items, of them equal to the ground truth)."""
    out: dict[str, list[int]] = {}
    for item in items:
        if item.gold_by is None or item.provenance.get(name) != GROUND_TRUTH:
            continue
        truth = item.labels.get(name)
        if truth is None or truth == ():  # the ground truth left this question empty
            continue
        for who, given in item.answers:
            if who == item.gold_by:
                continue
            answer = given.get(name)
            if set_valued:
                same = set(answer or ()) == set(truth or ())
            else:
                same = answer == truth
            counts = out.setdefault(who, [0, 0])
            counts[0] += 1
            counts[1] += int(same)
    return {who: (done, right) for who, (done, right) in out.items()}


def competence_report(items: Sequence[AggregatedItem], schema: Schema) -> CompetenceReport:
    """See the module docstring. Under the rule dawid_skene, ``items`` are re-decided in
    place (as build does)."""
    report = CompetenceReport()
    for item in items:
        report.names.update(item.names)
    models = apply_label_model(items, schema)
    pool = [item for item in items if item.votes is not None]
    for question in schema.questions:
        if question.kind not in MODEL_KINDS:
            continue
        name = question.name
        triples = [(index, who, vote)
                   for index, item in enumerate(pool)
                   for (who, _), vote in zip(item.answers, item.votes[name], strict=True)]
        if len({vote for _, _, vote in triples}) < 2:
            continue  # everyone gave the same answer (or none): nothing to tell them apart
        model = models.get(name)
        if model is None:
            model = (binary_relevance(triples, question.label_values)
                     if question.kind == "multi"
                     else dawid_skene(triples, _label_order(question)))
        rows = (competence_multi(model, question=name) if isinstance(model, MultiLabelModel)
                else competence(model, question=name))
        # agreement with the label the items carry under the schema's rule
        _agreement_with_labels(rows, model, pool, name)
        gold = _gold(items, name, question.kind == "multi")
        seen = set()
        for row in rows:
            seen.add(row.annotator)
            done, right = gold.get(row.annotator, (0, 0))
            row.gold_items, row.gold_accuracy = done, (right / done if done else None)
        for who, (done, right) in gold.items():  # annotators seen on gold items only
            if who not in seen:
                rows.append(Competence(annotator=who, question=name, items=0, agreement=0.0,
                                       accuracy=float("nan"), spammer_score=None,
                                       gold_items=done, gold_accuracy=right / done))
        report.rows.extend(rows)
    report.findings = findings(report.rows, names=report.names)
    return report


def _agreement_with_labels(rows: list[Competence], model: Any,
                           pool: Sequence[AggregatedItem], name: str) -> None:
    """Per annotator, the share of their answers equal to the item's aggregated label (the
    schema's rule; an unresolved item counts as not agreed)."""
    agreed: dict[Any, list[int]] = {}
    for item in pool:
        label = item.labels.get(name)
        resolved = item.provenance.get(name) != "unresolved"
        for (who, _), vote in zip(item.answers, item.votes[name], strict=True):
            counts = agreed.setdefault(who, [0, 0])
            counts[0] += 1
            counts[1] += int(resolved and vote == label)
    for row in rows:
        done, same = agreed.get(row.annotator, (0, 0))
        row.agreement = same / done if done else 0.0


def review_snapshot(snapshot: str | Path, schema: Schema):
    """(AgreementReport, CompetenceReport) of one snapshot, read once."""
    from ..agreement import AgreementCollector
    from ..snapshot import check_schema, open_snapshot

    snap = open_snapshot(snapshot)
    changed = check_schema(snap.header, schema, snap.path)  # another schema's: SnapshotError
    collector = AgreementCollector(schema)
    items = []
    for task in snap.tasks():
        if isinstance(task, dict):
            item = aggregate_task(task, schema)
            collector.add(item)
            items.append(item)
    agreement = collector.report()
    if changed is not None:
        agreement.findings.append(Finding("warning", "V020", str(snap.path), changed,
                                          "answers are read with the schema given"))
    competence_figures = competence_report(items, schema)  # re-decides under dawid_skene
    if schema.annotation.rule == "dawid_skene":
        # the items to adjudicate are those the model left unresolved, as build will
        agreement.unresolved = [row for item in items for row in unresolved_rows(item)]
    return agreement, competence_figures
