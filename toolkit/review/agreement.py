"""Inter-annotator agreement per question, and per annotator.

``compute_agreement(tasks, schema)`` reads tasks (a snapshot's stream) and returns
an :class:`AgreementReport`. Only submitted annotations count (cancelled ones
and drafts never do; a repeat annotation by the same person counts once, the
latest). Items with fewer than two annotators are left out of every figure and
counted (``items_left_out``).

Per question, by kind:

- single choice, yes/no: Krippendorff's alpha, nominal (``toolkit.review.alpha``: the
  ``krippendorff`` package's figure, in memory linear in the items); an annotator who
  did not answer is a missing value.
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
answer (majority as in ``toolkit.review.aggregate``, on items with two or more annotators
where a majority exists).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ..columns import PiecewiseSum, SpilledInts, SpilledRows, spill_every
from ..findings import Finding
from ..kinds import kind_of
from ..paths import replacing
from ..rules import rule_of
from ..schema import Question, Schema
from . import alpha as kalpha
from .aggregate import (
    GROUND_TRUTH,
    OK,
    STATUS_UNRESOLVED,
    UNRESOLVED,
    AggregatedItem,
    aggregate_question,
    aggregate_task,
    unresolved_rows,
)

RELIABLE, TENTATIVE = 0.80, 0.667  # Krippendorff's thresholds
_NOT_COMPARED, _NO_CODE = -2, -3  # AgreementCollector._majority markers


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
    cohen_kappa_mean: float | None = None  # mean over the pairs with a kappa
    full_agreement: float | None = None  # percent of items
    span_f1: dict[str, dict] = field(default_factory=dict)  # "a|b" -> {exact, overlap, items}
    span_f1_exact: float | None = None  # mean over pairs
    span_f1_overlap: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class AnnotatorAgreement:
    annotator: str  # the Label Studio user id
    items: int = 0
    compared: int = 0
    agreed: int = 0
    name: str | None = None  # readable name: created_username, else the header's annotators map

    @property
    def with_majority(self) -> float | None:
        return self.agreed / self.compared if self.compared else None

    @property
    def label(self) -> str:
        """The id and, when known, the readable name: "2 (huda@example.org)"."""
        return f"{self.annotator} ({self.name})" if self.name else self.annotator


@dataclass
class AgreementReport:
    items_total: int = 0
    items_used: int = 0
    items_left_out: int = 0
    questions: list[QuestionAgreement] = field(default_factory=list)
    annotators: list[AnnotatorAgreement] = field(default_factory=list)
    # the unresolved items' rows (a few hundred bytes each) in a temporary file, read
    # back in order by whoever writes them (`corpus agree --unresolved`, --json)
    unresolved: SpilledRows = field(default_factory=SpilledRows)
    findings: list[Finding] = field(default_factory=list)  # about the snapshot (V020)

    def to_dict(self, *, rows_as_read: bool = False) -> dict:
        """The figures as plain data; ``unresolved`` a list of the rows, or with
        ``rows_as_read`` the :class:`~toolkit.columns.SpilledRows` itself (for a writer
        that writes them one by one: ``toolkit.cli.output.write_json_report``)."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "items_total": self.items_total,
            "items_used": self.items_used,
            "items_left_out": self.items_left_out,
            "questions": [asdict(q) for q in self.questions],
            "annotators": [
                {**asdict(a), "with_majority": a.with_majority, "label": a.label}
                for a in self.annotators
            ],
            "unresolved": self.unresolved if rows_as_read else list(self.unresolved),
        }


# ---------------------------------------------------------------------------- statistics


def fleiss_kappa(table: Sequence[Sequence[int]] | np.ndarray) -> float | None:
    """Fleiss' kappa from an items x categories count table (same raters per item).

    None when undefined (fewer than 2 raters, or every rating in one category).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2 or counts.shape[0] == 0:
        return None
    raters = counts.sum(axis=1)
    if not np.all(raters == raters[0]):
        return None
    sums = _FleissSums(counts.shape[1])
    sums.add(counts.astype(np.int64))
    return sums.kappa()


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


def span_f1(first: Iterable[tuple], second: Iterable[tuple]) -> tuple[int, int, int, int, int]:
    """Counts for exact and overlap F1 of two annotators' spans (start, end, label, ...).

    Returns (exact matches, |first|, |second|, first matched by overlap, second matched).
    """
    return _span_counts(frozenset((s[0], s[1], s[2]) for s in first),
                        frozenset((s[0], s[1], s[2]) for s in second))


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
    collector = AgreementCollector(schema)
    for task in tasks:
        if isinstance(task, Mapping):
            collector.add(aggregate_task(task, schema))
    return collector.report()


class AgreementCollector:
    """Agreement data gathered item by item, so one streaming pass over a snapshot can
    feed validation, aggregation and agreement (``toolkit.dataset`` build does).

    ``add`` takes the :class:`~toolkit.review.aggregate.AggregatedItem` of each task
    (the answers it extracted are reused, never read again) and keeps only small
    integer codes per answer; ``report`` computes the figures with numpy, in time
    proportional to items x annotators-per-item^2 (never items x annotator pairs).
    """

    def __init__(self, schema: Schema, *, list_unresolved: bool = True) -> None:
        self.schema = schema
        # the report's rows of unresolved items (`corpus agree --unresolved`): a few hundred
        # bytes each, left out by a caller that does not show them (build)
        self._list_unresolved = list_unresolved
        # the questions whose kind gets an agreement figure (free text gets none)
        self.questions = [q for q in schema.questions
                          if kind_of(q.kind).agreement_method is not None]
        self._set_valued = [kind_of(q.kind).set_valued for q in self.questions]
        self._names = [q.name for q in self.questions]
        self._majority_first = rule_of(schema.annotation.rule).majority_first
        self._report = AgreementReport()
        self._people: dict[str, AnnotatorAgreement] = {}
        self._annotator_index: dict[str, int] = {}
        # one or two bytes an entry while they fit, in temporary files (SpilledInts): a
        # million items of three annotators and five questions write some 25 MB there and
        # hold a buffer each; report() reads them back a question at a time
        self._sizes = SpilledInts()  # annotators per used item
        self._entry_annotator = SpilledInts()  # per (used item, annotator): annotator index
        # per question: per entry the code of the (normalized) answer, -1 for none;
        # value -> code in _code_of (codes count up in order of first appearance)
        self._codes = [SpilledInts() for _ in self.questions]
        self._code_of: list[dict[Any, int]] = [{} for _ in self.questions]
        # per question: per used item the code of its majority answer (-1: None), or
        # _NOT_COMPARED (nobody answered, or no majority), or _NO_CODE (a majority no
        # annotator gave, e.g. a multi choice set made label by label); report() counts
        # each annotator's compared/agreed answers from these and ``_codes`` with numpy
        self._majority = [SpilledInts() for _ in self.questions]
        self._plan = list(zip(self.questions, self._names, self._set_valued, self._codes,
                              self._code_of, self._majority, strict=True))
        # add() appends to the columns' buffers itself (array's own append: no Python call
        # a value) and has them written to their files when full (spill_every)
        self._columns = [self._sizes, self._entry_annotator, *self._codes, *self._majority]

    def add(self, item: AggregatedItem) -> None:
        """Count one aggregated task."""
        report = self._report
        report.items_total += 1
        spill_every(report.items_total, self._columns)
        if item.status == STATUS_UNRESOLVED and self._list_unresolved:
            report.unresolved.extend(unresolved_rows(item))
        given = item.answers
        people = self._people
        names = item.names
        for who, _ in given:
            person = people.get(who)
            if person is None:
                person = people[who] = AnnotatorAgreement(who)
            if person.name is None and who in names:
                person.name = names[who]
            person.items += 1
        if len(given) < 2:
            report.items_left_out += 1
            return
        report.items_used += 1
        self._sizes.append(len(given))
        annotators = self._entry_annotator
        index = self._annotator_index
        for who, _ in given:
            number = index.get(who)
            if number is None:
                number = index[who] = len(index)
                annotators.fit(number)
            annotators.values.append(number)
        # The item's own labels are the majority answers when they were aggregated
        # under the majority rule from these same answers (no ground truth, enough
        # annotators): reuse them instead of aggregating again.
        reuse = (self._majority_first and item.status in (OK, STATUS_UNRESOLVED)
                 and GROUND_TRUTH not in item.provenance.values())
        labels, provenances = item.labels, item.provenance
        known = item.votes  # as aggregation normalized them
        for question, name, set_valued, codes, code_of, majorities in self._plan:
            votes = known.get(name) if known is not None else None
            if votes is None:
                if set_valued:
                    votes = [a.get(name) or None for _, a in given]
                else:
                    votes = [a.get(name) for _, a in given]
            # value -> code, in order of first appearance
            coded = [-1 if vote is None else code_of.setdefault(vote, len(code_of))
                     for vote in votes]
            if len(code_of) > codes.limit:  # codes are below len(code_of)
                codes.fit(len(code_of))
                majorities.fit(len(code_of))
            codes.values.extend(coded)
            if max(coded) < 0:  # nobody answered
                majorities.values.append(_NOT_COMPARED)
                continue
            if reuse:
                majority, provenance = labels.get(name), provenances.get(name, UNRESOLVED)
            else:
                majority, provenance = aggregate_question(question, votes)
            if provenance == UNRESOLVED:
                majorities.values.append(_NOT_COMPARED)
            elif majority is None:
                majorities.values.append(-1)
            else:
                majorities.values.append(code_of.get(majority, _NO_CODE))

    def report(self, on_question: Callable[[int], None] | None = None) -> AgreementReport:
        """The figures for everything added so far; ``on_question(done)`` after each
        question's (for a bar)."""
        report = self._report
        report.questions = []
        names = sorted(self._annotator_index)
        # ranks in int16 while they fit, answer codes in int32 (they are indices and codes:
        # the figures are the same): a few bytes an entry, not eight
        rank = np.empty(len(names), dtype=np.int16 if len(names) < 2**15 else np.int32)
        for position, who in enumerate(names):
            rank[self._annotator_index[who]] = position
        entries = _Entries(self._sizes.numpy(),
                           rank[self._entry_annotator.numpy()]
                           if len(self._entry_annotator) else np.empty(0, dtype=rank.dtype),
                           names)
        for k, question in enumerate(self.questions):
            # the codes as they are kept (one byte each while they fit): every use below
            # indexes or compares them, or widens them in its own arithmetic
            codes = self._codes[k].numpy()
            report.questions.append(
                _question_agreement(question, entries, codes, list(self._code_of[k])))
            del codes
            if on_question is not None:
                on_question(k + 1)
        self._count_with_majority(entries)
        report.annotators = sorted(self._people.values(), key=lambda p: (-p.items, p.annotator))
        return report

    def _count_with_majority(self, entries: _Entries) -> None:
        """Each annotator's ``compared`` and ``agreed``: over the questions and used items
        with a majority (see ``_majority``), their answers, and those equal to it (codes
        are equal exactly when the answers are: one code per distinct value)."""
        n_people = len(self._annotator_index)
        compared = np.zeros(n_people, dtype=np.int64)
        agreed = np.zeros(n_people, dtype=np.int64)
        for start, stop, first, last in _item_chunks(entries):  # a chunk of items at a time
            who = self._entry_annotator.read(first, last)
            for codes, majorities in zip(self._codes, self._majority, strict=True):
                majority = np.repeat(majorities.read(start, stop), entries.sizes[start:stop])
                counted = majority != _NOT_COMPARED
                compared += np.bincount(who[counted], minlength=n_people)
                same = counted & (codes.read(first, last) == majority)
                agreed += np.bincount(who[same], minlength=n_people)
        for person, number in self._annotator_index.items():
            self._people[person].compared = int(compared[number])
            self._people[person].agreed = int(agreed[number])


_ITEMS_AT_ONCE = 1 << 16  # items per step of the items x values tables


class _Entries:
    """Used items and their annotators, flattened: entry e is one (item, annotator);
    items own consecutive entries. Pairs: every two annotators of one item, the
    first being the earlier in sorted annotator order, made a chunk of items at a time
    (:meth:`pairs`) by each question that counts over them, never held for every item
    (memory over time: two int32 a pair, 24 MB at a million items of three)."""

    def __init__(self, sizes: np.ndarray, annotator: np.ndarray, names: list[str]) -> None:
        # sizes as the collector keeps them (one byte each while they fit): used as
        # repeat counts and compared; arithmetic on them widens first
        self.sizes = sizes
        self.n_items = len(sizes)
        self.annotator = annotator  # rank in ``names`` (sorted)
        self.names = names
        self.n_entries = len(annotator)
        # entry numbers, pairs' entry numbers and keys in int32 when they fit (they are
        # indices and keys only: the figures are the same), half the memory of int64
        n = max(len(names), 1)
        self._index = np.int32 if len(annotator) < 2**31 else np.int64
        self.starts: np.ndarray = np.zeros(len(sizes), dtype=self._index)  # first entries
        if len(sizes) > 1:
            np.cumsum(sizes[:-1], dtype=self._index, out=self.starts[1:])
        # items per chunk of pairs: about _CHUNK pairs (every item has at most
        # largest * (largest - 1) / 2)
        largest = int(sizes.max()) if len(sizes) else 2
        self._items_per_chunk = max(1, _CHUNK // max(largest * (largest - 1) // 2, 1))
        # a pair's key: its first annotator's rank * n + the second's, in int32 unless the
        # keys need more (more than 46,340 annotators)
        self._key_type = np.int32 if n * n < 2**31 else np.int64
        self._n = n
        found = [_distinct_keys(self.keys_of(first, second)) for first, second in self.pairs()]
        # sorted, each annotator pair once
        self.pair_keys = (np.unique(np.concatenate(found)) if len(found) > 1 else
                          found[0] if found else np.empty(0, dtype=self._key_type))

    def pairs(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(first entries, second entries) of the pairs of a chunk of items at a time (about
        ``_CHUNK`` pairs); the first entry's annotator is the earlier in name order.
        Whoever counts over them adds whole numbers, so the chunks do not change a figure."""
        sizes, starts, annotator = self.sizes, self.starts, self.annotator
        offsets: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # size -> its (i, j) pairs
        for lo in range(0, self.n_items, self._items_per_chunk):
            hi = lo + self._items_per_chunk
            size_of, start_of = sizes[lo:hi], starts[lo:hi]
            firsts, seconds = [], []
            for size in np.unique(size_of).tolist():
                if size < 2:
                    continue
                if size not in offsets:
                    pairs = np.array(list(itertools.combinations(range(size), 2)),
                                     dtype=self._index)
                    offsets[size] = (pairs[:, 0], pairs[:, 1])
                these = start_of[size_of == size][:, None]
                i, j = offsets[size]
                firsts.append((these + i).ravel())  # item by item, each item's pairs
                seconds.append((these + j).ravel())
            if not firsts:
                continue
            first, second = np.concatenate(firsts), np.concatenate(seconds)
            del firsts, seconds
            swap = annotator[first] > annotator[second]
            first[swap], second[swap] = second[swap], first[swap]
            yield first, second

    def keys_of(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The keys of the pairs of entries ``first`` and ``second`` (see ``__init__``)."""
        key = self.annotator[first].astype(self._key_type)
        key *= self._n
        key += self.annotator[second]
        return key

    def local_items(self, start: int, stop: int) -> np.ndarray:
        """For the entries of items ``start`` to ``stop``, each one's item less ``start``
        (the per-chunk tables' row): made per chunk, not held for every entry."""
        return np.repeat(np.arange(stop - start, dtype=np.int64), self.sizes[start:stop])

    def pair_name(self, pair: int) -> str:
        n = max(len(self.names), 1)
        return f"{self.names[pair // n]}|{self.names[pair % n]}"


def _question_agreement(question: Question, entries: _Entries, codes: np.ndarray,
                        values: list[Any]) -> QuestionAgreement:
    kind = kind_of(question.kind)
    result = QuestionAgreement(question.name, question.kind, kind.agreement_method or "",
                               items=entries.n_items)
    if not entries.n_items:
        result.notes.append("no item with two or more annotators")
        return result
    # full agreement: every annotator of the item gave the same answer (no answer counts
    # as an answer), over the items where someone answered; for multi choice and spans
    # over every item, an empty selection being a real answer
    highest = np.maximum.reduceat(codes, entries.starts)
    lowest = np.minimum.reduceat(codes, entries.starts)
    answered = highest >= 0
    if kind.set_valued:  # an empty selection is an answer: "none of these"
        answered = np.ones_like(answered)
    if answered.any():
        same = int(np.count_nonzero(answered & (highest == lowest)))
        result.full_agreement = 100.0 * same / int(np.count_nonzero(answered))
    kind.agree(question, _Sink(result, entries, codes, values))  # the kind's own figures
    result.cohen_kappa_mean = mean_kappa(result.cohen_kappa)
    return result


class _Sink:
    """The :class:`toolkit.kinds.hooks.AgreementSink` a kind's ``agree`` is handed."""

    def __init__(self, result: QuestionAgreement, entries: _Entries, codes: np.ndarray,
                 values: list[Any]) -> None:
        self.result, self.entries, self.codes, self.values = result, entries, codes, values

    def labels(self, categories: list[Any], *, ordinal: bool = False) -> None:
        label_agreement(self.result, self.entries, self.codes, self.values,
                        categories=categories, ordinal=ordinal)

    def per_label(self, labels: list[str]) -> None:
        _multi(self.result, labels, self.entries, self.codes, self.values)

    def spans(self) -> None:
        _spans(self.result, self.entries, self.codes, self.values)


def mean_kappa(pairs: Mapping[str, Mapping[str, Any]]) -> float | None:
    """The mean of the pairwise Cohen's kappas that could be computed; None when none."""
    kappas = [pair["kappa"] for pair in pairs.values() if pair["kappa"] is not None]
    return sum(kappas) / len(kappas) if kappas else None


def label_agreement(result: QuestionAgreement, entries: _Entries, codes: np.ndarray,
                    values: list[Any], *, categories: list, ordinal: bool = False) -> None:
    """Krippendorff's alpha (nominal, or ordinal and interval), Fleiss' kappa over
    ``categories`` and pairwise Cohen's kappa, for kinds whose answer is one label or
    value (single choice, yes/no, rating)."""
    level = "ordinal" if ordinal else "nominal"
    if ordinal:
        order = sorted(range(len(values)), key=lambda c: float(values[c]))
        domain = np.array([float(values[c]) for c in order])
    else:
        order = sorted(range(len(values)), key=lambda c: repr(values[c]))
        domain = np.arange(len(values))
    recode = np.empty(len(values), dtype=np.int64)
    recode[order] = np.arange(len(values))
    summed = kalpha.Coincidences(len(values))  # a chunk of items at a time
    for counts in _value_counts(entries, codes, recode, len(values)):
        summed.add(counts)
    result.alpha, why = _alpha_coincidences(summed, domain, level)
    if why:
        result.notes.append(f"alpha {why}")
    if ordinal:
        result.alpha_interval, _ = _alpha_coincidences(summed, domain, "interval")
    result.fleiss_kappa = _fleiss(result, entries, codes, values, categories)
    _cohen(result, entries, codes, len(values))


def _item_chunks(entries: _Entries) -> Iterator[tuple[int, int, int, int]]:
    """(first item, end item, first entry, end entry) of consecutive chunks of items (an
    item's entries are consecutive): per-item tables are made a chunk at a time."""
    n = entries.n_items
    for start in range(0, n, _ITEMS_AT_ONCE):
        stop = min(start + _ITEMS_AT_ONCE, n)
        first = int(entries.starts[start])
        last = int(entries.starts[stop]) if stop < n else entries.n_entries
        yield start, stop, first, last


def _value_counts(entries: _Entries, codes: np.ndarray, recode: np.ndarray,
                  n_values: int) -> Iterator[np.ndarray]:
    """items x values, a chunk of items at a time: how many annotators of each item gave
    each value (codes recoded)."""
    for start, stop, first, last in _item_chunks(entries):
        chunk = codes[first:last]
        given = chunk >= 0
        flat = entries.local_items(start, stop)[given] * n_values + recode[chunk[given]]
        yield np.bincount(flat, minlength=(stop - start) * n_values).reshape(
            stop - start, n_values)


def _alpha_coincidences(summed: kalpha.Coincidences, domain: np.ndarray,
                        level: str) -> tuple[float | None, str | None]:
    """Alpha and, when undefined, why (the krippendorff package's messages), from the
    coincidences summed over the items' counts (no item's counts held)."""
    if summed.o.shape[0] < 2:
        return None, "undefined: only one value used"
    if not summed.paired:
        return None, f"undefined: {kalpha.NO_PAIR}"
    value = kalpha.alpha_of(summed.o, domain, level)
    if np.isnan(value):
        return None, "undefined: no item with two answers"
    return float(value), None


def _fleiss(result: QuestionAgreement, entries: _Entries, codes: np.ndarray,
            values: list[Any], categories: list) -> float | None:
    """Fleiss' kappa over the items someone answered (:func:`fleiss_kappa`'s figure to the
    last bit), from per-chunk items x categories tables (:class:`_FleissSums`)."""
    index = {c: i for i, c in enumerate(categories)}
    category = np.array([index[v] if v in index else -1 for v in values] + [-1],
                        dtype=np.int64)  # code -1 (no answer) -> the last entry, -1
    n_categories = len(categories)
    sums = _FleissSums(n_categories)
    for start, stop, first, last in _item_chunks(entries):
        of_entry = category[codes[first:last]]
        counted = of_entry >= 0
        table = np.bincount(
            entries.local_items(start, stop)[counted] * n_categories + of_entry[counted],
            minlength=(stop - start) * n_categories).reshape(
            stop - start, n_categories)
        sums.add(table[table.sum(axis=1) > 0])
    if len(sums.raters) != 1:
        result.notes.append("Fleiss' kappa not computed: items have different numbers of answers")
        return None
    kappa = sums.kappa()
    if kappa is None:
        result.notes.append("Fleiss' kappa undefined (one category only, or one rater)")
    return kappa


class _FleissSums:
    """Fleiss' kappa of an items x categories count table given a chunk of rows at a time
    (:meth:`add`; every row summing to the same raters, else :attr:`raters` says so): the
    categories' totals, and the mean of the items' agreement p_i as numpy's mean of the
    whole column of them gives it (:class:`~toolkit.columns.PiecewiseSum`): a chunk's
    floats held, not one per item of the table (8 MB at a million items)."""

    def __init__(self, n_categories: int) -> None:
        self.per_category = np.zeros(n_categories, dtype=np.int64)
        self.raters: set[int] = set()  # the distinct row sums
        self._rated = 0  # the first row's sum: p_i's n (the figure is None unless all are)
        self._agreement = PiecewiseSum()

    def add(self, rows: np.ndarray) -> None:
        if not len(rows):
            return
        sums = rows.sum(axis=1)
        self.raters.update(np.unique(sums).tolist())
        self.per_category += rows.sum(axis=0, dtype=np.int64)
        self._rated = self._rated or int(sums[0])
        if self._rated < 2:
            return  # no figure (kappa): no p_i either
        rated = float(self._rated)
        p_i = np.square(rows, dtype=np.int64).sum(axis=1).astype(float)  # an item's pairs
        p_i -= rated
        p_i /= rated * (rated - 1)
        self._agreement.add(p_i)

    def kappa(self) -> float | None:
        """None when undefined (no row, fewer than 2 raters, one category only)."""
        if self._rated < 2 or not self._agreement.count or len(self.raters) != 1:
            return None
        p_j = self.per_category.astype(float) / float(self.per_category.sum())
        p_bar = self._agreement.sum() / self._agreement.count
        p_e = float((p_j * p_j).sum())
        if p_e >= 1.0:
            return None
        return float((p_bar - p_e) / (1 - p_e))


_CHUNK = 1 << 16  # pairs per step: made, keyed, counted (their temporaries stay small)


def _pair_kappas(result: QuestionAgreement, entries: _Entries, codes: np.ndarray,
                 n_values: int) -> None:
    """Cohen's kappa per annotator pair, from each shared item's two values (codes; items
    where one of the two did not answer are left out). Counted a chunk of items' pairs at
    a time: integer counts, so the figures do not depend on the chunking."""
    keys = entries.pair_keys
    n_keys = len(keys)
    if not n_keys:
        return
    items = np.zeros(n_keys, dtype=np.int64)
    equal = np.zeros(n_keys, dtype=np.int64)
    for_a = np.zeros(n_keys * n_values, dtype=np.int64)
    for_b = np.zeros(n_keys * n_values, dtype=np.int64)
    for one, two in entries.pairs():
        first, second = codes[one], codes[two]
        both = (first >= 0) & (second >= 0)
        first, second = first[both], second[both]
        inverse = np.searchsorted(keys, entries.keys_of(one, two)[both])
        items += np.bincount(inverse, minlength=n_keys)
        equal += np.bincount(inverse[first == second], minlength=n_keys)
        for_a += np.bincount(inverse * n_values + first, minlength=n_keys * n_values)
        for_b += np.bincount(inverse * n_values + second, minlength=n_keys * n_values)
    chance = (for_a * for_b).reshape(n_keys, n_values).sum(axis=1)
    for p, key in enumerate(keys.tolist()):
        n = int(items[p])
        if not n:  # no item both answered
            continue
        observed = int(equal[p]) / n
        expected = int(chance[p]) / (n * n)  # as cohen_kappa: integer counts, one division
        kappa = None if expected >= 1.0 else (observed - expected) / (1 - expected)
        result.cohen_kappa[entries.pair_name(key)] = {"kappa": kappa, "items": n}


def _distinct_keys(pair: np.ndarray) -> np.ndarray:
    """``np.unique(pair)`` for pair keys (small non-negative ints: annotator rank *
    annotators + rank): found by counting, without sorting every entry, when the keys
    are few next to the entries; else np.unique itself."""
    if not len(pair) or int(pair.max()) > 4 * len(pair) + 4096:
        return np.unique(pair)
    return np.flatnonzero(np.bincount(pair))


def _cohen(result: QuestionAgreement, entries: _Entries, codes: np.ndarray,
           n_values: int) -> None:
    _pair_kappas(result, entries, codes, max(n_values, 1))


def _multi(result: QuestionAgreement, labels: list[str], entries: _Entries,
           codes: np.ndarray, values: list[Any]) -> None:
    # code -> ticked? per label; the extra last row is "no answer" (code -1): nothing ticked
    ticked = np.array([[label in value for label in labels] for value in values]
                      + [[False] * len(labels)], dtype=bool).reshape(len(values) + 1,
                                                                     len(labels))
    per_label: list[float] = []
    fleiss: list[float] = []
    uniform = len(np.unique(entries.sizes)) == 1
    for column, label in enumerate(labels):
        # items x (not ticked, ticked), a chunk of items at a time: alpha's coincidences
        # and Fleiss' sums carry across chunks (the same figures as from the whole table)
        ticks = int(np.count_nonzero(ticked[codes, column]))
        used = [v for v, total in ((0, entries.n_entries - ticks), (1, ticks)) if total]
        summed = kalpha.Coincidences(len(used))
        fleiss_sums = _FleissSums(2)
        for start, stop, first, last in _item_chunks(entries):
            table = np.empty((stop - start, 2), dtype=np.int32)
            table[:, 1] = np.bincount(
                entries.local_items(start, stop), weights=ticked[codes[first:last], column],
                minlength=stop - start)
            np.subtract(entries.sizes[start:stop], table[:, 1], out=table[:, 0])
            summed.add(table if len(used) == 2 else np.ascontiguousarray(table[:, used]))
            if uniform:
                fleiss_sums.add(table)
        value, _ = _alpha_coincidences(summed, np.arange(len(used)), "nominal")
        result.alpha_per_label[label] = value
        if value is not None:
            per_label.append(value)
        if uniform:  # fleiss_kappa(table), without the table
            kappa = fleiss_sums.kappa()
            if kappa is not None:
                fleiss.append(kappa)
    result.alpha = sum(per_label) / len(per_label) if per_label else None
    if not per_label:
        result.notes.append("alpha undefined for every label (each label always or never used)")
    result.fleiss_kappa = sum(fleiss) / len(fleiss) if fleiss else None
    # Cohen: every (item, label) decision of the pair, pooled (ticked or not); integer
    # counts a chunk of pairs at a time
    keys = entries.pair_keys
    n_pairs = len(keys)
    if not n_pairs:
        return
    items = np.zeros(n_pairs, dtype=np.int64)
    equal = np.zeros(n_pairs, dtype=np.int64)
    true_a = np.zeros(n_pairs, dtype=np.int64)
    true_b = np.zeros(n_pairs, dtype=np.int64)
    for one, two in entries.pairs():
        inverse = np.searchsorted(keys, entries.keys_of(one, two))
        first, second = ticked[codes[one]], ticked[codes[two]]
        items += np.bincount(inverse, minlength=n_pairs)
        equal += np.bincount(inverse, weights=(first == second).sum(axis=1),
                             minlength=n_pairs).astype(np.int64)
        true_a += np.bincount(inverse, weights=first.sum(axis=1),
                              minlength=n_pairs).astype(np.int64)
        true_b += np.bincount(inverse, weights=second.sum(axis=1),
                              minlength=n_pairs).astype(np.int64)
    for p, key in enumerate(keys.tolist()):
        total = int(items[p]) * len(labels)
        kappa = None
        if total:
            ta, tb = int(true_a[p]), int(true_b[p])
            observed = int(equal[p]) / total
            expected = (ta * tb + (total - ta) * (total - tb)) / (total * total)
            if expected < 1.0:
                kappa = (observed - expected) / (1 - expected)
        result.cohen_kappa[entries.pair_name(key)] = {"kappa": kappa, "items": int(items[p])}


def _spans(result: QuestionAgreement, entries: _Entries, codes: np.ndarray,
           values: list[Any]) -> None:
    marked = [frozenset((s[0], s[1], s[2]) for s in value) for value in values]
    marked.append(frozenset())  # code -1: no spans
    totals: dict[int, list[int]] = {}
    # Identical (annotator pair, answer, answer) triples are frequent (most items have
    # no or the same spans): count them first, compare each distinct answer pair once.
    # A chunk of pairs at a time: where answers all differ (spans carry their text), a
    # Counter over every triple held about 0.5 KB a task; the counts are whole numbers,
    # so summing them chunk by chunk gives the same figures.
    for one, two in entries.pairs():
        triples: Counter[tuple[int, int, int]] = Counter(zip(
            entries.keys_of(one, two).tolist(), codes[one].tolist(), codes[two].tolist(),
            strict=True))
        compared: dict[tuple[int, int], tuple[int, int, int, int, int]] = {}
        for (key, a, b), times in triples.items():
            counts = totals.get(key)
            if counts is None:
                counts = totals[key] = [0, 0, 0, 0, 0, 0]
            counts[5] += times
            if a < 0 and b < 0:
                continue
            found = compared.get((a, b))
            if found is None:
                found = compared[(a, b)] = _span_counts(marked[a], marked[b])
            for k, n in enumerate(found):
                counts[k] += n * times
    exact, overlap = [], []
    for key in sorted(totals):
        tp, na, nb, ma, mb, shared = totals[key]
        f_exact, f_overlap = _f1_exact(tp, na, nb), _f1_overlap(ma, na, mb, nb)
        result.span_f1[entries.pair_name(key)] = {"exact": f_exact, "overlap": f_overlap,
                                                  "items": shared}
        if f_exact is not None:
            exact.append(f_exact)
        if f_overlap is not None:
            overlap.append(f_overlap)
    result.span_f1_exact = sum(exact) / len(exact) if exact else None
    result.span_f1_overlap = sum(overlap) / len(overlap) if overlap else None
    if not exact:
        result.notes.append("no spans marked on items shared by two annotators")


def _span_counts(a: frozenset, b: frozenset) -> tuple[int, int, int, int, int]:
    """:func:`span_f1` on sets of (start, end, label)."""
    if not a or not b:
        return 0, len(a), len(b), 0, 0
    return (len(a & b), len(a), len(b), sum(_touches(x, b) for x in a),
            sum(_touches(y, a) for y in b))


def _touches(span: tuple, others: frozenset) -> bool:
    """Some span of ``others`` has the same label and overlaps ``span``."""
    return any(span[2] == o[2] and span[0] < o[1] and o[0] < span[1] for o in others)


def reliability(value: float | None) -> str:
    """Krippendorff's reading of an alpha: reliable / tentative / low."""
    if value is None:
        return "-"
    return "reliable" if value >= RELIABLE else "tentative" if value >= TENTATIVE else "low"



def name_annotators(report: AgreementReport, header: Mapping[str, Any]) -> None:
    """Give annotators the export did not name their name from the snapshot header's
    ``annotators`` map (user id -> name, written by `corpus pull`; absent in older
    snapshots and plain exports, which keep showing ids)."""
    names = header.get("annotators") if isinstance(header, Mapping) else None
    if not isinstance(names, Mapping):
        return
    for person in report.annotators:
        name = names.get(person.annotator)
        if person.name is None and isinstance(name, str) and name:
            person.name = name


def write_unresolved(path: str | Path, rows: Iterable[dict]) -> int:
    """Write unresolved rows (corpus_key, task_id, question, answers) as JSONL, whole or
    not at all (the previous file is kept on a failure); returns the count."""
    count = 0
    with replacing(path) as tmp, tmp.open("wb") as out:
        for row in rows:
            out.write(orjson.dumps(row) + b"\n")
            count += 1
    return count
