"""Label models that weigh annotators by their estimated competence (numpy only).

Majority vote trusts a spammer as much as an expert. The models here estimate,
from the answers alone, how each annotator answers given the true label, and
each item's posterior probability per label:

- :func:`dawid_skene`: Dawid & Skene (1979). Each annotator has a confusion
  matrix ``confusion[true, observed]`` (the probability of answering
  ``observed`` when the truth is ``true``); labels have prior probabilities.
  Expectation-maximisation, started from the soft majority vote (each item's
  share of votes per label).
- :func:`one_coin_dawid_skene`: the same EM with one parameter per annotator,
  their accuracy ``s``: ``s`` on the diagonal and ``(1 - s) / (K - 1)``
  elsewhere. Fewer parameters, so steadier with few items per annotator.
- :func:`binary_relevance`: multi-choice answers (sets of labels), one binary
  model per label ("in" / "not in"); an item gets the labels whose "in" wins.

Why not crowd-kit (Apache-2.0, whose ``DawidSkene`` and ``OneCoinDawidSkene``
these follow step by step, including the stopping rule: the change of its
evidence lower bound per answer below ``tol``, at most ``max_iter``
iterations): its install pulls ``transformers`` (about 130 MB) and ``nltk`` for
models the toolkit does not use. ``tests/test_dawid_skene.py`` compares both on
random data; crowd-kit is a dev dependency only.

Deterministic: no randomness; sums run in the order of the answers given, so
the same answers in the same order give bit-identical posteriors. Ties (two
labels with exactly the same posterior) go to the label that comes first in
``labels`` (schema order); in :func:`binary_relevance` a tie leaves the label
out.

Input: answers as ``(item, annotator, label)`` triples (any hashable values;
``None`` is a label like any other, e.g. "left empty"), or an :class:`Answers`
from :func:`encode`. One answer per annotator and item is expected (the
toolkit keeps each annotator's latest annotation); duplicates count twice.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

#: the models' names (``LabelModel.method``)
FULL = "full"
ONE_COIN = "one_coin_model"

EPS = 1e-10  # probabilities are clipped to at least this before a log (as crowd-kit)
MAX_ITER = 100
TOL = 1e-5


class GatheredColumn:
    """``table[codes]``, gathered a part at a time when indexed: a per-answer column made
    from the answers' codes (one byte each, held already) and a small per-code table,
    never held whole. Binary relevance's per-label answers ("was label j in the answer's
    set?") are this, one per label: a byte per answer and label saved (12 MB for four
    labels at a million tasks). Indexing gives a numpy array (or scalar)."""

    __slots__ = ("table", "codes")

    def __init__(self, table: np.ndarray, codes: np.ndarray) -> None:
        self.table, self.codes = table, codes

    @property
    def dtype(self) -> np.dtype:
        return self.table.dtype

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key: Any) -> Any:
        return self.table[self.codes[key]]


@dataclass(frozen=True)
class Answers:
    """Answers coded as integer arrays: answer ``a`` is annotator ``annotators[annotator[a]]``
    answering ``labels[label[a]]`` on item ``items[item[a]]``."""

    items: Sequence[Any]  # a list, or a range (items numbered 0..n-1: no int object each)
    annotators: list
    labels: list
    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray | GatheredColumn

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)

    @property
    def n_labels(self) -> int:
        return len(self.labels)

    def __len__(self) -> int:
        return len(self.item)


def encode(answers: Iterable[tuple[Hashable, Hashable, Hashable]],
           labels: Sequence[Hashable] | None = None) -> Answers:
    """Code ``(item, annotator, label)`` triples as integer arrays.

    Items and annotators are numbered in order of first appearance. ``labels``
    fixes the label order (schema order: it breaks ties); labels met in the
    answers but not listed come after, in order of first appearance. Without
    ``labels``, the labels met are sorted when they can be, else kept in order of
    first appearance.
    """
    item_of: dict = {}
    annotator_of: dict = {}
    label_of: dict = {}
    if labels is not None:
        for value in labels:
            label_of.setdefault(value, len(label_of))
    items, annotators, codes = [], [], []
    for item, annotator, label in answers:
        items.append(item_of.setdefault(item, len(item_of)))
        annotators.append(annotator_of.setdefault(annotator, len(annotator_of)))
        codes.append(label_of.setdefault(label, len(label_of)))
    label_list = list(label_of)
    code = np.asarray(codes, dtype=np.int64)
    if labels is None and label_list:
        try:
            ordered = sorted(label_list)
        except TypeError:
            ordered = label_list
        if ordered != label_list:
            recode = np.empty(len(label_list), dtype=np.int64)
            rank = {value: i for i, value in enumerate(ordered)}
            for i, value in enumerate(label_list):
                recode[i] = rank[value]
            code = recode[code]
            label_list = ordered
    return Answers(
        items=list(item_of),
        annotators=list(annotator_of),
        labels=label_list,
        item=np.asarray(items, dtype=np.int64),
        annotator=np.asarray(annotators, dtype=np.int64),
        label=code,
    )


@dataclass
class LabelModel:
    """What a label model estimated.

    ``priors[k]``: label ``answers.labels[k]``'s estimated share;
    ``confusion[w, t, o]``: probability that annotator ``w`` answers label ``o``
    when the truth is ``t`` (rows sum to 1); ``chosen[i]``: the label with the highest
    posterior for item ``answers.items[i]`` (the first of equal ones);
    ``evidence[w, t]``: annotator ``w``'s answers weighted by their item's posterior of
    true label ``t`` (how much the fit saw of them on items of that label).

    The fit never holds every item's posteriors (a float per item and label: most of
    its memory on a large snapshot): ``posteriors`` are computed again from the last
    E step's inputs each time they are read (the same bits), and not kept.
    """

    method: str
    answers: Answers
    priors: np.ndarray
    confusion: np.ndarray
    iterations: int
    chosen: np.ndarray
    evidence: np.ndarray
    #: (log priors, log confusion table) of the last E step; None: the posteriors are
    #: the soft majority vote (no iteration ran)
    last_step: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def posteriors(self) -> np.ndarray:
        """``posteriors[i, k]``: probability that item ``answers.items[i]`` has label
        ``answers.labels[k]`` (n_items, n_labels), computed when read."""
        if not len(self.answers):
            return np.zeros((0, self.answers.n_labels))
        log_priors, log_table = self.last_step if self.last_step is not None else (None, None)
        return _every_item(_Layout(self.answers), log_priors, log_table)

    @property
    def confidence(self) -> np.ndarray:
        """Per item, the posterior of its chosen label."""
        return self.posteriors[np.arange(len(self.chosen)), self.chosen]

    def label(self, index: int) -> Any:
        return self.answers.labels[self.chosen[index]]

    def results(self) -> dict:
        """item -> (label, confidence), in item order."""
        labels = self.answers.labels
        confidence = self.confidence
        return {item: (labels[k], float(c))
                for item, k, c in zip(self.answers.items, self.chosen.tolist(),
                                      confidence.tolist(), strict=True)}

    @property
    def accuracy(self) -> np.ndarray:
        """Per annotator, the model's estimate of their accuracy: the chance that their
        answer is the true label, ``sum_t prior[t] * confusion[w, t, t]``."""
        diagonal = np.diagonal(self.confusion, axis1=1, axis2=2)
        return diagonal @ self.priors

    @property
    def spammer_score(self) -> np.ndarray:
        """Per annotator, how much their answer depends on the truth (Raykar & Yu 2012):
        the mean squared distance between the rows of their confusion matrix, scaled so
        that a perfect annotator scores 1. An annotator whose answer ignores the truth
        (random clicks, always the same answer) has identical rows and scores 0. For
        two labels it is ``(sensitivity + specificity - 1) ** 2``."""
        return spammer_scores(self.confusion)


def spammer_scores(confusion: np.ndarray) -> np.ndarray:
    """:attr:`LabelModel.spammer_score` of confusion matrices shaped (annotators, K, K)."""
    k = confusion.shape[-1]
    if k < 2:
        return np.zeros(confusion.shape[0])
    diff = confusion[:, :, None, :] - confusion[:, None, :, :]  # (W, K, K, K)
    total = np.square(diff).sum(axis=(1, 2, 3)) / 2  # each unordered pair once
    return total / (k * (k - 1))


def _coded(answers: Answers | Iterable, labels: Sequence[Hashable] | None) -> Answers:
    if isinstance(answers, Answers):
        if labels is not None:
            raise ValueError("coded answers carry their labels: give labels to encode()")
        return answers
    return encode(answers, labels)


def soft_majority(answers: Answers) -> np.ndarray:
    """Per item, each label's share of its votes (n_items, n_labels)."""
    return _every_item(_Layout(answers))


#: items per step of the fit's gathers: their answers' floats (a few hundred KB, which
#: stay in the CPU's cache: as fast as whole-array steps, measured), not every answer's
#: at once; results do not depend on it (see _Layout)
_CHUNK_ITEMS = 1 << 13
#: numpy sums a long contiguous row in blocks of its buffer size (8,192 floats), each
#: block pairwise, the blocks one after the other from 0.0; the fit keeps one block of
#: posteriors and adds the priors' sums block by block the same way, so they have the
#: bits of ``posteriors.mean()`` over the whole array (tests/test_dawid_skene.py)
_BLOCK = np.getbufsize()


class _Layout:
    """Index arrays computed once per fit.

    Answers are visited in item order (a stable sort, so answers of one item keep
    their given order; none when they come in item order already, as coded
    collectors give them: the arrays are then used as given, in their own
    narrow dtypes): per-item sums are then ``np.add.reduceat``. Posteriors are
    label-major (K, items), so every step is K passes over contiguous 1-D arrays
    (several times faster than reductions along a short axis of length K).

    The fit goes over the items in ``steps`` of ``_CHUNK_ITEMS`` (never across a
    ``_BLOCK``), gathering a float per answer of the step into one reused buffer and
    numbering each answer's (annotator, observed label) cell into another: a per-item
    sum lies inside one step, and per-cell sums are ``np.add.at`` into one running
    table, adding in answer order as ``np.bincount`` does, so the figures do not
    depend on the step."""

    item: np.ndarray  # per answer, in item order: its item, annotator and label
    annotator: np.ndarray
    label: np.ndarray | GatheredColumn

    def __init__(self, answers: Answers) -> None:
        self.k = k = answers.n_labels
        self.w = answers.n_annotators
        item = answers.item
        self.n = len(item)
        if self.n < 2 or bool((item[1:] >= item[:-1]).all()):
            self.item, self.annotator, self.label = item, answers.annotator, answers.label
        else:
            order = np.argsort(item, kind="stable")
            self.item = item[order]
            self.annotator = answers.annotator[order]
            self.label = answers.label[order]
            del order
        self.n_items = n_items = answers.n_items
        # each item's first answer (the items sorted: no per-answer temporary), found a
        # step of items at a time into int32 while they fit
        self.starts: np.ndarray = np.empty(n_items,
                                           dtype=np.int32 if self.n < 2**31 else np.int64)
        for lo in range(0, n_items, _BLOCK):  # the items in their own type: no widened copy
            wanted = np.arange(lo, min(lo + _BLOCK, n_items), dtype=self.item.dtype)
            self.starts[lo:lo + len(wanted)] = np.searchsorted(self.item, wanted)
        # (first item, end item, first answer, end answer) of each step
        edges = sorted(set(range(0, n_items, _CHUNK_ITEMS)) | set(range(0, n_items, _BLOCK))
                       | {n_items})
        self.steps = [(lo, hi, int(self.starts[lo]) if lo < n_items else self.n,
                       int(self.starts[hi]) if hi < n_items else self.n)
                      for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
        self.per_annotator = np.zeros(self.w, dtype=np.int64)
        for _, _, first, end in self.steps:
            self.per_annotator += np.bincount(self.annotator[first:end], minlength=self.w)
        # one step's gathered floats and cell numbers, reused by every step
        widest = max((end - first for _, _, first, end in self.steps), default=0)
        self.scratch = np.empty(widest)
        cell_type = np.int32 if self.w * k < 2**31 else np.int64
        self._cells: np.ndarray = np.empty(widest, dtype=cell_type)

    def cells(self, first: int, end: int) -> np.ndarray:
        """Answers ``first:end``'s cells, ``annotator * K + label`` (a reused buffer)."""
        cell = self._cells[:end - first]
        cell[:] = self.annotator[first:end]
        cell *= self.k
        cell += self.label[first:end]
        return cell

    def per_item(self, lo: int, hi: int) -> np.ndarray:
        """Items ``lo:hi``'s numbers of answers, as floats."""
        end = int(self.starts[hi]) if hi < self.n_items else self.n
        return np.diff(self.starts[lo:hi], append=end).astype(np.float64)


def _every_item(layout: _Layout, log_priors: np.ndarray | None = None,
                log_table: np.ndarray | None = None) -> np.ndarray:
    """:func:`_sweep`'s posteriors of every item at once, item-major (n_items, K): what a
    caller asks for, not what the fit holds."""
    label_major = np.empty((layout.k, layout.n_items))
    for block, lo, hi in _sweep(layout, log_priors, log_table):
        label_major[:, lo:hi] = block
    return np.ascontiguousarray(label_major.T)


#: ``each_step(posteriors of the step, first item, end item, first answer, end answer,
#: the answers' cells)``: see :func:`_sweep`
_EachStep = Callable[[np.ndarray, int, int, int, int, np.ndarray], None]


def _sweep(layout: _Layout, log_priors: np.ndarray | None = None,
           log_table: np.ndarray | None = None, each_step: _EachStep | None = None,
           ) -> Iterator[tuple[np.ndarray, int, int]]:
    """The label-major posteriors of every item, a ``_BLOCK`` of items at a time:
    yields (posteriors (K, items of the block), first item, end item). With no log
    priors, each item's share of its votes (the soft majority vote the fit starts from),
    else the E step: posteriors from the log priors and ``log_table[true, annotator *
    K + observed]`` (log confusion[annotator, true, observed]). ``each_step(posteriors
    of the step, first item, end item, first answer, end answer, the answers' cells)``
    is called on every step as it is made (the M step's sums), in answer order. The
    block is one buffer, overwritten by the next block; the cells too, by the next step."""
    k = layout.k
    buffer = np.empty((k, min(_BLOCK, layout.n_items)))
    block_lo = 0
    for lo, hi, first, end in layout.steps:
        if lo - block_lo >= _BLOCK:  # a new block (steps never cross one)
            yield buffer[:, :lo - block_lo], block_lo, lo
            block_lo = lo
        step = buffer[:, lo - block_lo:hi - block_lo]
        cell = layout.cells(first, end)
        if log_priors is None:
            width = hi - lo
            votes = layout.label[first:end].astype(np.int64) * width + (
                layout.item[first:end] - lo)
            step[:] = np.bincount(votes, minlength=k * width).reshape(k, width)
            step /= step.sum(axis=0)
        else:
            assert log_table is not None
            starts = layout.starts[lo:hi] - first
            gathered = layout.scratch[:end - first]
            for row, sums in zip(log_table, step, strict=True):
                np.add.reduceat(np.take(row, cell, out=gathered, mode="clip"), starts,
                                out=sums)
            step += log_priors[:, None]
            step -= step.max(axis=0)
            np.exp(step, out=step)
            step /= step.sum(axis=0)
        if each_step is not None:
            each_step(step, lo, hi, first, end, cell)
    if layout.n_items:
        yield buffer[:, :layout.n_items - block_lo], block_lo, layout.n_items


def _table(confusion: np.ndarray) -> np.ndarray:
    """log confusion as rows true label x columns (annotator, observed)."""
    w, k, _ = confusion.shape
    return np.ascontiguousarray(np.log(np.transpose(confusion, (1, 0, 2)).reshape(k, w * k)))


class _FullMStep:
    """Confusion matrices: expected counts of (true, observed) per annotator, normalised;
    the sums made as the steps come (``add``, in answer order)."""

    def __init__(self, layout: _Layout) -> None:
        self.layout = layout
        self.sums = np.zeros((layout.k, layout.w * layout.k))

    def add(self, posteriors: np.ndarray, lo: int, hi: int, first: int, end: int,
            cell: np.ndarray) -> None:
        layout = self.layout  # np.bincount(cell, weights=row[item]), a step at a time
        item = layout.item[first:end] - lo
        gathered = layout.scratch[:end - first]
        for row, total in zip(posteriors, self.sums, strict=True):
            np.add.at(total, cell, np.take(row, item, out=gathered, mode="clip"))

    def finish(self) -> tuple[np.ndarray, float]:
        """The confusion matrices, and the expected log-likelihood of the answers under
        them (for the lower bound)."""
        w, k = self.layout.w, self.layout.k
        # (K_true, W, K_observed) -> (W, K_true, K_observed)
        counts = np.ascontiguousarray(np.transpose(self.sums.reshape(k, w, k), (1, 0, 2)))
        # rows: given the truth, the chance of each answer
        clipped = np.maximum(counts, EPS)
        clipped /= clipped.sum(axis=2, keepdims=True)
        expected = float((counts * np.log(clipped)).sum())
        return clipped, expected


class _OneCoinMStep:
    """Confusion matrices from one accuracy per annotator: the mean posterior of their
    answers on the label they gave."""

    def __init__(self, layout: _Layout) -> None:
        self.layout = layout
        self.agreed = np.zeros(layout.w)

    def add(self, posteriors: np.ndarray, lo: int, hi: int, first: int, end: int,
            cell: np.ndarray) -> None:
        layout = self.layout  # each answer's posterior on its own label
        np.add.at(self.agreed, layout.annotator[first:end],
                  posteriors[layout.label[first:end], layout.item[first:end] - lo])

    def finish(self) -> tuple[np.ndarray, float]:
        """The confusion matrices, and the expected log-likelihood of the answers."""
        layout, agreed = self.layout, self.agreed
        w, k = layout.w, layout.k
        skill = agreed / np.maximum(layout.per_annotator, 1)
        off = (1.0 - skill) / (k - 1) if k > 1 else np.zeros(w)
        confusion = np.repeat(off[:, None, None], k, axis=1).repeat(k, axis=2)
        diagonal = np.arange(k)
        confusion[:, diagonal, diagonal] = skill[:, None]
        confusion = np.clip(confusion, EPS, 1 - EPS)
        # each answer: its posterior on the answered label times log(diagonal), the rest
        # of its posterior mass times log(off-diagonal)
        log_on = np.log(confusion[:, 0, 0])
        log_off = np.log(confusion[:, 0, 1]) if k > 1 else np.zeros(w)
        expected = float(agreed @ log_on + (layout.per_annotator - agreed) @ log_off)
        return confusion, expected


_MStep = _FullMStep | _OneCoinMStep


def _iteration(layout: _Layout, m_step: _MStep,
               inputs: tuple[np.ndarray, np.ndarray] | None
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """One pass over the items: the posteriors (``inputs``: the E step's log priors and
    log table; None: the soft majority vote), and from them the priors, the confusion
    matrices (``m_step``) and crowd-kit's evidence lower bound (its convergence test),
    per answer: the expected log-likelihood of every answer with the label prior
    counted once per answer (as crowd-kit does), plus the entropy of the posteriors.
    Returns (priors, confusion, lower bound)."""
    k = layout.k
    sums = np.zeros(k)
    per_answer = np.zeros(k)  # each label's posteriors weighted by the item's answers
    entropy = 0.0
    log_priors, log_table = inputs if inputs is not None else (None, None)
    for block, lo, hi in _sweep(layout, log_priors, log_table, each_step=m_step.add):
        sums += np.add.reduce(block, axis=1)  # numpy's blocks: the bits of a whole sum
        per_answer += block @ layout.per_item(lo, hi)
        # x log x of the posteriors clipped to EPS: log(max(p, EPS)), then times p where
        # p >= EPS and times EPS elsewhere
        weighted = np.maximum(block, EPS)
        np.log(weighted, out=weighted)
        kept = block >= EPS
        np.multiply(weighted, block, out=weighted, where=kept)
        np.logical_not(kept, out=kept)
        weighted[kept] *= EPS
        entropy -= float(weighted.sum())
    priors = sums / layout.n_items
    confusion, expected = m_step.finish()
    prior_term = float(per_answer @ np.log(np.maximum(priors, EPS)))
    return priors, confusion, (expected + prior_term + entropy) / layout.n


def _fit(method: str, answers: Answers, m_step: Callable[[_Layout], _MStep],
         max_iter: int, tol: float) -> LabelModel:
    """EM from the soft majority vote, one pass over the items an iteration (the E step
    of an item, then its share of the M step's sums), until the lower bound gains less
    than ``tol``; then one more pass for each item's chosen label and each annotator's
    evidence."""
    k = answers.n_labels
    if len(answers) == 0:
        return LabelModel(method, answers, np.zeros(k), np.zeros((0, k, k)), 0,
                          np.zeros(0, dtype=np.uint8), np.zeros((answers.n_annotators, k)))
    layout = _Layout(answers)
    priors, confusion, _ = _iteration(layout, m_step(layout), None)
    loss = -np.inf
    iterations = 0
    inputs: tuple[np.ndarray, np.ndarray] | None = None  # no E step yet: the soft majority
    for _ in range(max_iter):
        iterations += 1
        inputs = (np.log(np.maximum(priors, EPS)), _table(confusion))
        priors, confusion, new_loss = _iteration(layout, m_step(layout), inputs)
        if new_loss - loss < tol:
            break
        loss = new_loss
    # label numbers in the narrowest ints (one byte an item for up to 256 labels)
    chosen = np.empty(layout.n_items, dtype=np.min_scalar_type(max(k - 1, 0)))
    evidence = np.zeros((layout.w, k))

    def weigh(posteriors: np.ndarray, lo: int, hi: int, first: int, end: int,
              cell: np.ndarray) -> None:
        who, item = layout.annotator[first:end], layout.item[first:end] - lo
        for t in range(k):  # np.bincount(annotator, weights=posteriors[t, item]), in steps
            np.add.at(evidence[:, t], who, posteriors[t, item])

    log_priors, log_table = inputs if inputs is not None else (None, None)
    for block, lo, hi in _sweep(layout, log_priors, log_table, each_step=weigh):
        chosen[lo:hi] = np.argmax(block, axis=0)  # the first of equal posteriors
    return LabelModel(method, answers, priors, confusion, iterations, chosen, evidence,
                      inputs)


def dawid_skene(answers: Answers | Iterable[tuple[Hashable, Hashable, Hashable]],
                labels: Sequence[Hashable] | None = None, *,
                max_iter: int = MAX_ITER, tol: float = TOL) -> LabelModel:
    """The Dawid-Skene model fitted by EM from the soft majority vote (module docstring)."""
    return _fit(FULL, _coded(answers, labels), _FullMStep, max_iter, tol)


def one_coin_dawid_skene(answers: Answers | Iterable[tuple[Hashable, Hashable, Hashable]],
                         labels: Sequence[Hashable] | None = None, *,
                         max_iter: int = MAX_ITER, tol: float = TOL) -> LabelModel:
    """The one-coin Dawid-Skene model: one accuracy per annotator (module docstring)."""
    return _fit(ONE_COIN, _coded(answers, labels), _OneCoinMStep, max_iter, tol)


@dataclass
class MultiLabelModel:
    """:func:`binary_relevance`'s result: one binary :class:`LabelModel` per label
    (labels ``[False, True]``: "not in", "in")."""

    labels: list
    items: Sequence[Any]
    models: dict  # label -> LabelModel over (item, annotator, in?)
    chosen: np.ndarray  # (n_items, n_labels) bool

    @property
    def p_in(self) -> np.ndarray:
        """(n_items, n_labels): the probability that each label is in (each label's model's
        "in" posteriors, put together when asked: not held beside them)."""
        p_in = np.zeros((len(self.items), len(self.labels)))
        for j, value in enumerate(self.labels):
            fitted = self.models[value]
            if len(fitted.chosen):
                p_in[:, j] = fitted.posteriors[:, 1]
        return p_in

    @property
    def confidence(self) -> np.ndarray:
        """Per item, the posterior of its weakest label decision (the minimum over labels
        of the probability of what was decided: in or out)."""
        if not self.labels:
            return np.ones(len(self.items))
        p_in = self.p_in
        decided = np.where(self.chosen, p_in, 1.0 - p_in)
        return decided.min(axis=1)

    def label(self, index: int) -> tuple:
        """The chosen labels of item ``index``, in label order (empty tuple: none)."""
        return tuple(value for value, on in zip(self.labels, self.chosen[index], strict=True)
                     if on)

    def results(self) -> dict:
        """item -> (tuple of labels, confidence)."""
        confidence = self.confidence.tolist()
        return {item: (self.label(i), confidence[i]) for i, item in enumerate(self.items)}


def binary_relevance(answers: Iterable[tuple[Hashable, Hashable, Iterable[Hashable] | None]],
                     labels: Sequence[Hashable], *,
                     model: Callable[..., LabelModel] = dawid_skene,
                     **options: Any) -> MultiLabelModel:
    """Multi-choice answers ``(item, annotator, labels chosen)`` (None: none chosen): per
    label in ``labels`` (plus any met in the answers, after them), ``model`` on whether each
    annotator chose it. An item gets a label when its "in" posterior beats "not in"."""
    triples = [(item, annotator, frozenset(chosen or ())) for item, annotator, chosen in answers]
    order: dict = dict.fromkeys(labels)
    for _, _, chosen in triples:
        for value in sorted(chosen - order.keys(), key=repr):
            order[value] = None
    label_list = list(order)
    base = encode(((item, annotator, False) for item, annotator, _ in triples), [False, True])
    chosen_of = np.array([[value in chosen for value in label_list] for _, _, chosen in triples],
                         dtype=bool).reshape(len(triples), len(label_list))
    return binary_relevance_coded(base, chosen_of, label_list, model=model, **options)


def binary_relevance_coded(base: Answers, chosen: np.ndarray, labels: Sequence[Hashable], *,
                           vote: np.ndarray | None = None,
                           model: Callable[..., LabelModel] = dawid_skene,
                           **options: Any) -> MultiLabelModel:
    """:func:`binary_relevance` of answers already coded: ``base`` numbers the items and
    annotators (its labels ``[False, True]``, unused), ``chosen[a, j]`` says whether answer
    ``a`` chose ``labels[j]`` (every label, the extras after the schema's). With ``vote``
    (per answer the number of its set), ``chosen`` has a row per set instead, and answer
    ``a`` chose ``labels[j]`` when ``chosen[vote[a], j]``: no row of booleans per answer
    (a million tasks' answers times the labels)."""
    label_list = list(labels)
    items = base.items
    models = {}
    for j, value in enumerate(label_list):
        in_set = chosen[:, j].astype(np.int8)  # 0 "not in", 1 "in"
        # with vote, a row per set: the fit, which reads its answers' labels every
        # iteration, gets them whole; the model keeps them as gathered from the sets' (a
        # label's byte per answer held during its own fit only)
        fitted = model(Answers(items, base.annotators, [False, True], base.item,
                               base.annotator, in_set if vote is None else in_set[vote]),
                       **options)
        if vote is not None:
            fitted.answers = replace(fitted.answers, label=GatheredColumn(in_set, vote))
        models[value] = fitted
    # "in" only when it strictly wins: a tie leaves the label out, as argmax over [False, True]
    decided = np.zeros((len(items), len(label_list)), dtype=bool)
    for j, value in enumerate(label_list):
        fitted = models[value]
        if len(fitted.chosen):
            decided[:, j] = fitted.chosen == 1
    return MultiLabelModel(label_list, items, models, decided)
