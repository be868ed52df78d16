"""The snapshot's corpus keys, by hash: which tasks repeat a key, and whether a key is
among the tasks, with 8 bytes a task.

Build must find a second task for one unit (rejected as ``duplicate_task``), the copies
whose key no task has, and the corpus units no task has. A dict of every key held a str
and an int object per task (about 140 bytes); here each task's key is hashed once as the
snapshot is read (``FirstPass.key_hashes``), the hashes are sorted, and a key is only
compared as a string with the tasks whose hash it shares: equal keys always share their
hash, and a shared hash between different keys (rare) is told apart by that comparison,
so the answers are exact. :func:`string_codes` is the same rule for any keys (build's
split stage joins rows by their cluster names with it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence

import numpy as np

#: ``pick(rows)``: the keys of those rows at once (row -> key), for keys kept where
#: reading them one at a time costs a pass each (a temporary file)
Pick = Callable[[Sequence[int]], Mapping[int, str]]


def string_codes(hashes: np.ndarray, key: Callable[[int], str], *,
                 pick: Pick | None = None) -> np.ndarray:
    """Row -> code, equal codes exactly for equal keys, from each row's ``hash(key)``;
    ``key(row)`` is read only for the rows whose hash another row has (to tell a hash
    collision from a shared key), so the keys are never held together; with ``pick``,
    those rows' keys are read in one call instead."""
    _, inverse = np.unique(hashes, return_inverse=True)
    codes = np.asarray(inverse, dtype=np.int64).ravel()  # no copy where it is int64 already
    del inverse
    if not len(codes):
        return codes
    counts = np.bincount(codes)
    shared = np.flatnonzero((counts > 1)[codes])  # a byte a row, not eight
    if not len(shared):
        return codes
    shared = shared[np.argsort(codes[shared], kind="stable")]
    if pick is not None:
        key = pick(shared.tolist()).__getitem__
    first_key: dict[int, str] = {}
    other: dict[tuple[int, str], int] = {}
    for row in shared.tolist():
        code = int(codes[row])
        text = key(row)
        if first_key.setdefault(code, text) != text:  # a collision: a code of its own
            codes[row] = other.setdefault((code, text), len(counts) + len(other))
    return codes


class TaskKeys:
    """The keys of tasks ``0 .. len(hashes) - 1``: ``hashes[i] == hasher(key_of(i))``
    (``hash``: the hashes are made and used within one process)."""

    def __init__(self, hashes: np.ndarray, key_of: Callable[[int], str], *,
                 hasher: Callable[[str], int] = hash, pick: Pick | None = None) -> None:
        self._hasher = hasher
        self._hashes = hashes
        self._order = np.argsort(hashes, kind="stable")  # equal hashes: in task order
        self._sorted = hashes[self._order]
        self._key_of = key_of
        self._pick = pick  # the keys repeats() compares, at once (see string_codes)
        self._repeats: dict[int, int] | None = None

    def repeats(self) -> dict[int, int]:
        """Task -> the first task with its key, for every task whose key came before."""
        if self._repeats is None and not (self._sorted[1:] == self._sorted[:-1]).any():
            self._repeats = {}  # no hash shared: no key repeated (and no key read)
        if self._repeats is None:
            # equal exactly for equal keys
            codes = string_codes(self._hashes, self._key_of, pick=self._pick)
            _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
            first_of = first[inverse.ravel()]
            later = np.flatnonzero(first_of != np.arange(len(codes)))
            self._repeats = dict(zip(later.tolist(), first_of[later].tolist(), strict=True))
        return self._repeats

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return self._holds(key, self._hasher(key))

    def _holds(self, key: str, hashed: int) -> bool:
        position = int(np.searchsorted(self._sorted, hashed))
        while position < len(self._sorted) and self._sorted[position] == hashed:
            if self._key_of(int(self._order[position])) == key:
                return True
            position += 1
        return False

    def count_in(self, keys: Collection[str]) -> int:
        """How many of ``keys`` (distinct strings) some task has."""
        hashed = np.fromiter((self._hasher(key) for key in keys), dtype=np.int64, count=len(keys))
        positions = np.searchsorted(self._sorted, hashed)
        inside = positions < len(self._sorted)
        candidates = np.flatnonzero(inside)
        candidates = candidates[self._sorted[positions[candidates]] == hashed[candidates]]
        wanted = set(candidates.tolist())
        return sum(1 for number, key in enumerate(keys)
                   if number in wanted and self._holds(key, int(hashed[number])))

    def keys(self) -> Iterator[str]:
        """Each distinct key once, in task order."""
        repeats = self.repeats()
        for task in range(len(self._order)):
            if task not in repeats:
                yield self._key_of(task)
