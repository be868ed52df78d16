"""Choose a budget's units from a corpus file by stratified sampling, streaming.

    sample = select(corpus_path, design, pushed=unit_ids_already_pushed)
    sample.chosen          # unit id -> stratum index (the units pushed or to push)
    sample.strata          # population, sample and inclusion probability per stratum

Two reads of the corpus file, never the corpus in memory:

1. Every line is parsed; per unit that may be sampled (:mod:`.strata`) only its stratum
   (an int32) and its rank (8 bytes) are kept, and per line its byte offset and the
   number of its first kept unit: 12 bytes a unit, 16 a line.
2. The allocation (:mod:`.allocate`) gives each stratum its number of units; within a
   stratum the units with the lowest ranks are taken (numpy sorts the ranks), and only
   the lines that hold a chosen unit are read again (seek to their offset) to learn the
   chosen units' ids.

The rank of a unit is the first 8 bytes of blake2b(unit id, key = the seed): a
function of the unit and the seed only, so the sample is the same for the same corpus,
design and seed; another seed gives another one; and since the allocation only grows
with the budget and the ranks do not move, a larger budget gives a superset. The unit
id (not the schema's corpus key) is hashed, so two schemas with the same selection
sample the same comments. Units already pushed (the ledger) count as chosen in their
stratum and are kept whatever their rank.

Measured by bench/bench_select.py (generated corpus, 20 comments per article, 5%
copies, budget 10,000 stratified by site, month, length: 5,760 strata; 2 cores shared
with other work, load average about 4), against reading the same file line by line
with orjson in the same run:

    comments     file      baseline wall / CPU   select wall / CPU   peak (growth)
    1,000,000    566 MB    2.3 s / 1.5 s          5.4 s / 3.7 s       100 MB (47 MB)
    10,000,000   5.65 GB   33.0 s / 16.2 s        64.1 s / 36.0 s     478 MB (426 MB)

i.e. 1.9-2.3 times the bare read. At ten million comments the CPU time is 36 s; the
wall time (64 s) was stretched by the shared machine as much as the baseline's (33 s
wall for 16 s CPU). Of the CPU time at one million: parsing 1.5 s, the frame (strata,
filters) 0.65 s, ranks and arrays 0.85 s, the allocation, sort and second read 0.8 s.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import orjson

from ..errors import InputError
from .allocate import allocate
from .strata import Frame, Tally, frame_units

_FIX = "re-create the file with `corpus ingest`"


@dataclass(frozen=True)
class Design:
    """A sample: how many units, stratified by what, with which seed, among which units."""

    budget: int
    frame: Frame
    seed: int = 0


@dataclass
class Stratum:
    """One stratum: its values (dimension -> value), its units that may be sampled
    (``population``), those chosen (``sample``, ``pushed`` of them before this run)."""

    values: dict[str, str]
    population: int
    sample: int = 0
    pushed: int = 0

    @property
    def probability(self) -> float:
        """The inclusion probability of each of its units, n_h / N_h."""
        return self.sample / self.population if self.population else 0.0

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items()) or "all"


@dataclass
class Sample:
    """The chosen units and the frame they were chosen from."""

    design: Design
    strata: list[Stratum]
    chosen: dict[str, int] = field(default_factory=dict)  # unit id -> stratum index
    copies: int = 0  # near-duplicate copies met (not sampling units)
    filtered: int = 0  # units the length filters left out
    pushed_outside: int = 0  # pushed units that are not in the frame (now a copy, filtered)

    @property
    def population(self) -> int:
        return sum(s.population for s in self.strata)

    @property
    def size(self) -> int:
        return sum(s.sample for s in self.strata)

    @property
    def pushed(self) -> int:
        return sum(s.pushed for s in self.strata)

    def probability(self, unit_id: str) -> float | None:
        """A chosen unit's inclusion probability; None for a unit not chosen."""
        index = self.chosen.get(unit_id)
        return None if index is None else self.strata[index].probability


def rank_key(seed: int) -> bytes:
    """The blake2b key of a seed's ranks."""
    return str(seed).encode()


def ranker(seed: int) -> Any:
    """blake2b keyed with the seed, 8 bytes: ``ranker(seed).copy()`` then ``update(unit id)``
    hashes one unit (copying the keyed state is twice as fast as keying anew)."""
    return hashlib.blake2b(digest_size=8, key=rank_key(seed))


def rank(unit_id: str, seed: int) -> int:
    """A unit's rank under a seed (lower is chosen first)."""
    hasher = ranker(seed).copy()
    hasher.update(unit_id.encode())
    return int.from_bytes(hasher.digest(), "big")


def select(corpus_path: Path | str, design: Design,
           pushed: Collection[str] = ()) -> Sample:
    """The sample of ``design`` from the corpus file; ``pushed``: unit ids already tasks
    (kept, counted in their strata). Raises InputError naming the line of a bad record."""
    path = Path(corpus_path)
    scan = _Scan(path, design, pushed)
    scan.read()
    order = sorted(range(len(scan.keys)), key=lambda i: scan.keys[i])  # strata by their values
    renumber = numpy.empty(len(order), dtype=numpy.int32)
    renumber[order] = numpy.arange(len(order), dtype=numpy.int32)
    dims = design.frame.stratify_by
    strata = [Stratum(dict(zip(dims, scan.keys[i], strict=True)), scan.population[i],
                      pushed=scan.pushed_counts[i]) for i in order]
    sizes = allocate([s.population for s in strata], design.budget,
                     [s.pushed for s in strata])
    for stratum, size in zip(strata, sizes, strict=True):
        stratum.sample = size
    sample = Sample(design, strata, copies=scan.tally.copies, filtered=scan.tally.filtered,
                    pushed_outside=len(pushed) - len(scan.pushed_in) if pushed else 0)
    sample.chosen = {uid: int(renumber[index]) for uid, index in scan.pushed_in.items()}
    new = numpy.array([s.sample - s.pushed for s in strata], dtype=numpy.int64)
    if new.any():
        stratum_of = renumber[numpy.frombuffer(scan.strata, dtype=numpy.int32)]
        ranks = numpy.frombuffer(scan.ranks, dtype=">u8")
        by_rank = numpy.lexsort((ranks, stratum_of))  # stratum, then rank
        counts = numpy.bincount(stratum_of, minlength=len(strata))
        starts = numpy.concatenate(([0], numpy.cumsum(counts)[:-1]))
        sorted_strata = stratum_of[by_rank]
        place = numpy.arange(len(by_rank)) - starts[sorted_strata]  # 0 = lowest rank
        picked = numpy.sort(by_rank[place < new[sorted_strata]])
        del by_rank, place, sorted_strata, ranks
        for uid, index in scan.units_at(picked):
            sample.chosen[uid] = int(stratum_of[index])
    return sample


class _Scan:
    """The first read: strata, ranks and line offsets of the units that may be sampled."""

    def __init__(self, path: Path, design: Design, pushed: Collection[str]) -> None:
        self.path = path
        self.frame = design.frame
        self.ranker = ranker(design.seed)
        self.pushed = pushed if isinstance(pushed, (set, frozenset, dict)) else set(pushed)
        self.tally = Tally()
        self.index: dict[tuple, int] = {}  # stratum values -> number (order of first meeting)
        self.keys: list[tuple] = []
        self.population: list[int] = []
        self.pushed_counts: list[int] = []
        self.pushed_in: dict[str, int] = {}  # pushed unit id -> stratum number
        self.strata = array("i")  # per kept unit (not pushed): its stratum number
        self.ranks = bytearray()  # per kept unit: 8 bytes of rank
        self.line_offsets = array("q")  # per line holding kept units: its byte offset
        self.line_first = array("q")  # ... and the number of its first kept unit
        self.line_numbers = array("q")  # ... and its line number (for messages)

    def read(self) -> None:
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read the corpus file ({exc.strerror})") \
                from exc
        ranker = self.ranker
        strata, ranks, pushed = self.strata, self.ranks, self.pushed
        index, population = self.index, self.population
        with handle:
            offset = 0
            for number, line in enumerate(handle, start=1):
                start = offset
                offset += len(line)
                first = len(strata)
                for uid, values in self._units(line, number):
                    stratum = index.get(values)
                    if stratum is None:
                        stratum = index[values] = len(self.keys)
                        self.keys.append(values)
                        population.append(0)
                        self.pushed_counts.append(0)
                    population[stratum] += 1
                    if pushed and uid in pushed:
                        self.pushed_in[uid] = stratum
                        self.pushed_counts[stratum] += 1
                        continue
                    strata.append(stratum)
                    hasher = ranker.copy()
                    hasher.update(uid.encode())
                    ranks += hasher.digest()
                if len(strata) > first:
                    self.line_offsets.append(start)
                    self.line_first.append(first)
                    self.line_numbers.append(number)

    def _units(self, line: bytes, number: int,
               tally: Tally | None = None) -> list[tuple[str, tuple]]:
        if not line.strip():
            return []
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{self.path}:{number}: not JSON ({exc}); {_FIX}") from exc
        try:
            return frame_units(record, self.frame, tally or self.tally)
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{self.path}:{number}: not a corpus record ({exc!r}); "
                             f"{_FIX}") from exc

    def units_at(self, picked: numpy.ndarray) -> list[tuple[str, int]]:
        """(unit id, kept-unit number) of the kept units numbered ``picked`` (ascending):
        the second read, of only the lines that hold them."""
        firsts = numpy.frombuffer(self.line_first, dtype=numpy.int64)
        lines = numpy.searchsorted(firsts, picked, side="right") - 1
        out: list[tuple[str, int]] = []
        pushed = self.pushed
        uniques, starts = numpy.unique(lines, return_index=True)  # picked is ascending
        ends = [*starts[1:].tolist(), len(picked)]
        with self.path.open("rb") as handle:
            for line_index, begin, end in zip(uniques.tolist(), starts.tolist(), ends,
                                              strict=True):
                handle.seek(self.line_offsets[line_index])
                line = handle.readline()
                wanted = set((picked[begin:end] - firsts[line_index]).tolist())
                kept = 0
                for uid, _ in self._units(line, self.line_numbers[line_index], Tally()):
                    if pushed and uid in pushed:
                        continue
                    if kept in wanted:
                        out.append((uid, int(self.line_first[line_index]) + kept))
                    kept += 1
        if len(out) != len(picked):
            raise InputError(f"{self.path}: changed while it was read for the sample; run "
                             "again when nothing writes it")
        return out
