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

Under the rule ``dawid_skene`` the items come re-decided
(:func:`~toolkit.review.run.decide_all`, which ``review_snapshot`` runs) and
its models are passed in and reused; under ``majority``/``unanimous`` the models are
fitted here for the competence figures only and the labels are left as aggregated.

``review_snapshot(..., competence=True)`` (toolkit.review.run) computes this report
in the same read of a snapshot as validation, aggregation and agreement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..kinds.base import PER_LABEL
from ..rules import fit_label_model, modelled
from ..rules.dawid_skene import MultiLabelModel
from ..schema import Schema
from .aggregate import GROUND_TRUTH, UNRESOLVED, AggregatedItem
from .competence import Competence, competence, competence_multi, findings


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

    def report_rows(self) -> list[dict[str, Any]]:
        """The HTML report's competence section (toolkit.html_report.model): per annotator
        and question, the model's accuracy estimate as the score."""
        rows = []
        for row in self.rows:
            if not row.items:
                continue  # seen on ground-truth items only: no estimate
            name = self.names.get(str(row.annotator))
            accuracy = float(row.accuracy)
            rows.append({"annotator": f"{row.annotator} ({name})" if name else str(row.annotator),
                         "question": row.question,
                         "score": None if accuracy != accuracy else round(accuracy, 4),
                         "items": row.items,
                         "on_gold": row.gold_accuracy,
                         "flags": list(row.flags)})
        return rows


def _gold(items: Sequence[AggregatedItem], name: str, set_valued: bool
          ) -> dict[str, tuple[int, int]]:
    """annotator -> (answers on ground-truth items, of them equal to the ground truth)."""
    out: dict[str, list[int]] = {}
    for item in items:
        if item.gold_by is None or item.provenance.get(name) != GROUND_TRUTH:
            continue
        truth: Any = item.labels.get(name)
        if truth is None or truth == ():  # the ground truth left this question empty
            continue
        for who, given in item.answers:
            if who == item.gold_by:
                continue
            answer: Any = given.get(name)
            if set_valued:
                same = set(answer or ()) == set(truth or ())
            else:
                same = answer == truth
            counts = out.setdefault(who, [0, 0])
            counts[0] += 1
            counts[1] += int(same)
    return {who: (done, right) for who, (done, right) in out.items()}


def competence_report(items: Sequence[AggregatedItem], schema: Schema,
                      models: Mapping[str, Any] | None = None,
                      names: Mapping[str, str] | None = None) -> CompetenceReport:
    """See the module docstring. ``models``: question -> the label model already fitted
    on these items (``decide_all``'s); the others are fitted here. ``names``:
    annotator id -> readable name (pull's map), beside those the items carry."""
    report = CompetenceReport()
    for item in items:
        report.names.update(item.names)
    for who, name in (names or {}).items():
        if isinstance(name, str) and name:
            report.names.setdefault(str(who), name)
    models = models or {}
    pool = [item for item in items if item.votes is not None]
    for question, kind_model in modelled(schema):
        name = question.name
        triples = [(index, who, vote)
                   for index, item in enumerate(pool)
                   for (who, _), vote in zip(item.answers, (item.votes or {})[name], strict=True)]
        if len({vote for _, _, vote in triples}) < 2:
            continue  # everyone gave the same answer (or none): nothing to tell them apart
        model = models.get(name)
        if model is None:
            model = fit_label_model(question, kind_model, triples)
        rows = (competence_multi(model, question=name) if isinstance(model, MultiLabelModel)
                else competence(model, question=name))
        # agreement with the label the items carry under the schema's rule
        _agreement_with_labels(rows, model, pool, name)
        gold = _gold(items, name, kind_model == PER_LABEL)
        seen = set()
        for row in rows:
            seen.add(row.annotator)
            done, right = gold.get(row.annotator, (0, 0))  # type: ignore[call-overload]
            row.gold_items, row.gold_accuracy = done, (right / done if done else None)
        for who, (done, right) in gold.items():  # annotators seen on gold items only
            if who not in seen:
                rows.append(Competence(annotator=who, question=name, items=0, agreement=None,
                                       accuracy=float("nan"), spammer_score=None,
                                       gold_items=done, gold_accuracy=right / done))
        report.rows.extend(rows)
    report.findings = findings(report.rows, names=report.names)
    return report


def _agreement_with_labels(rows: list[Competence], model: Any,
                           pool: Sequence[AggregatedItem], name: str) -> None:
    """Per annotator, the share of their answers equal to the item's aggregated label (the
    schema's rule), over the items that have one: an unresolved item has no label to
    agree with, and an annotator with no resolved item gets None (shown "-"), never 0."""
    agreed: dict[Any, list[int]] = {}
    for item in pool:
        if item.provenance.get(name) == UNRESOLVED:
            continue
        label = item.labels.get(name)
        for (who, _), vote in zip(item.answers, (item.votes or {})[name], strict=True):
            counts = agreed.setdefault(who, [0, 0])
            counts[0] += 1
            counts[1] += int(vote == label)
    for row in rows:
        done, same = agreed.get(row.annotator, (0, 0))
        row.agreement = same / done if done else None
