"""Annotator competence: who is careful, who answers at random, who always clicks the same.

From a fitted label model (:mod:`toolkit.rules.dawid_skene`), per annotator and
question:

- ``items``: answers given;
- ``agreement``: share of their answers equal to the aggregated label, over the
  items that have one (None when none has);
- ``accuracy``: the model's estimate of their accuracy (``sum_t prior[t] *
  confusion[t, t]``);
- ``spammer_score``: how much their answer depends on the truth, 0 (not at
  all) to 1 (perfect): the mean squared distance between the rows of their
  confusion matrix (Raykar & Yu 2012; :func:`~toolkit.rules.dawid_skene.spammer_scores`);
- ``gold_items`` / ``gold_accuracy``: against ground truth (a lead's answer
  marked ground truth, or an adjudicator's), where there is any; an annotator's
  own gold answers are not compared with themselves.

Flags, each a finding (:class:`toolkit.findings.Finding`) with its code:

- ``A050`` spammer: spammer score below ``spammer_threshold`` (default 0.05:
  on a yes/no question, sensitivity + specificity below 1.22; on three
  balanced labels, an annotator right 60% of the time scores about 0.16, one
  right 85% about 0.6, one clicking at random about 0);
- ``A051`` constant answer: every answer the same, while the aggregated labels
  of those items are not (reported instead of A050, which it implies);
- ``A052`` too few items: fewer than ``min_items`` answers (default 50), or
  fewer than two true labels with at least ``min_row_items`` (default 5) of
  their items (posterior-weighted): too few to judge, no A050/A051 verdict
  then. The spammer score only compares the rows of true labels with that much
  evidence: a row estimated from two items is noise (on a yes/no question with
  15% "yes", 30 items give about 4.5 true "yes").

Codes A055-A059 are reserved for this module (A053, A054: toolkit.rules.label_model).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ..findings import Finding
from ..rules.dawid_skene import GatheredColumn, LabelModel, MultiLabelModel

SPAMMER = "A050"
CONSTANT = "A051"
TOO_FEW_ITEMS = "A052"

MIN_ITEMS = 50
MIN_ROW_ITEMS = 5.0
SPAMMER_THRESHOLD = 0.05


@dataclass
class Competence:
    """One annotator's figures on one question (see the module docstring)."""

    annotator: Hashable
    question: str | None
    items: int
    agreement: float | None  # None: no item of theirs has a label to agree with
    accuracy: float
    spammer_score: float | None  # None: too little evidence per true label to say
    gold_items: int = 0
    gold_accuracy: float | None = None
    flags: list[str] = field(default_factory=list)
    # answers on items another annotator answered too: with none, nothing tells how
    # often they are right (accuracy NaN, no spammer score, A052)
    shared_items: int | None = None

    def to_dict(self) -> dict:
        """Plain JSON values (numpy scalars as Python numbers; NaN stays NaN: null in JSON)."""
        return {key: value.item() if isinstance(value, np.generic) else value
                for key, value in asdict(self).items()}


def _gold_figures(annotator: np.ndarray, item: np.ndarray,
                  answered: np.ndarray | GatheredColumn, items: Sequence, annotators: Sequence,
                  gold: Mapping | None, gold_by: Mapping | None,
                  same: Callable[[int, object], bool]) -> tuple[np.ndarray, np.ndarray]:
    """Per annotator, (answers on gold items, of them right); ``same(answer index, gold
    value)`` says whether answer ``a`` equals the gold value."""
    w = len(annotators)
    done, right = np.zeros(w, dtype=np.int64), np.zeros(w, dtype=np.int64)
    if not gold:
        return done, right
    gold_by = gold_by or {}
    for a in range(len(item)):
        key = items[item[a]]
        if key not in gold:
            continue
        who = annotators[annotator[a]]
        if gold_by.get(key) == who:
            continue
        done[annotator[a]] += 1
        right[annotator[a]] += bool(same(a, gold[key]))
    return done, right


def judged_scores(model: LabelModel, min_row_items: float = MIN_ROW_ITEMS
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per annotator, (spammer score over the rows of true labels with at least
    ``min_row_items`` posterior-weighted items, whether at least two rows qualified).
    With every row qualifying this is :attr:`LabelModel.spammer_score`."""
    w = model.answers.n_annotators
    rows = model.evidence >= min_row_items
    scores = np.zeros(w)
    for i in range(w):
        kept = model.confusion[i][rows[i]]
        r = len(kept)
        if r >= 2:
            diff = kept[:, None, :] - kept[None, :, :]
            scores[i] = float(np.square(diff).sum() / 2 / (r * (r - 1)))
    return scores, rows.sum(axis=1) >= 2


def _flags(items: np.ndarray, scores: np.ndarray, judged: np.ndarray, constant: np.ndarray,
           min_items: int, threshold: float) -> list[list[str]]:
    flags = []
    for n, score, ok, same in zip(items.tolist(), scores.tolist(), judged.tolist(),
                                  constant.tolist(), strict=True):
        if n < min_items or (not ok and not same):
            flags.append([TOO_FEW_ITEMS])
        elif same:
            flags.append([CONSTANT])
        elif score < threshold:
            flags.append([SPAMMER])
        else:
            flags.append([])
    return flags


def competence(model: LabelModel, *, question: str | None = None,
               gold: Mapping | None = None, gold_by: Mapping | None = None,
               min_items: int = MIN_ITEMS, min_row_items: float = MIN_ROW_ITEMS,
               spammer_threshold: float = SPAMMER_THRESHOLD) -> list[Competence]:
    """Per annotator of a single-label model (single, yes/no, rating), in the model's
    annotator order. ``gold``: item -> true label; ``gold_by``: item -> who gave it."""
    answers = model.answers
    w, k = answers.n_annotators, answers.n_labels
    items = np.zeros(w, dtype=np.int64)
    agreed = np.zeros(w)
    # (annotator, label) cells: answers given, and items whose chosen label it is
    given, chosen = np.zeros(w * k, dtype=np.int64), np.zeros(w * k, dtype=np.int64)
    for part in answer_steps(len(answers)):
        who, label = answers.annotator[part], answers.label[part]
        picked = model.chosen[answers.item[part]]  # the label chosen for the answer's item
        items += np.bincount(who, minlength=w)
        np.add.at(agreed, who, label == picked)
        row = who.astype(np.int64) * k  # widened first: it may be kept in a byte
        given += np.bincount(row + label, minlength=w * k)
        row += picked
        chosen += np.bincount(row, minlength=w * k)
    scores, judged = judged_scores(model, min_row_items)
    # constant: one label for all their answers, while the aggregated labels of those items vary
    single = (given.reshape(w, k) > 0).sum(axis=1) == 1
    constant = single & ((chosen.reshape(w, k) > 0).sum(axis=1) > 1)
    labels = answers.labels
    done, right = _gold_figures(answers.annotator, answers.item, answers.label, answers.items,
                                answers.annotators, gold, gold_by,
                                lambda a, value: labels[answers.label[a]] == value)
    shared = _shared(answers.item, answers.annotator, w)
    judged, constant = judged & (shared > 0), constant & (shared > 0)
    flags = _flags(items, scores, judged, constant, min_items, spammer_threshold)
    return _rows(answers.annotators, question, items, agreed, model.accuracy, scores, judged,
                 done, right, flags, shared)


#: answers per step of the per-answer temporaries (a few hundred KB each, not a float or
#: an int64 for every answer of a million tasks at once); the figures do not depend on it
_STEP = 1 << 15  # answers; below 2**16 - 2 (see _shared)


def answer_steps(n: int) -> list[slice]:
    """Slices of ``_STEP`` answers covering ``range(n)``. Sums over them are whole numbers
    (np.bincount per step, added), or floats added in answer order (np.add.at into one
    total, as np.bincount over every answer adds them): the same bits."""
    return [slice(start, start + _STEP) for start in range(0, n, _STEP)]


def _shared(item: np.ndarray, annotator: np.ndarray, w: int) -> np.ndarray:
    """Per annotator, their answers on items that another annotator answered too."""
    # per item its answers, counted as far as 2 (one more annotator is all that matters):
    # in uint16, set back to 2 at most after every step (a step adds under 2**16 - 2), two
    # bytes an item, not eight (8 MB at a million items)
    sizes = np.zeros(int(item.max()) + 1 if len(item) else 0, dtype=np.uint16)
    for part in answer_steps(len(item)):
        touched = item[part]
        np.add.at(sizes, touched, np.uint16(1))  # typed: numpy's fast path (10x)
        sizes[touched] = np.minimum(sizes[touched], 2)
    shared = np.zeros(w, dtype=np.int64)
    for part in answer_steps(len(item)):
        shared += np.bincount(annotator[part], weights=sizes[item[part]] > 1,
                              minlength=w).astype(np.int64)
    return shared


def competence_multi(model: MultiLabelModel, *, question: str | None = None,
                     gold: Mapping | None = None, gold_by: Mapping | None = None,
                     min_items: int = MIN_ITEMS, min_row_items: float = MIN_ROW_ITEMS,
                     spammer_threshold: float = SPAMMER_THRESHOLD) -> list[Competence]:
    """:func:`competence` for a multi-choice question (binary relevance): agreement and gold
    accuracy compare whole sets; accuracy and spammer score are the means over its labels'
    binary models whose two rows have enough evidence (labels almost nobody chooses say
    nothing about an annotator); constant means the same set every time."""
    if not model.labels:
        return []
    first = model.models[model.labels[0]].answers
    w, n_labels = first.n_annotators, len(model.labels)
    per_label = [model.models[v].answers.label for v in model.labels]  # 1: chosen

    def given(part: slice | int) -> np.ndarray:
        """The chosen sets of answers ``part`` as rows of booleans, label by label."""
        return np.stack([label[part] == 1 for label in per_label], axis=-1)

    items = np.zeros(w, dtype=np.int64)
    agreed = np.zeros(w)
    # constant: every answer the same set, while the aggregated sets of those items vary;
    # the distinct (annotator, set) pairs of the answers, and of the sets chosen for them
    coded = n_labels < 62
    item_codes = _set_codes(model.chosen) if coded else None
    sets: set[tuple[int, int]] = set()
    chosen_sets: set[tuple[int, int]] = set()
    for part in answer_steps(len(first)):
        who, rows = first.annotator[part], given(part)
        items += np.bincount(who, minlength=w)
        np.add.at(agreed, who, (rows == model.chosen[first.item[part]]).all(axis=1))
        if item_codes is not None:
            sets.update(_pairs(who, _set_codes(rows)))
            chosen_sets.update(_pairs(who, item_codes[first.item[part]]))
    accuracy = np.mean([model.models[v].accuracy for v in model.labels], axis=0)
    scored = [judged_scores(model.models[v], min_row_items) for v in model.labels]
    judged_count = np.sum([ok for _, ok in scored], axis=0)
    judged = judged_count > 0
    scores = (np.sum([np.where(ok, score, 0.0) for score, ok in scored], axis=0)
              / np.maximum(judged_count, 1))
    constant = np.zeros(w, dtype=bool)
    if coded:
        distinct = np.bincount([who for who, _ in sets], minlength=w)
        distinct_chosen = np.bincount([who for who, _ in chosen_sets], minlength=w)
        constant = (distinct == 1) & (distinct_chosen > 1)

    def same_set(a: int, value: object) -> bool:
        chosen = {v for v, on in zip(model.labels, given(a).tolist(), strict=True) if on}
        return chosen == set(value or ())  # type: ignore[call-overload]

    done, right = _gold_figures(first.annotator, first.item, first.label, first.items,
                                first.annotators, gold, gold_by, same_set)
    shared = _shared(first.item, first.annotator, w)
    judged, constant = judged & (shared > 0), constant & (shared > 0)
    flags = _flags(items, scores, judged, constant, min_items, spammer_threshold)
    return _rows(first.annotators, question, items, agreed, accuracy, scores, judged,
                 done, right, flags, shared)


def _pairs(who: np.ndarray, codes: np.ndarray) -> list[tuple[int, int]]:
    """The distinct (annotator, code) pairs of some answers."""
    order = np.lexsort((codes, who))
    who, codes = who[order], codes[order]
    new = np.ones(len(who), dtype=bool)
    new[1:] = (who[1:] != who[:-1]) | (codes[1:] != codes[:-1])
    return list(zip(who[new].tolist(), codes[new].tolist(), strict=True))


def _set_codes(chosen: np.ndarray) -> np.ndarray:
    """Each row of booleans (a set of labels, label by label) as one number, bit ``j`` for
    label ``j``, in the narrowest unsigned ints that hold every label's bit (one byte for
    up to eight labels: no int64 matrix of the rows)."""
    n_labels = chosen.shape[1]
    dtype = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64)
                 if np.iinfo(t).bits >= n_labels)
    codes: np.ndarray = np.zeros(len(chosen), dtype=dtype)
    for j in range(n_labels):
        bit: np.ndarray = chosen[:, j].astype(dtype)
        bit <<= j
        codes |= bit
    return codes


def _rows(annotators: Sequence[str], question: str | None, items: np.ndarray,
          agreed: np.ndarray, accuracy: np.ndarray, scores: np.ndarray, judged: np.ndarray,
          done: np.ndarray, right: np.ndarray, flags: Sequence,
          shared: np.ndarray) -> list[Competence]:
    """One :class:`Competence` per annotator from the per-annotator arrays; an annotator
    who shares no item with another gets no accuracy estimate (NaN)."""
    return [
        Competence(
            annotator=who, question=question, items=int(items[i]),
            agreement=float(agreed[i] / items[i]) if items[i] else None,
            accuracy=float(accuracy[i]) if shared[i] else float("nan"),
            spammer_score=float(scores[i]) if judged[i] else None,
            gold_items=int(done[i]),
            gold_accuracy=float(right[i] / done[i]) if done[i] else None,
            flags=flags[i],
            shared_items=int(shared[i]),
        )
        for i, who in enumerate(annotators)
    ]


def findings(rows: Sequence[Competence], *, names: Mapping | None = None,
             min_items: int = MIN_ITEMS) -> list[Finding]:
    """One finding per A050/A051 flag, ``where`` naming the annotator (by ``names`` when
    given) and question; A052 once per annotator, naming their questions."""
    names = names or {}
    out = []
    too_few: dict = {}
    for row in rows:
        who = names.get(row.annotator, row.annotator)
        where = f"annotator {who}" + (f", question {row.question}" if row.question else "")
        for code in row.flags:
            if code == SPAMMER:
                out.append(Finding(
                    "warning", code, where,
                    f"answers look random: spammer score {row.spammer_score:.3f} "
                    f"(0 = unrelated to the truth, 1 = perfect) on {row.items} items, "
                    f"estimated accuracy {row.accuracy:.2f}",
                    "their answers weigh almost nothing under dawid_skene; "
                    "review their work or retrain them"))
            elif code == CONSTANT:
                agreeing = ("" if row.agreement is None else
                            f", agreeing with the aggregated label on {row.agreement:.0%}")
                out.append(Finding(
                    "warning", code, where,
                    f"gave the same answer on all {row.items} items{agreeing}",
                    "their answers weigh nothing under dawid_skene; review their work"))
            elif code == TOO_FEW_ITEMS:
                too_few.setdefault(row.annotator, []).append(row)
    for annotator, group in too_few.items():
        who = names.get(annotator, annotator)
        alone = [r for r in group if r.shared_items == 0]
        few = [r for r in group if r.items < min_items and r not in alone]
        parts = []
        if alone:
            parts.append("no item shared with another annotator on "
                         + ", ".join(str(r.question) for r in alone)
                         + " (one answer per item cannot be judged)")
        if few:
            parts.append(f"only {max(r.items for r in few)} items on "
                         + ", ".join(str(r.question) for r in few) + f" (fewer than {min_items})")
        thin = [r for r in group if r.items >= min_items and r not in alone]
        if thin:
            parts.append("too few items per true label on "
                         + ", ".join(str(r.question) for r in thin))
        out.append(Finding("info", TOO_FEW_ITEMS, f"annotator {who}", "; ".join(parts),
                           "too few to judge their competence; not flagged as spammer or "
                           "constant"))
    return out
