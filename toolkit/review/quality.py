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
in the same read of a snapshot as validation, aggregation and agreement, feeding a
:class:`CompetenceCollector` item by item (a few integers per answer), so a
million-task snapshot is never held for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..columns import SpilledInts, spill_every
from ..findings import Finding
from ..kinds.base import PER_LABEL
from ..rules import fit_coded, modelled
from ..rules.dawid_skene import MultiLabelModel
from ..schema import Question, Schema
from .aggregate import GROUND_TRUTH, UNRESOLVED, AggregatedItem
from .competence import Competence, answer_steps, competence, competence_multi, findings


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


class _Codes(dict):
    """value -> code, a new value getting the next code (in order of first appearance)."""

    def __missing__(self, value: Any) -> int:
        code = self[value] = len(self)
        return code


_UNRESOLVED_LABEL, _NO_CODE = -2, -3  # CompetenceCollector's label markers
# per question: (name, multi choice, per answer its code, value -> code, per item its
# label's code, annotator -> [answers on ground truth, of them right])
_Plan = tuple[str, bool, SpilledInts, _Codes, SpilledInts, dict[str, list[int]]]


class CompetenceCollector:
    """What :func:`competence_report` needs, gathered item by item in compact arrays, so a
    streaming pass over a snapshot never holds its items: per item its number of
    answers, per answer the annotator's number (in order of first appearance), per
    question each answer's code (its value in order of first appearance) and each item's
    label code, each in the narrowest ints that hold them (one byte while a team has
    under 128 annotators and a question under 128 values), in temporary files
    (:class:`~toolkit.columns.SpilledInts`: read back a question at a time); the
    ground-truth and agreement-with-label counts as small per-annotator counters.
    ``report`` fits the label models on the arrays as kept (``toolkit.rules.fit_coded``):
    the same figures as from the items themselves."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.modelled = modelled(schema)
        self.names: dict[str, str] = {}
        self._n_items = 0
        self._sizes = SpilledInts()  # per item (pool items with answers): its answers
        self._annotator = SpilledInts()  # per answer: the annotator's number
        self._annotator_of = _Codes()
        self._plan: list[_Plan] = [
            (question.name, shape == PER_LABEL, SpilledInts(), _Codes(), SpilledInts(), {})
            for question, shape in self.modelled]
        self._columns = [self._sizes, self._annotator,
                         *(column for plan in self._plan for column in (plan[2], plan[4]))]

    def add(self, item: AggregatedItem) -> None:
        """Count one aggregated item (after a rule that decides all at once re-decided it)."""
        if item.names:
            self.names.update(item.names)
        if item.gold_by is not None:
            for name, set_valued, _, _, _, gold in self._plan:
                _count_gold(item, name, set_valued, gold)
        votes = item.votes
        if votes is None or not item.answers:
            return
        self._n_items += 1
        self._sizes.append(len(item.answers))
        # per answer, the columns' buffers are appended to directly (array's own append:
        # no Python call a value), and written to their files when full
        spill_every(self._n_items, self._columns)
        annotator_of, annotators = self._annotator_of, self._annotator
        numbers = [annotator_of[who] for who, _ in item.answers]
        if len(annotator_of) > annotators.limit:
            annotators.fit(len(annotator_of))
        annotators.values.extend(numbers)
        provenance, labels = item.provenance, item.labels
        for name, _, codes, code_of, label_codes, _ in self._plan:
            coded = [code_of[vote] for vote in votes[name]]
            if len(code_of) > codes.limit:
                codes.fit(len(code_of))
                label_codes.fit(len(code_of))
            codes.values.extend(coded)
            if provenance.get(name) == UNRESOLVED:
                label_codes.values.append(_UNRESOLVED_LABEL)
                continue
            try:  # a label no answer of the item gave matches none of them: no code
                label_codes.values.append(code_of.get(labels.get(name), _NO_CODE))
            except TypeError:  # unhashable: equal to no answer either
                label_codes.values.append(_NO_CODE)

    def _judged(self) -> list[tuple[Question, _Plan]]:
        """The questions :meth:`report` judges annotators on, with their plan: those with
        two answer values or more (everyone giving the same answer tells nobody apart)."""
        return [(question, plan) for (question, _), plan in zip(self.modelled, self._plan,
                                                                strict=True)
                if len(plan[3]) >= 2]

    @property
    def fits(self) -> int:
        """How many questions :meth:`report` fits a label model for (a question the
        caller's models cover is counted too)."""
        return len(self._judged())

    def report(self, models: Mapping[str, Any] | None = None,
               names: Mapping[str, str] | None = None,
               on_fit: Callable[[int], None] | None = None) -> CompetenceReport:
        """The figures (see :func:`competence_report`); ``on_fit(done)`` after each of
        the :attr:`fits` questions (for a bar)."""
        report = CompetenceReport(names=dict(self.names))
        for who, name in (names or {}).items():
            if isinstance(name, str) and name:
                report.names.setdefault(str(who), name)
        models = models or {}
        # per answer its item's number (items in order, their answers together)
        item = np.repeat(np.arange(self._n_items, dtype=np.int32),
                         self._sizes.numpy())
        annotator = self._annotator.numpy()
        annotators = list(self._annotator_of)
        for fitted, (question, (name, set_valued, codes, code_of, label_codes, gold)) in \
                enumerate(self._judged(), start=1):
            vote = codes.numpy()
            model = models.get(name)
            if model is None:
                model = fit_coded(question, PER_LABEL if set_valued else "single", item,
                                  annotator, self._n_items, annotators, list(code_of), vote)
            rows = (competence_multi(model, question=name) if isinstance(model, MultiLabelModel)
                    else competence(model, question=name))
            # agreement with the label the items carry under the schema's rule, a step of
            # answers at a time (np.bincount widens what it counts to 8 bytes an answer)
            done = np.zeros(len(annotators), dtype=np.int64)
            same = np.zeros(len(annotators), dtype=np.int64)
            item_label = label_codes.numpy()
            for part in answer_steps(len(item)):
                carried, given_by = item_label[item[part]], annotator[part]
                counted = carried != _UNRESOLVED_LABEL
                done += np.bincount(given_by[counted], minlength=len(annotators))
                same += np.bincount(given_by[counted & (vote[part] == carried)],
                                    minlength=len(annotators))
            number = self._annotator_of
            for row in rows:
                k = number.get(row.annotator)
                n = int(done[k]) if k is not None else 0
                row.agreement = int(same[k]) / n if n else None
            seen = set()
            for row in rows:
                seen.add(row.annotator)
                given, right = gold.get(row.annotator, (0, 0))  # type: ignore[call-overload]
                row.gold_items, row.gold_accuracy = given, (right / given if given else None)
            for who, (given, right) in gold.items():  # annotators seen on gold items only
                if who not in seen:
                    rows.append(Competence(annotator=who, question=name, items=0,
                                           agreement=None, accuracy=float("nan"),
                                           spammer_score=None, gold_items=given,
                                           gold_accuracy=right / given))
            report.rows.extend(rows)
            if on_fit is not None:
                on_fit(fitted)
        report.findings = findings(report.rows, names=report.names)
        return report


def _count_gold(item: AggregatedItem, name: str, set_valued: bool,
                gold: dict[str, list[int]]) -> None:
    """Count into ``gold`` (annotator -> [answers on ground-truth items, of them equal to
    the ground truth]) the answers of ``item`` to question ``name``."""
    if item.provenance.get(name) != GROUND_TRUTH:
        return
    truth: Any = item.labels.get(name)
    if truth is None or truth == ():  # the ground truth left this question empty
        return
    for who, given in item.answers:
        if who == item.gold_by:
            continue
        answer: Any = given.get(name)
        if set_valued:
            same = set(answer or ()) == set(truth or ())
        else:
            same = answer == truth
        counts = gold.setdefault(who, [0, 0])
        counts[0] += 1
        counts[1] += int(same)


def competence_report(items: Sequence[AggregatedItem], schema: Schema,
                      models: Mapping[str, Any] | None = None,
                      names: Mapping[str, str] | None = None) -> CompetenceReport:
    """See the module docstring. ``models``: question -> the label model already fitted
    on these items (``decide_all``'s); the others are fitted here. ``names``:
    annotator id -> readable name (pull's map), beside those the items carry. A
    streaming pass feeds a :class:`CompetenceCollector` instead of holding the items."""
    collector = CompetenceCollector(schema)
    for item in items:
        collector.add(item)
    return collector.report(models, names)
