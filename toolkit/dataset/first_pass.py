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
from collections.abc import Callable
from typing import Any, NamedTuple

from ..ingest.near_duplicates import BATCH, NearDuplicateIndex
from ..ingest.near_duplicates import DEFAULT_THRESHOLD as STRICT_THRESHOLD
from ..kinds import kind_of
from ..schema import Schema
from . import _sources
from ._sources import STATUS_OK, STATUS_UNRESOLVED, Item
from .rows import EncodeError, RowEncoder
from .spool import SortedSpool


class Record(NamedTuple):
    """One task as build keeps it through the read (see the module docstring)."""

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


class TextGroups:
    """The texts of build's records, in record order, grouped once at the end at the
    schema's ``dataset.split_near_duplicates`` (toolkit.ingest.near_duplicates: the index
    lives on disk; memory holds a batch of texts)."""

    def __init__(self, threshold: float) -> None:
        self._index = NearDuplicateIndex(STRICT_THRESHOLD, loose=threshold)
        self._batch: list[str] = []
        self.threshold = threshold

    def add(self, text: str) -> None:
        self._batch.append(text)
        if len(self._batch) >= BATCH:
            self._index.add(self._batch)
            self._batch = []

    def groups(self) -> list[int]:
        """For each record, the index of the earliest record of its group."""
        self._index.add(self._batch)
        self._batch = []
        found = self._index.resolve().group
        assert found is not None  # asked for with loose=
        return found.tolist()

    def close(self) -> None:
        self._index.close()


class FirstPass:
    """The per-task callable of build's read; see the module docstring."""

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
        self.records: list[Record] = []
        self._reasons: dict[str, str] = {}
        self._signatures: dict[tuple, int] = {}
        self._by_labels: dict[tuple, int] = {}  # raw labels -> signature id (memo)
        self.signatures: list[tuple] = []  # signature id -> (question -> label keys)
        self.distribution = [q.name for q in schema.questions
                             if kind_of(q.kind).in_distribution]
        self._on_task = on_task
        self.texts = texts  # each record's text, for the split groups of near-duplicates
        self.seconds = 0.0
        self.sources: set[str] = set()  # the snapshot's distinct sources (the card's count)

    def __call__(self, given: Any) -> None:
        start = time.perf_counter()
        item = given if isinstance(given, Item) else _sources.item_of(given, self.keep)
        self.add(item)
        self.seconds += time.perf_counter() - start
        if self._on_task is not None and len(self.records) % 1000 == 0:
            self._on_task(len(self.records))

    def done(self) -> None:
        """The read is over (the progress bar's last move)."""
        if self._on_task is not None:
            self._on_task(len(self.records))

    def add(self, item: Item, *, copy: bool = False) -> Record:
        """Keep the record of ``item`` (and spool its row when it may be one)."""
        index = len(self.records)
        if not copy:
            source = item.data.get("source")
            if source:
                self.sources.add(str(source))
            if self.marks:  # as before: set only when the corpus marks copies
                item.data["duplicate_of"] = self.marks.get(item.unit_id)
        status = item.status
        candidate = status == STATUS_OK or (status == STATUS_UNRESOLVED and self.keep_unresolved)
        missing: tuple[str, ...] = ()
        error = None
        if candidate:  # a copy takes its first's labels, checked already
            missing = () if copy else tuple(self._missing_required(self.required, item))
            if not missing:
                try:
                    self.spool.add(self._order(item), index, self.encoder.encode(item))
                except EncodeError as exc:
                    error = str(exc)
                if item.unit_id in self.firsts:
                    self.first_items.setdefault(item.unit_id, []).append((index, item))
        reason = self._reasons.setdefault(item.reason, item.reason)
        record = Record(item.corpus_key, item.unit_id, item.task_id, item.data.get("article_id"),
                        item.n_annotators, status, reason, missing, error,
                        self._group_key(self.schema, item),
                        item.labels.get(self.stratify) if self.stratify else None,
                        self._signature(item))
        self.records.append(record)
        if self.texts is not None:
            self.texts.add(str(item.data.get("text") or ""))
        return record

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
