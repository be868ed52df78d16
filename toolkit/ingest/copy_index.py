"""The near-duplicate index: comments added in corpus order, clusters found once, on disk.

    index = NearDuplicateIndex(threshold=0.75, loose=0.5)
    for batch in batches:
        index.add(batch_texts)
    found = index.resolve()        # found.first[i], found.group[i]
    index.close()

Memory does not hold the corpus nor its sketches. Each comment's exact key (8 bytes),
and for each comment whose matching form is long enough its MinHash sketch (512 bytes)
and band keys (8 bytes a band), are appended to files in a temporary folder as comments
come. :meth:`NearDuplicateIndex.resolve` then works one file at a time: the exact keys
sorted (who is a verbatim copy of whom), each band's keys sorted so that the sketches
sharing a band are neighbours (candidate pairs), the candidates' sketches read back in
pieces and compared, and the clusters and groups formed from the pairs that pass. The
largest things in memory are a few arrays of one number per comment (a band's keys,
their order, the cluster of each comment), two bands at a time: 709 MB at the peak for
10 million comments with the strict bands alone, 1,472 MB with the loose ones too
(bench_dedupe), against 1.9 KB a comment for the in-memory LSH index this replaces.

Sketching (matching form, 5-gram hashes, MinHash, band keys) is most of the CPU time;
once a corpus is past :data:`PARALLEL_FROM` comments it runs in :data:`WORKERS` worker
processes, batches in flight while the caller goes on reading and writing (a caller that
knows its corpus is large, as build does from its snapshot's task count, sends every
batch to a worker from the first one: ``parallel_from=0``).

Two answers, from one pass (see toolkit.ingest.near_duplicates for why two):

- ``first[i]``: the first comment of comment i's **cluster** at the strict ``threshold``
  (annotate-once: precision first). Formed in corpus order: a comment joins the cluster
  of the earliest earlier comment it matches (a verbatim copy: its form's first
  comment's), else starts one (``first[i] == i``); a cluster never merges with another
  afterwards, so a comment's cluster is decided by what came before it.
- ``group[i]``: the **group** of comment i at the ``loose`` threshold (split grouping:
  recall first): connected components of every pair at or above ``loose``, clusters
  included, named by their earliest comment. Copies of copies end up together.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import BinaryIO

import numpy

from ..runtime import reuse_freed_memory
from .sketch import NUM_PERM, band_keys, match_form, minhash, shingle_hashes

_U64 = numpy.uint64

__all__ = ["Found", "NearDuplicateIndex", "components", "index_folder_prefix", "sketch_texts"]

SHORT = 25  # matching forms shorter than this match only when equal
COMPARABLE = 2  # matching forms shorter than this (emoji, punctuation only) match no other text
STRICT_ROWS = 8  # 16 bands of 8 rows: P(candidate) 0.81 at Jaccard 0.75, 0.99 at 0.85
LOOSE_ROWS = 4  # 32 bands of 4 rows: P(candidate) 0.87 at Jaccard 0.5, 0.99 at 0.6
STRICT_CAP = 256  # buckets larger than this give linear pairs (_pairs_in_runs)
LOOSE_CAP = 2  # groups are connected components: a chain through a bucket joins it
PARALLEL_FROM = 50_000  # comments seen before sketching moves to worker processes
WORKERS = 2
BATCH = 4096  # comments sketched at once (numpy's per-call cost is paid once a batch)
IN_FLIGHT = 4  # batches sent to the workers and not yet written
# fork where there is one (Linux): spawn would run the caller's main script again in each
# worker, which a script without `if __name__ == "__main__":` does not survive. The
# workers only run numpy on the texts they are sent.
_CONTEXT = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
# sketches read back at once to compare pairs: a sixteenth of the sketches, at least 65,536
# (16 MB of uint16) and at most 524,288 (128 MB); two blocks are in memory at a time. A
# smaller block costs more reading (each pair of blocks with candidates between them is
# read), a larger one memory: a sixteenth keeps the reads to at most 136 block pairs below
# 8 million sketches; a fixed 128 MB block was most of a million-comment build's peak, and
# an eighth (32 MB at a million) still set it (bench_build 1M: +73 MB while comparing).
BLOCK_ROWS = 1 << 19
MIN_BLOCK_ROWS = 1 << 16
BLOCK_FRACTION = 16
# pairs compared at once: each side's rows are gathered, 4 MB a side (16,384 x 128 x 2 B)
_PAIRS_AT_ONCE = 1 << 14
# the temporary folder's name begins so; beside a corpus, ``<corpus name>.`` + this (see
# index_folder_prefix), so that the run holding that corpus's lock knows it for its own
FOLDER_PREFIX = "near-duplicates-"
_PAIRS_AT_A_TIME = 1 << 23  # pairs whose sketches are compared in one round


@dataclass
class Sketched:
    """What one batch of comments leaves in the index (see :func:`sketch_texts`)."""

    keys: numpy.ndarray  # uint64 per comment: its exact key
    rows: numpy.ndarray  # int64: the batch positions of the comments that have a sketch
    digests: numpy.ndarray  # (rows, NUM_PERM) uint16: each row's low 16 bits (see below)
    strict: numpy.ndarray  # (rows, NUM_PERM // STRICT_ROWS) uint64 band keys
    loose: numpy.ndarray | None  # (rows, NUM_PERM // LOOSE_ROWS) uint64, or None


def _exact_key(data: bytes) -> int:
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "little")


def sketch_texts(texts: Sequence[str], loose: bool) -> Sketched:
    """Everything the index keeps of ``texts``: run in a worker process for large corpora."""
    forms = [match_form(text) for text in texts]
    keys = numpy.fromiter(
        (_exact_key(form.encode("utf-8")) if len(form) >= COMPARABLE
         # nothing to compare: only the very same text (spaces aside), in a key space of
         # its own
         else _exact_key(b"\0" + text.strip().encode("utf-8"))
         for form, text in zip(forms, texts, strict=True)),
        dtype=numpy.uint64, count=len(texts))
    rows = numpy.fromiter((n for n, form in enumerate(forms) if len(form) >= SHORT),
                          dtype=numpy.int64)
    if len(rows):
        hashes, counts = shingle_hashes([forms[n] for n in rows.tolist()])
        digests = minhash(hashes, counts)
    else:
        digests = numpy.empty((0, NUM_PERM), dtype=numpy.uint32)
    # Pairs are compared on the low 16 bits of each row: half the disk and reading, and
    # two different values agree there once in 65,536 rows (0.002 rows of 128 a pair).
    return Sketched(keys, rows, digests.astype(numpy.uint16), band_keys(digests, STRICT_ROWS),
                    band_keys(digests, LOOSE_ROWS) if loose else None)


@dataclass
class Found:
    """:meth:`NearDuplicateIndex.resolve`'s answer, one entry per comment in the order added."""

    first: numpy.ndarray  # int64: the first comment of its strict cluster (itself: none)
    group: numpy.ndarray | None  # int64: the earliest comment of its loose group, or None
    candidate_pairs: int = 0  # pairs of sketches sharing a band (compared)
    matched_pairs: int = 0  # of those, at or above the strict threshold
    loose_pairs: int = 0  # at or above the loose threshold
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each step


class _Column:
    """An append-only file of one numpy dtype (one value, or one fixed-width row, a comment)."""

    def __init__(self, path: Path, dtype: type[numpy.generic], width: int = 1) -> None:
        self.path, self.dtype, self.width = path, numpy.dtype(dtype), width
        self._handle: BinaryIO = path.open("wb")
        self.length = 0

    def append(self, values: numpy.ndarray) -> None:
        values = numpy.ascontiguousarray(values, dtype=self.dtype)
        self._handle.write(values.tobytes())
        self.length += len(values)

    def read(self) -> numpy.ndarray:
        """The whole column in memory (for the per-comment columns, a few bytes a comment)."""
        self._handle.flush()
        values = numpy.fromfile(self.path, dtype=self.dtype)
        return values.reshape(-1, self.width) if self.width > 1 else values

    def block(self, start: int, count: int) -> numpy.ndarray:
        """Rows ``start`` to ``start + count`` (fewer at the end) of a fixed-width column,
        read in one piece: memory holds those rows, not the file."""
        self._handle.flush()
        size = self.dtype.itemsize * self.width
        with self.path.open("rb") as handle:
            handle.seek(start * size)
            data = handle.read(count * size)
        return numpy.frombuffer(data, dtype=self.dtype).reshape(-1, self.width)

    def close(self) -> None:
        self._handle.close()


class NearDuplicateIndex:
    """Comments added in corpus order, their clusters and groups found once (module docstring).

    ``threshold`` is the strict Jaccard threshold (clusters), ``loose`` the looser one for
    groups (None: no groups). ``workdir`` is where the temporary files go (the system's
    temporary folder by default): about 0.32 KB a comment, 0.53 KB with ``loose``.
    ``workers`` (default :data:`WORKERS`; 0: never) processes sketch once more than
    ``parallel_from`` (default :data:`PARALLEL_FROM`) comments came: a caller that knows
    the corpus is large (build knows its snapshot's task count) passes 0, so that every
    batch is sketched in a worker and none in its own process.
    """

    def __init__(self, threshold: float = 0.75, *, loose: float | None = None,
                 workdir: str | Path | None = None, workers: int = WORKERS,
                 parallel_from: int = PARALLEL_FROM, prefix: str = FOLDER_PREFIX) -> None:
        self.threshold, self.loose = threshold, loose
        self._tmp = tempfile.TemporaryDirectory(prefix=prefix, dir=workdir)
        folder = Path(self._tmp.name)
        self._keys = _Column(folder / "keys", numpy.uint64)
        self._rows = _Column(folder / "rows", numpy.int64)
        self._digests = _Column(folder / "digests", numpy.uint16, NUM_PERM)
        self._strict = [_Column(folder / f"strict-{b}", numpy.uint64)
                        for b in range(NUM_PERM // STRICT_ROWS)]
        self._loose = [_Column(folder / f"loose-{b}", numpy.uint64)
                       for b in range(NUM_PERM // LOOSE_ROWS)] if loose is not None else []
        self._workers = workers
        self._parallel_from = parallel_from
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[tuple[int, list[str], Future[Sketched]]] = deque()
        self._batch: list[str] = []  # added, not yet sketched
        self.seen = 0  # comments sketched or sent to be

    # --- adding ------------------------------------------------------------------------
    def add(self, texts: Iterable[str]) -> None:
        """Add ``texts`` (the next comments in corpus order, any number at a time): they are
        sketched :data:`BATCH` at a time, the last ones by :meth:`resolve`."""
        self._batch.extend(texts)
        if len(self._batch) >= BATCH:
            self._sketch(self._batch)
            self._batch = []

    def _sketch(self, texts: list[str]) -> None:
        if not texts:
            return
        start, self.seen = self.seen, self.seen + len(texts)
        if self._pool is None and self._workers and self.seen > self._parallel_from:
            self._pool = ProcessPoolExecutor(self._workers, mp_context=_CONTEXT,
                                             initializer=reuse_freed_memory)
            self._workers = 0  # one pool a run: after a failure, sketching stays here
        if self._pool is None:
            self._write(start, sketch_texts(texts, self.loose is not None))
            return
        self._pending.append(
            (start, texts, self._pool.submit(sketch_texts, texts, self.loose is not None)))
        while len(self._pending) > IN_FLIGHT:
            self._drain_one()

    def _drain_one(self) -> None:
        start, texts, future = self._pending.popleft()
        try:
            sketched = future.result()
        except BrokenProcessPool:
            # a worker could not start or died (a script importing the toolkit without
            # `if __name__ == "__main__":` under spawn, the OOM killer): the batches in
            # flight are sketched here, as all the next ones
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
            sketched = sketch_texts(texts, self.loose is not None)
        self._write(start, sketched)

    def _write(self, start: int, sketched: Sketched) -> None:
        self._keys.append(sketched.keys)
        self._rows.append(sketched.rows + start)
        self._digests.append(sketched.digests)
        for b, column in enumerate(self._strict):
            column.append(sketched.strict[:, b])
        if sketched.loose is not None:
            for b, column in enumerate(self._loose):
                column.append(sketched.loose[:, b])

    def _finish_adding(self) -> None:
        self._sketch(self._batch)
        self._batch = []
        while self._pending:
            self._drain_one()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # --- resolving ---------------------------------------------------------------------
    def resolve(self) -> Found:
        """The clusters (and groups) of every comment added (module docstring)."""
        clock = time.perf_counter()
        seconds: dict[str, float] = {}

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            seconds[step] = now - clock
            clock = now

        self._finish_adding()
        lap("sketch (the last batches)")
        keys = self._keys.read()
        total = len(keys)
        if total == 0:
            empty = numpy.empty(0, dtype=numpy.int64)
            return Found(first=empty, group=empty if self.loose is not None else None)
        exact_first = _first_of_equal(keys)
        del keys
        rows = self._rows.read()
        # a sketch stands for every comment with its form: only a form's first is compared
        distinct = numpy.flatnonzero(exact_first[rows] == rows)
        comment_of = rows[distinct]  # sketch number (among the distinct) -> comment index
        del rows
        lap("exact keys")
        strict_pairs = _candidates(self._strict, distinct, STRICT_CAP)
        lap("strict bands")
        loose_pairs = _candidates(self._loose, distinct, LOOSE_CAP) if self._loose else None
        lap("loose bands")
        candidates = (strict_pairs if loose_pairs is None
                      else numpy.union1d(strict_pairs, loose_pairs))
        del strict_pairs, loose_pairs
        equal = self._equal_rows(candidates, distinct)
        lap("comparing")
        strict_ok = equal >= self.threshold * NUM_PERM
        first_side = comment_of[(candidates >> 32).astype(numpy.int64)]
        second_side = comment_of[(candidates & 0xFFFFFFFF).astype(numpy.int64)]
        first = _clusters(exact_first, first_side[strict_ok], second_side[strict_ok])
        lap("clusters")
        group = None
        loose_count = 0
        if self.loose is not None:
            loose_ok = equal >= self.loose * NUM_PERM
            loose_count = int(loose_ok.sum())
            group = _groups(first, first_side[loose_ok], second_side[loose_ok])
            lap("groups")
        return Found(first=first, group=group, candidate_pairs=len(candidates),
                     matched_pairs=int(strict_ok.sum()), loose_pairs=loose_count,
                     seconds=seconds)

    def _equal_rows(self, pairs: numpy.ndarray, distinct: numpy.ndarray) -> numpy.ndarray:
        """How many of the NUM_PERM rows the two sketches of each pair share.

        The sketches are read back a block (see :data:`BLOCK_ROWS`) at a time: the pairs are
        taken in the order of their two sketches' blocks, so each block pair is compared
        with at most two blocks in memory, read in one piece each; :data:`_PAIRS_AT_A_TIME`
        pairs at a time, so that their bookkeeping stays small."""
        equal = numpy.empty(len(pairs), dtype=numpy.int16)
        rows = min(BLOCK_ROWS, max(MIN_BLOCK_ROWS, -(-self._digests.length // BLOCK_FRACTION)))
        for at in range(0, len(pairs), _PAIRS_AT_A_TIME):
            equal[at : at + _PAIRS_AT_A_TIME] = self._equal_rows_of(
                pairs[at : at + _PAIRS_AT_A_TIME], distinct, rows)
        return equal

    def _equal_rows_of(self, pairs: numpy.ndarray, distinct: numpy.ndarray,
                       rows: int) -> numpy.ndarray:
        left = distinct[(pairs >> numpy.uint64(32)).astype(numpy.int64)]
        right = distinct[(pairs & numpy.uint64(0xFFFFFFFF)).astype(numpy.int64)]
        left_block, right_block = left // rows, right // rows
        order = numpy.lexsort((right_block, left_block))
        equal = numpy.empty(len(pairs), dtype=numpy.int16)
        edges = numpy.flatnonzero((numpy.diff(left_block[order]) != 0)
                                  | (numpy.diff(right_block[order]) != 0)) + 1
        loaded: dict[int, numpy.ndarray] = {}
        for lo, hi in zip(numpy.r_[0, edges], numpy.r_[edges, len(order)], strict=True):
            if lo == hi:
                continue
            which = order[lo:hi]
            a, b = int(left_block[which[0]]), int(right_block[which[0]])
            for block in [key for key in loaded if key not in (a, b)]:
                del loaded[block]
            for block in (a, b):
                if block not in loaded:
                    loaded[block] = self._digests.block(block * rows, rows)
            for at in range(0, len(which), _PAIRS_AT_ONCE):  # 4 MB of rows a side at a time
                part = which[at : at + _PAIRS_AT_ONCE]
                first = loaded[a][left[part] - a * rows]
                second = loaded[b][right[part] - b * rows]
                equal[part] = (first == second).sum(axis=1)
        return equal

    def close(self) -> None:
        """Stop the workers and remove the temporary files."""
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        for column in [self._keys, self._rows, self._digests, *self._strict, *self._loose]:
            column.close()
        self._tmp.cleanup()

    def __enter__(self) -> NearDuplicateIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def index_folder_prefix(corpus: Path) -> str:
    """The name prefix of the index folders of runs writing ``corpus`` (beside it): a run
    killed by SIGKILL leaves its folder, which the next holder of the corpus's lock
    removes (toolkit.ingest.run, I053); another corpus's runs have folders of their own."""
    return f"{corpus.name}.{FOLDER_PREFIX}"


def _first_of_equal(keys: numpy.ndarray) -> numpy.ndarray:
    """For each position, the first position holding the same key."""
    order = numpy.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = numpy.r_[True, ordered[1:] != ordered[:-1]]
    run_first = order[numpy.flatnonzero(starts)]
    first = numpy.empty(len(keys), dtype=numpy.int64)
    first[order] = numpy.repeat(run_first, numpy.diff(numpy.r_[numpy.flatnonzero(starts),
                                                               len(keys)]))
    return first


def _candidates(columns: list[_Column], distinct: numpy.ndarray, cap: int) -> numpy.ndarray:
    """Pairs (i < j, sketch numbers among ``distinct``) sharing a band key in any of
    ``columns``, each once, encoded ``i << 32 | j``; in a bucket of more than ``cap``
    sketches only each one with the bucket's first and with its neighbour (see
    :func:`_pairs_in_runs`). Two bands at a time, in threads: numpy sorts without the GIL."""
    # Each key's low bits give way to the sketch number, and the packed values are sorted
    # (a plain sort: twice as fast as an argsort). Keys that then agree by chance only
    # add a candidate, which the comparison of sketches turns down.
    bits = _U64(max(1, (len(distinct) - 1).bit_length()))
    numbers = numpy.arange(len(distinct), dtype=numpy.uint64)

    def band(column: _Column) -> numpy.ndarray | None:
        packed = column.read()[distinct]
        packed >>= bits
        packed <<= bits
        packed |= numbers
        packed.sort()
        order = (packed & ((_U64(1) << bits) - _U64(1))).astype(numpy.int64)
        packed >>= bits
        same = numpy.flatnonzero(packed[1:] == packed[:-1])
        if len(same) == 0:
            return None
        # runs of equal keys: [start, end) in the sorted order
        run_start = numpy.r_[same[0], same[1:][numpy.diff(same) != 1]]
        run_end = numpy.r_[same[:-1][numpy.diff(same) != 1], same[-1]] + 2
        return numpy.unique(_pairs_in_runs(order, run_start, run_end, cap))

    with ThreadPoolExecutor(2) as threads:
        found = [pairs for pairs in threads.map(band, columns) if pairs is not None]
    if not found:
        return numpy.empty(0, dtype=numpy.uint64)
    return numpy.unique(numpy.concatenate(found))


def _pairs_in_runs(order: numpy.ndarray, starts: numpy.ndarray, ends: numpy.ndarray,
                   cap: int) -> numpy.ndarray:
    """The pairs within each run ``order[start:end]`` (ascending members), encoded: every
    pair in runs of at most ``cap`` members; in a longer run each member with the run's
    first and with the next one.

    Why a cap: where a few frequent 5-grams are the smallest under a band's rows, thousands
    of unrelated comments share its key, and all their pairs would grow with the square
    of the corpus (measured: 2.7 candidates a comment at 100,000 comments, 10.2 at 400,000
    with 32 bands of 4 rows). Copies in such a bucket still meet through its first member
    or a neighbour, and through their other bands."""
    out: list[numpy.ndarray] = []
    sizes = ends - starts
    small = sizes <= cap
    for gap in range(1, int(min(sizes.max(), cap))):
        # pairs (k, k + gap) inside small runs longer than gap
        which = small & (sizes > gap)
        s, e = starts[which], ends[which]
        lengths = e - s - gap
        base = numpy.repeat(s, lengths) + _ramp(lengths)
        out.append(_encode(order[base], order[base + gap]))
    if not small.all():
        s, e = starts[~small], ends[~small]
        lengths = e - s - 1
        base = numpy.repeat(s, lengths) + _ramp(lengths)
        out.append(_encode(order[numpy.repeat(s, lengths)], order[base + 1]))  # the first
        out.append(_encode(order[base], order[base + 1]))  # the next one
    return numpy.concatenate(out) if out else numpy.empty(0, dtype=numpy.uint64)


def _encode(i: numpy.ndarray, j: numpy.ndarray) -> numpy.ndarray:
    return (i.astype(numpy.uint64) << numpy.uint64(32)) | j.astype(numpy.uint64)


def _ramp(lengths: numpy.ndarray) -> numpy.ndarray:
    """0..n-1 for each n in ``lengths``, concatenated."""
    total = int(lengths.sum())
    ramp = numpy.arange(total, dtype=numpy.int64)
    offsets = numpy.repeat(numpy.cumsum(lengths) - lengths, lengths)
    return ramp - offsets


def _clusters(exact_first: numpy.ndarray, left: numpy.ndarray,
              right: numpy.ndarray) -> numpy.ndarray:
    """Each comment's cluster first, in corpus order (module docstring), from the matched
    pairs (``left[k] < right[k]``, comment indices, both the first of their form)."""
    first = numpy.arange(len(exact_first), dtype=numpy.int64)
    if len(left):
        order = numpy.lexsort((left, right))  # by the later comment, then the earlier
        moved: dict[int, int] = {}  # the comments whose first is not themselves
        for i, j in zip(left[order].tolist(), right[order].tolist(), strict=True):
            # i's first is final: i < j, and i's own pairs came before
            candidate = moved.get(i, i)
            if candidate < moved.get(j, j):
                moved[j] = candidate
        if moved:
            first[numpy.fromiter(moved, dtype=numpy.int64, count=len(moved))] = list(
                moved.values())
    # a verbatim copy takes its form's first comment's cluster
    return first[exact_first]


def _groups(first: numpy.ndarray, left: numpy.ndarray, right: numpy.ndarray) -> numpy.ndarray:
    """Connected components of the clusters joined by the loose pairs, each named by its
    earliest comment (:func:`components`: an edge per comment not first of its cluster,
    and one per loose pair)."""
    nodes = numpy.arange(len(first), dtype=numpy.int64)
    moved = first != nodes
    return components(len(first), numpy.concatenate([nodes[moved], left]),
                      numpy.concatenate([first[moved], right]))


def components(total: int, a: numpy.ndarray, b: numpy.ndarray) -> numpy.ndarray:
    """Connected components of nodes ``0 .. total - 1`` joined by the edges
    ``a[i]``-``b[i]``: each node's label is the smallest node of its component.

    In numpy rather than scipy.sparse.csgraph: importing scipy.sparse took 0.3-0.9 s, a
    few percent of a 100,000-task build, for graphs this sparse (near-duplicate groups,
    build's split clusters). Each node points at a smaller or equal one (``label``);
    every round each edge's larger root is hooked under the smaller, then pointers are
    jumped until each points at its root; it stops when every edge has one root at both
    ends. Labels only decrease and always name a node of the component, so the smallest
    node of a component is its root (it can point at nothing smaller), and the only one:
    the same answer as connected components."""
    kind = numpy.int32 if total < 2**31 else numpy.int64  # node numbers: half the memory
    label: numpy.ndarray = numpy.arange(total, dtype=kind)
    a, b = a.astype(kind), b.astype(kind)
    while len(a):
        root_a, root_b = label[a], label[b]
        apart = root_a != root_b
        if not apart.any():
            break
        a, b = a[apart], b[apart]  # an edge once inside one component stays there
        root_a, root_b = root_a[apart], root_b[apart]
        numpy.minimum.at(label, numpy.maximum(root_a, root_b), numpy.minimum(root_a, root_b))
        while True:
            jumped = label[label]
            if numpy.array_equal(jumped, label):
                break
            label = jumped
    return label.astype(numpy.int64)
