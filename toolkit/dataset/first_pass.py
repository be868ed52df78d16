"""What build keeps of each task while the snapshot is read: a small record, and the
encoded row on disk.

:class:`FirstPass` is the ``item`` callable of the review's one read (or is fed the
items a caller's review kept). Per task it keeps a :class:`Record` (keys, group,
stratify label, status, what the balance and the rejected file need: a tuple of a
few references, no task data) and, for an item that may become a row, encodes the
row at once and hands it to a :class:`~toolkit.dataset.spool.SortedSpool`, keyed
by the dataset's row order. Whether a row is written, and to which split, is
decided once the whole snapshot was read (a task is judged invalid only after the
pass; splits are dealt over every group); the rows then come back from the spool
in order and go straight to the Parquet writers. So build never holds the rows,
nor the items.

The first comments of near-duplicate copies that were not pushed are the
exception: their items are kept (only those), since a copy's row is made from its
first comment's labels once the corpus says which copies are missing.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy

from ..columns import IntColumn, StringColumn
from ..ingest.near_duplicates import DEFAULT_THRESHOLD as STRICT_THRESHOLD
from ..ingest.near_duplicates import PARALLEL_FROM, NearDuplicateIndex
from ..kinds import kind_of
from ..schema import Schema
from . import _sources
from ._sources import STATUS_OK, STATUS_UNRESOLVED, Item
from .rows import EncodeError, RowEncoder
from .spool import SortedSpool


class Record(NamedTuple):
    """One task as build keeps it through the read (see the module docstring), as
    :meth:`FirstPass.record` gives it back: the pass itself keeps columns."""

    corpus_key: str
    unit_id: str
    task_id: Any
    article_id: Any
    n_annotators: int
    status: str
    reason: str
    missing: tuple[str, ...]  # required questions without a usable answer (B050)
    encode_error: str | None  # the row could not be encoded (rejected as invalid)
    group: str  # the dataset.group_by key
    label: Any  # the stratify question's label (None without one)
    signature: int  # the item's label-distribution keys, interned (FirstPass.signatures)


class RunColumn:
    """A column of values where a task usually repeats the previous task's value (the
    comments of one article come one after the other): each run of equal values is kept
    once, strings as UTF-8 in a :class:`StringColumn`, and each entry holds its run's
    number (4 bytes). No Python object is kept per value: an interning dict held a
    string, a (value, type) key and an int per article, some 60 MB at a million tasks
    of eight comments an article (bench_build). Values are interned once, at the end
    (:meth:`interned`), in order of first appearance, as with a dict while reading.

    Values that are not strings (None, a number) are rare and kept as they are, by run.
    Two values are equal when they have the same type and compare equal (True, 1 and
    1.0 are three values)."""

    _NOTHING = object()

    def __init__(self) -> None:
        self._text = StringColumn()  # per run: its string ("" for a value kept in _other)
        self._other: dict[int, Any] = {}  # run -> its value, when not a string
        self.runs = array("i")  # per entry: its run
        self._last: Any = self._NOTHING  # the last run's value (one object, not one a run)

    def append(self, value: Any) -> None:
        last = self._last
        if not (type(value) is type(last) and value == last):
            run = len(self._text)
            if type(value) is str:
                self._text.append(value)
            else:
                self._text.append("")
                self._other[run] = value
            self._last = value
        self.runs.append(len(self._text) - 1)

    def __len__(self) -> int:
        return len(self.runs)

    def run_value(self, run: int) -> Any:
        return self._other[run] if run in self._other else self._text[run]

    def __getitem__(self, index: int) -> Any:
        return self.run_value(self.runs[index])

    def distinct(self) -> int:
        """How many distinct values were appended."""
        return len(self.interned()[1])

    def interned(self) -> tuple[numpy.ndarray, list]:
        """(each entry's value id (int32), the distinct values by id in order of first
        appearance)."""
        ids: dict[tuple, int] = {}
        values: list = []
        of_run = numpy.empty(len(self._text), dtype=numpy.int32)  # ids below the runs
        for run in range(len(self._text)):
            value = self.run_value(run)
            try:
                found = ids.setdefault((value, type(value)), len(values))
            except TypeError:  # unhashable: its own value (not what a task's data gives)
                found = len(values)
            if found == len(values):
                values.append(value)
            of_run[run] = found
        runs = numpy.frombuffer(self.runs, dtype=numpy.int32) if len(self.runs) else \
            numpy.empty(0, dtype=numpy.int32)
        return of_run[runs], values


# Worker processes that sketch a large build's texts. One: build's own process reads,
# checks and encodes the whole time, so on a two-core machine a second worker only takes
# turns with it (bench_build at 100,000 tasks, see TextGroups).
WORKERS = 1


class TextGroups:
    """The texts of build's records, in record order, grouped once at the end at the
    schema's ``dataset.split_near_duplicates`` (toolkit.ingest.near_duplicates: the index
    lives on disk; it keeps a batch of texts until it sketches them).

    ``expected``: how many texts are coming (the snapshot's task count, when its header
    has one). When that is more than the index would sketch in-process before it starts
    its workers, every batch goes to a worker from the first one: build's process then
    spends no time on MinHash at all (it sketched the first 50,000 texts itself before).

    Build uses only the loose groups, but the index still runs the strict pass: the
    groups join its clusters, and the loose bands alone do not find every strict pair
    (buckets over LOOSE_CAP give only chains): on bench_dedupe's 300,000-comment corpus
    74 strict pairs are not among the loose candidates and 5 comments would land in
    other groups without it."""

    def __init__(self, threshold: float, expected: int | None = None) -> None:
        if expected is not None and expected > PARALLEL_FROM:
            self._index = NearDuplicateIndex(STRICT_THRESHOLD, loose=threshold,
                                             workers=WORKERS, parallel_from=0)
        else:
            self._index = NearDuplicateIndex(STRICT_THRESHOLD, loose=threshold)
        self.threshold = threshold

    def add(self, text: str) -> None:
        self._index.add((text,))

    def groups(self) -> numpy.ndarray:
        """For each record, the index of the earliest record of its group."""
        found = self._index.resolve().group
        assert found is not None  # asked for with loose=
        return found

    def close(self) -> None:
        self._index.close()


_NO_TASK = -(2 ** 63)  # task id None in the task id column


class FirstPass:
    """The per-task callable of build's read; see the module docstring.

    The records are kept as columns, so a task costs about fifty bytes here: its unit
    id (in a :class:`StringColumn`), its corpus key only when it is not the usual
    ``<schema>:<unit id>`` (by index), and small ints (task id, article, group, status,
    reason, stratify label, label signature and annotator count) in arrays; articles,
    groups and sources are kept as runs of equal values (:class:`RunColumn`, interned
    after the read), reasons and labels interned as they come. The rare
    required-question misses and encoding errors are kept by index."""

    def __init__(self, schema: Schema, encoder: RowEncoder, spool: SortedSpool, *,
                 keep: set[str], keep_unresolved: bool, marks: dict[str, str] | None,
                 firsts: set[str], stratify: str | None, required: list,
                 missing_required: Callable[[list, Item], list[str]],
                 order: Callable[[Item], tuple], group_key: Callable[[Schema, Item], str],
                 on_task: Callable[[int], None] | None = None,
                 texts: TextGroups | None = None) -> None:
        self.schema = schema
        self.encoder = encoder
        self.spool = spool
        self.keep = keep
        self.keep_unresolved = keep_unresolved
        self.marks = marks
        self.firsts = firsts  # unit ids whose items are kept: firsts of copies not pushed
        self.first_items: dict[str, list[tuple[int, Item]]] = {}
        self.stratify = stratify
        self.required = required
        self._missing_required = missing_required
        self._order = order
        self._group_key = group_key
        self.prefix = f"{schema.name}:"  # a corpus key is usually this + the unit id
        # the columns, one entry per task (and per near-duplicate copy added)
        self.unit_ids = StringColumn()
        self.corpus_keys: dict[int, str] = {}  # index -> key, where not prefix + unit id
        self.key_hashes = array("q")  # hash() of each corpus key (toolkit.columns.keys)
        self.articles = RunColumn()  # the task's article id
        self.task_ids = array("q")
        # small counts and ids in the narrowest ints that hold them (a byte each while they
        # fit, IntColumn): 11 bytes a task less than int32 (10 MB at a million)
        self.n_annotators = IntColumn()
        self.statuses = array("b")
        self.reasons = IntColumn()
        self.groups = RunColumn()  # the task's dataset.group_by key
        self._group_ids: tuple[numpy.ndarray, list] | None = None  # interned, after the read
        self.labels = IntColumn()
        self.signature_ids = IntColumn()
        self.missing: dict[int, tuple[str, ...]] = {}
        self.encode_errors: dict[int, str] = {}
        # a few distinct values each: interned as they come
        self._ids: dict[str, dict[Any, int]] = {"status": {}, "reason": {}, "label": {}}
        self._values: dict[str, list] = {"status": [], "reason": [], "label": []}
        self._signatures: dict[tuple, int] = {}
        self._by_labels: dict[tuple, int] = {}  # raw labels -> signature id (memo)
        self.signatures: list[tuple] = []  # signature id -> (question -> label keys)
        self.distribution = [q.name for q in schema.questions
                             if kind_of(q.kind).in_distribution]
        self._on_task = on_task
        self.texts = texts  # each record's text, for the split groups of near-duplicates
        self.seconds = 0.0
        self.sources = RunColumn()  # the tasks' sources, where given (the card's count)

    def __len__(self) -> int:
        return len(self.unit_ids)

    def __call__(self, given: Any) -> None:
        start = time.perf_counter()
        item = given if isinstance(given, Item) else _sources.item_of(given, self.keep)
        self.add(item)
        self.seconds += time.perf_counter() - start
        if self._on_task is not None and len(self) % 1000 == 0:
            self._on_task(len(self))

    def done(self) -> None:
        """The read is over (the progress bar's last move)."""
        if self._on_task is not None:
            self._on_task(len(self))

    def add(self, item: Item, *, copy: bool = False) -> int:
        """Keep the record of ``item`` (and spool its row when it may be one); its index."""
        index = len(self)
        if not copy:
            source = item.data.get("source")
            if source:
                self.sources.append(str(source))
            if self.marks:  # as before: set only when the corpus marks copies
                item.data["duplicate_of"] = self.marks.get(item.unit_id)
        status = item.status
        candidate = status == STATUS_OK or (status == STATUS_UNRESOLVED and self.keep_unresolved)
        if candidate:  # a copy takes its first's labels, checked already
            missing = () if copy else tuple(self._missing_required(self.required, item))
            if missing:
                self.missing[index] = missing
            else:
                try:
                    self.spool.add(self._order(item), index, self.encoder.encode(item))
                except EncodeError as exc:
                    self.encode_errors[index] = str(exc)
                if item.unit_id in self.firsts:
                    self.first_items.setdefault(item.unit_id, []).append((index, item))
        unit_id = item.unit_id
        self.unit_ids.append(unit_id)
        key, usual = item.corpus_key, self.prefix + unit_id
        if key is None:
            key = usual  # as the record gives it back
        elif key != usual:
            self.corpus_keys[index] = key
        self.key_hashes.append(hash(key))
        self.articles.append(item.data.get("article_id"))
        task_id = item.task_id
        self.task_ids.append(_NO_TASK if task_id is None else task_id)
        self.n_annotators.append(item.n_annotators)
        self.statuses.append(self._id("status", status))
        self.reasons.append(self._id("reason", item.reason))
        self.groups.append(self._group_key(self.schema, item))
        self.labels.append(self._id("label", item.labels.get(self.stratify)
                                    if self.stratify else None))
        self.signature_ids.append(self._signature(item))
        if self.texts is not None:
            self.texts.add(str(item.data.get("text") or ""))
        return index

    def record(self, index: int) -> Record:
        """The record of the ``index``-th task (made on demand from the columns)."""
        unit_id = self.unit_ids[index]
        task_id = self.task_ids[index]
        values = self._values
        return Record(self.corpus_key(index), unit_id,
                      None if task_id == _NO_TASK else task_id,
                      self.articles[index],
                      self.n_annotators.values[index], values["status"][self.statuses[index]],
                      values["reason"][self.reasons.values[index]], self.missing.get(index, ()),
                      self.encode_errors.get(index), self.groups[index],
                      values["label"][self.labels.values[index]],
                      self.signature_ids.values[index])

    def corpus_key(self, index: int) -> str:
        key = self.corpus_keys.get(index)
        return self.prefix + self.unit_ids[index] if key is None else key

    def values(self, column: str) -> list:
        """The distinct values of an interned column ("label", "status", "reason"), by id."""
        return self._values[column]

    def group_ids(self) -> tuple[numpy.ndarray, list[str]]:
        """(each task's group id, the distinct group keys by id), interned once the read
        is over (the columns do not grow after it)."""
        if self._group_ids is None or len(self._group_ids[0]) != len(self.groups):
            self._group_ids = self.groups.interned()
        return self._group_ids

    def group(self, index: int) -> str:
        codes, keys = self.group_ids()
        return keys[codes[index]]

    def status(self, index: int) -> str:
        return self._values["status"][self.statuses[index]]

    def task_id(self, index: int) -> Any:
        task_id = self.task_ids[index]
        return None if task_id == _NO_TASK else task_id

    def _id(self, column: str, value: Any) -> int:
        """The id of ``value`` in an interned column (with its type: True, 1 and 1.0 are
        one dict key, not one value)."""
        ids = self._ids[column]
        try:
            return ids[(value, type(value))]
        except KeyError:
            found = ids[(value, type(value))] = len(self._values[column])
        except TypeError:  # unhashable (not what aggregation makes): kept as it is
            found = len(self._values[column])
        self._values[column].append(value)
        return found

    def _signature(self, item: Item) -> int:
        labels = item.labels
        values = [labels.get(name) for name in self.distribution]
        # the same few label combinations recur: looked up by the labels themselves, with
        # their types (True, 1 and 1.0 are one dict key, not one label)
        raw: tuple | None = (*values, *map(type, values))
        try:
            return self._by_labels[raw]  # type: ignore[index]
        except KeyError:
            pass
        except TypeError:  # an unhashable label (not what aggregation makes)
            raw = None
        keys = tuple(_label_keys(value) for value in values)
        found = self._signatures.get(keys)
        if found is None:
            found = self._signatures[keys] = len(self.signatures)
            self.signatures.append(keys)
        if raw is not None:
            self._by_labels[raw] = found
        return found


def _label_keys(value: Any) -> tuple[str, ...]:
    """The label-distribution keys of one aggregated label (as the card counts them)."""
    values = value if isinstance(value, (tuple, list)) else [value]
    if not values:
        values = [None]
    keys = []
    for v in values:
        if isinstance(v, bool):
            keys.append("yes" if v else "no")
        elif v is None:
            keys.append("(none)")
        else:
            keys.append(str(v))
    return tuple(keys)
