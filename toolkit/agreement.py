"""Inter-annotator agreement per question, and per annotator.

``compute_agreement(tasks, schema)`` reads tasks (a snapshot's stream) and returns
an :class:`AgreementReport`. Only submitted annotations count (cancelled ones
and drafts never do; a repeat annotation by the same person counts once, the
latest). Items with fewer than two annotators are left out of every figure and
counted (``items_left_out``).

Per question, by kind:

- single choice, yes/no: Krippendorff's alpha, nominal (the ``krippendorff``
  package); an annotator who did not answer is a missing value.
- rating: Krippendorff's alpha, ordinal (also reported: interval).
- multi choice: **per-label binary** treatment. Each label becomes its own
  yes/no question (did this annotator tick it?), alpha nominal per label,
  and the question's alpha is the mean over the labels where it is defined.
  Chosen over a set-based alpha with the MASI distance because it shows *which*
  label annotators disagree on, which is what a team lead can act on (rewrite
  that label's guideline), and because it needs no custom distance function.
  Fleiss' and Cohen's kappa use the same binary decisions (Fleiss: mean over
  labels; Cohen: (item, label) decisions pooled per pair).
- spans: pairwise F1 between annotators, exact (same start, end and label) and
  overlap (same label, ranges overlap), micro-averaged over the items both did.
- free text: no agreement figure (answers are prose).

Also per question: Fleiss' kappa when every item has the same number of
answers (else ``None`` with a note), pairwise Cohen's kappa per annotator pair
(over the items both answered), and the percentage of items on which all
annotators gave the same answer. An undefined figure (e.g. alpha when everyone
used a single value) is ``None``, with the reason in ``notes``.

Per annotator: items done, and how often their answer equals the majority
answer (majority as in ``toolkit.aggregate``, on items with two or more annotators
where a majority exists).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import orjson

from .aggregate import (
    UNRESOLVED,
    aggregate_question,
    aggregate_task,
    normalize_empty,
    submitted_annotations,
    unresolved_rows,
)
from .answers import annotator_id, extract_answers
from .schema import Question, Schema
from .snapshot import Snapshot, open_snapshot

RELIABLE, TENTATIVE = 0.80, 0.667  # Krippendorff's thresholds


@dataclass
class QuestionAgreement:
    question: str
    kind: str
    method: str
    items: int = 0
    alpha: float | None = None
    alpha_interval: float | None = None  # rating only
    alpha_per_label: dict[str, float | None] = field(default_factory=dict)  # multi only
    fleiss_kappa: float | None = None
    cohen_kappa: dict[str, dict] = field(default_factory=dict)  # "a|b" -> {kappa, items}
    full_agreement: float | None = None  # percent of items
    span_f1: dict[str, dict] = field(default_factory=dict)  # "a|b" -> {exact, overlap, items}
    span_f1_exact: float | None = None  # mean over pairs
    span_f1_overlap: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class AnnotatorAgreement:
    annotator: str
    items: int = 0
    compared: int = 0
    agreed: int = 0

    @property
    def with_majority(self) -> float | None:
        return self.agreed / self.compared if self.compared else None


@dataclass
class AgreementReport:
    items_total: int = 0
    items_used: int = 0
    items_left_out: int = 0
    questions: list[QuestionAgreement] = field(default_factory=list)
    annotators: list[AnnotatorAgreement] = field(default_factory=list)
    unresolved: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "items_total": self.items_total,
            "items_used": self.items_used,
            "items_left_out": self.items_left_out,
            "questions": [asdict(q) for q in self.questions],
            "annotators": [
                {**asdict(a), "with_majority": a.with_majority} for a in self.annotators
            ],
            "unresolved": self.unresolved,
        }


# ---------------------------------------------------------------------------- statistics


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from an items x categories count table (same raters per item).

    None when undefined (fewer than 2 raters, or every rating in one category).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] == 0:
        return None
    raters = counts.sum(axis=1)
    n = raters[0]
    if n < 2 or not np.all(raters == n):
        return None
    p_j = counts.sum(axis=0) / counts.sum()
    p_i = ((counts * counts).sum(axis=1) - n) / (n * (n - 1))
    p_bar, p_e = p_i.mean(), float((p_j * p_j).sum())
    if p_e >= 1.0:
        return None
    return float((p_bar - p_e) / (1 - p_e))


def cohen_kappa(first: Sequence[Any], second: Sequence[Any]) -> float | None:
    """Cohen's kappa of two raters' paired labels; None when chance agreement is 1."""
    n = len(first)
    if n == 0 or n != len(second):
        return None
    observed = sum(1 for a, b in zip(first, second, strict=True) if a == b) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[v] * count_b.get(v, 0) for v in count_a) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def alpha(rows: list[list[Any]], level: str) -> tuple[float | None, str | None]:
    """Krippendorff's alpha over annotators x items (None = missing); (value, why-not)."""
    values = sorted({v for row in rows for v in row if v is not None}, key=repr)
    if len(values) < 2:
        return None, "undefined: only one value used"
    if level == "nominal":
        code = {v: i for i, v in enumerate(values)}
        matrix = [[np.nan if v is None else code[v] for v in row] for row in rows]
    else:
        matrix = [[np.nan if v is None else float(v) for v in row] for row in rows]
    try:
        value = krippendorff.alpha(reliability_data=np.array(matrix, dtype=float),
                                   level_of_measurement=level)
    except ValueError as exc:  # the package refuses data without pairable values
        return None, f"undefined: {exc}"
    if value is None or np.isnan(value):
        return None, "undefined: no item with two answers"
    return float(value), None


def span_f1(first: Iterable[tuple], second: Iterable[tuple]) -> tuple[int, int, int, int, int]:
    """Counts for exact and overlap F1 of two annotators' spans (start, end, label, ...).

    Returns (exact matches, |first|, |second|, first matched by overlap, second matched).
    """
    a = {(s[0], s[1], s[2]) for s in first}
    b = {(s[0], s[1], s[2]) for s in second}

    def touched(x, others):
        return any(x[2] == o[2] and x[0] < o[1] and o[0] < x[1] for o in others)

    return (len(a & b), len(a), len(b), sum(touched(x, b) for x in a),
            sum(touched(y, a) for y in b))


def _f1_exact(tp: int, na: int, nb: int) -> float | None:
    return 2 * tp / (na + nb) if na + nb else None


def _f1_overlap(ma: int, na: int, mb: int, nb: int) -> float | None:
    if not na and not nb:
        return None
    p = ma / na if na else 0.0
    r = mb / nb if nb else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


# ---------------------------------------------------------------------------- the report


def compute_agreement(tasks: Iterable[Mapping[str, Any]], schema: Schema) -> AgreementReport:
    """Agreement figures for every question (see the module docstring)."""
    report = AgreementReport()
    questions = [q for q in schema.questions if q.kind != "text"]
    # question -> list of {annotator: normalized answer or None}, items with >= 2 annotators
    table: dict[str, list[dict[str, Any]]] = {q.name: [] for q in questions}
    people: dict[str, AnnotatorAgreement] = {}
    for task in tasks:
        if not isinstance(task, Mapping):
            continue
        report.items_total += 1
        item = aggregate_task(task, schema)
        report.unresolved.extend(unresolved_rows(item))
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        given = [(annotator_id(a) or f"annotation-{a.get('id')}",
                  extract_answers(a.get("result"), schema, data))
                 for a in submitted_annotations(task)]
        for who, _ in given:
            people.setdefault(who, AnnotatorAgreement(who)).items += 1
        if len(given) < 2:
            report.items_left_out += 1
            continue
        report.items_used += 1
        for question in questions:
            answers = {who: normalize_empty(question, a.get(question.name)) for who, a in given}
            table[question.name].append(answers)
            if all(v is None for v in answers.values()):
                continue
            majority, provenance = aggregate_question(question, list(answers.values()))
            if provenance == UNRESOLVED:
                continue
            for who, answer in answers.items():
                people[who].compared += 1
                people[who].agreed += answer == majority
    for question in questions:
        report.questions.append(_question_agreement(question, table[question.name]))
    report.annotators = sorted(people.values(), key=lambda p: (-p.items, p.annotator))
    return report


def _question_agreement(question: Question, items: list[dict[str, Any]]) -> QuestionAgreement:
    kind = question.kind
    method = {
        "single": "alpha nominal",
        "yesno": "alpha nominal",
        "rating": "alpha ordinal (and interval)",
        "multi": "alpha nominal per label (binary), mean over labels",
        "spans": "pairwise F1, exact and overlap",
    }[kind]
    result = QuestionAgreement(question.name, kind, method, items=len(items))
    if not items:
        result.notes.append("no item with two or more annotators")
        return result
    annotators = sorted({who for item in items for who in item})
    answered = [item for item in items if any(v is not None for v in item.values())]
    if answered:
        same = sum(1 for item in answered if len(set(map(_hashable, item.values()))) == 1)
        result.full_agreement = 100.0 * same / len(answered)
    if kind == "spans":
        _spans(result, items, annotators)
        return result
    if kind == "multi":
        _multi(result, question, items, annotators)
        return result
    rows = [[item.get(who) for item in items] for who in annotators]
    level = "ordinal" if kind == "rating" else "nominal"
    result.alpha, why = alpha(rows, level)
    if why:
        result.notes.append(f"alpha {why}")
    if kind == "rating":
        result.alpha_interval, _ = alpha(rows, "interval")
    categories = question.label_values if kind != "rating" else list(
        range(1, (question.scale or max(v for r in rows for v in r if v is not None)) + 1))
    result.fleiss_kappa = _fleiss(result, items, categories)
    for first, second in itertools.combinations(annotators, 2):
        pairs = [(i[first], i[second]) for i in items
                 if i.get(first) is not None and i.get(second) is not None]
        if pairs:
            kappa = cohen_kappa([p[0] for p in pairs], [p[1] for p in pairs])
            result.cohen_kappa[f"{first}|{second}"] = {"kappa": kappa, "items": len(pairs)}
    return result


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _fleiss(result: QuestionAgreement, items: list[dict], categories: list) -> float | None:
    index = {c: i for i, c in enumerate(categories)}
    rows = []
    for item in items:
        row = [0] * len(categories)
        for value in item.values():
            if value is not None and value in index:
                row[index[value]] += 1
        if sum(row):
            rows.append(row)
    sizes = {sum(r) for r in rows}
    if len(sizes) != 1:
        result.notes.append("Fleiss' kappa not computed: items have different numbers of answers")
        return None
    kappa = fleiss_kappa(rows)
    if kappa is None:
        result.notes.append("Fleiss' kappa undefined (one category only, or one rater)")
    return kappa


def _multi(result: QuestionAgreement, question: Question, items: list[dict],
           annotators: list[str]) -> None:
    per_label: list[float] = []
    fleiss: list[float] = []
    for label in question.label_values:
        rows = [[None if who not in item else int(label in (item[who] or ())) for item in items]
                for who in annotators]
        value, _ = alpha(rows, "nominal")
        result.alpha_per_label[label] = value
        if value is not None:
            per_label.append(value)
        table = [[sum(1 for v in item.values() if label not in (v or ())),
                  sum(1 for v in item.values() if label in (v or ()))] for item in items]
        if len({sum(r) for r in table}) == 1:
            kappa = fleiss_kappa(table)
            if kappa is not None:
                fleiss.append(kappa)
    result.alpha = sum(per_label) / len(per_label) if per_label else None
    if not per_label:
        result.notes.append("alpha undefined for every label (each label always or never used)")
    result.fleiss_kappa = sum(fleiss) / len(fleiss) if fleiss else None
    for first, second in itertools.combinations(annotators, 2):
        a, b = [], []
        both = [i for i in items if first in i and second in i]
        for item in both:
            for label in question.label_values:
                a.append(label in (item[first] or ()))
                b.append(label in (item[second] or ()))
        if both:
            result.cohen_kappa[f"{first}|{second}"] = {"kappa": cohen_kappa(a, b),
                                                       "items": len(both)}


def _spans(result: QuestionAgreement, items: list[dict], annotators: list[str]) -> None:
    exact, overlap = [], []
    for first, second in itertools.combinations(annotators, 2):
        totals = [0, 0, 0, 0, 0]
        both = [i for i in items if first in i and second in i]
        for item in both:
            for k, n in enumerate(span_f1(item[first] or (), item[second] or ())):
                totals[k] += n
        if not both:
            continue
        tp, na, nb, ma, mb = totals
        f_exact, f_overlap = _f1_exact(tp, na, nb), _f1_overlap(ma, na, mb, nb)
        result.span_f1[f"{first}|{second}"] = {"exact": f_exact, "overlap": f_overlap,
                                               "items": len(both)}
        if f_exact is not None:
            exact.append(f_exact)
        if f_overlap is not None:
            overlap.append(f_overlap)
    result.span_f1_exact = sum(exact) / len(exact) if exact else None
    result.span_f1_overlap = sum(overlap) / len(overlap) if overlap else None
    if not exact:
        result.notes.append("no spans marked on items shared by two annotators")


def reliability(value: float | None) -> str:
    """Krippendorff's reading of an alpha: reliable / tentative / low."""
    if value is None:
        return "-"
    return "reliable" if value >= RELIABLE else "tentative" if value >= TENTATIVE else "low"



def agreement_for_snapshot(snapshot: str | Path | Snapshot, schema: Schema) -> AgreementReport:
    """``compute_agreement`` over a snapshot file (streamed; SnapshotError when unreadable)."""
    snap = snapshot if isinstance(snapshot, Snapshot) else open_snapshot(snapshot)
    return compute_agreement(snap.tasks(), schema)


def write_unresolved(path: str | Path, rows: Iterable[dict]) -> int:
    """Write unresolved rows (corpus_key, task_id, question, answers) as JSONL; returns count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("wb") as out:
        for row in rows:
            out.write(orjson.dumps(row) + b"\n")
            count += 1
    return count
