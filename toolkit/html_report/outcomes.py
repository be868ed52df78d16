"""Where build would put each task, counted as the report reads the snapshot.

Build keeps the first task of a unit and rejects each later one as ``duplicate_task``,
before any other check. Finding those while reading needs every unit key seen so far;
a set of the keys costs over a hundred bytes a task (each a str object and a slot),
about 120 MB at a million tasks. :class:`PredictedOutcomes` keeps per task its key's
UTF-8 bytes in one buffer, its 64-bit ``hash`` and the number of its outcome (about
20 bytes plus the key), and finds the repeated keys once, after the read: the hashes
sorted, and the few tasks whose hash an earlier task shares compared by their keys
(exact: two keys with the same hash are only a repeat when equal). A repeat's own
outcome is then moved to ``duplicate_task``: the counts are those of checking each
key as it comes.
"""

from __future__ import annotations

from array import array
from collections import Counter

import numpy as np

DUPLICATE = "duplicate_task"
DUPLICATE_DETAIL = "a second task for a unit already seen"


class PredictedOutcomes:
    """Per task ``add(key, outcome, detail)``; then ``predicted`` (outcome -> tasks) and
    ``rejected_detail`` ((reason code, detail) -> tasks), the repeated keys counted as
    ``rejected: duplicate_task``. Reading the counts ends the adding."""

    def __init__(self) -> None:
        self._number: dict[tuple[str, tuple[str, str] | None], int] = {}
        self._outcome = array("i")  # per task: its (outcome, detail)'s number
        self._hashes = array("q")  # per task: hash(key)
        self._ends = array("q")  # per task: where its key ends in _text
        self._text = bytearray()
        self._counts: tuple[Counter, Counter] | None = None

    def add(self, key: str, outcome: str, detail: tuple[str, str] | None = None) -> None:
        """One task: its unit ``key``, where build puts it unless its key came before
        (``outcome``, e.g. "in the dataset", "rejected: unresolved") and for a rejection
        its (reason code, detail)."""
        if self._counts is not None:
            raise RuntimeError("the outcomes were already counted")
        number = self._number.get((outcome, detail))
        if number is None:
            number = self._number[(outcome, detail)] = len(self._number)
        self._outcome.append(number)
        self._hashes.append(hash(key))
        self._text += key.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._text))

    def __len__(self) -> int:
        return len(self._outcome)

    def _key(self, task: int) -> bytes:
        return bytes(self._text[self._ends[task - 1] if task else 0:self._ends[task]])

    def repeats(self) -> list[int]:
        """The tasks (ascending) whose key an earlier task had."""
        hashes = np.frombuffer(self._hashes, dtype=np.int64)
        order = np.argsort(hashes, kind="stable")  # equal hashes: in task order
        ordered = hashes[order]
        shared = np.flatnonzero(ordered[1:] == ordered[:-1])  # position i shares with i + 1
        later: list[int] = []
        run: list[int] = []
        for position in shared.tolist():  # a few: repeats and hash collisions only
            if not run or run[-1] != position:
                later.extend(self._repeated(order, run))
                run = [position]
            run.append(position + 1)
        later.extend(self._repeated(order, run))
        return sorted(later)

    def _repeated(self, order: np.ndarray, run: list[int]) -> list[int]:
        """Of the tasks at ``run``'s positions (one hash, in task order), those whose key
        an earlier one of them had."""
        seen: set[bytes] = set()
        out = []
        for task in order[run].tolist():
            key = self._key(task)
            if key in seen:
                out.append(task)
            seen.add(key)
        return out

    def _count(self) -> tuple[Counter, Counter]:
        if self._counts is None:
            per_task = np.frombuffer(self._outcome, dtype=np.int32)
            tasks = np.bincount(per_task, minlength=len(self._number))
            repeats = self.repeats()
            for task in repeats:
                tasks[per_task[task]] -= 1
            predicted: Counter = Counter()
            detail: Counter = Counter()
            for (outcome, why), number in self._number.items():
                n = int(tasks[number])
                if n:
                    predicted[outcome] += n
                    if why is not None:
                        detail[why] += n
            if repeats:
                predicted[f"rejected: {DUPLICATE}"] += len(repeats)
                detail[(DUPLICATE, DUPLICATE_DETAIL)] += len(repeats)
            self._counts = (predicted, detail)
            self._hashes, self._ends, self._text = array("q"), array("q"), bytearray()
        return self._counts

    @property
    def predicted(self) -> Counter:
        return self._count()[0]

    @property
    def rejected_detail(self) -> Counter:
        return self._count()[1]
