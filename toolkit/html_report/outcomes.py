"""Where build would put each task, counted as the report reads the snapshot.

Build keeps the first task of a unit and rejects each later one as ``duplicate_task``,
before any other check. Finding those while reading needs every unit key seen so far;
a set of the keys costs over a hundred bytes a task (each a str object and a slot),
about 120 MB at a million tasks. :class:`PredictedOutcomes` keeps per task in memory
the number of its outcome (a byte while there are under 128 outcomes), the key's 64-bit
``hash`` and the key itself in temporary files (:class:`~toolkit.columns.SpilledInts`,
:class:`~toolkit.columns.SpilledStrings`), and finds the repeated keys once, when the
counts are read (after the competence fits, the report's highest point), as build does
(:class:`~toolkit.columns.TaskKeys`): only the keys whose hash
another task has are read back and compared, so the answer is exact when hashes
collide. A repeat's own outcome is then moved to ``duplicate_task``: the counts are
those of checking each key as it comes.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..columns import IntColumn, SpilledInts, SpilledStrings, TaskKeys

DUPLICATE = "duplicate_task"
DUPLICATE_DETAIL = "a second task for a unit already seen"


class PredictedOutcomes:
    """Per task ``add(key, outcome, detail)``; then ``predicted`` (outcome -> tasks) and
    ``rejected_detail`` ((reason code, detail) -> tasks), the repeated keys counted as
    ``rejected: duplicate_task``. Reading the counts ends the adding."""

    def __init__(self) -> None:
        self._number: dict[tuple[str, tuple[str, str] | None], int] = {}
        self._outcome = IntColumn()  # per task: its (outcome, detail)'s number
        self._hashes = SpilledInts()  # per task: hash(key), 8 bytes each
        self._hashes.fit(2**63 - 1)
        self._keys = SpilledStrings()
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
            self._outcome.fit(number)
        self._outcome.values.append(number)
        self._hashes.append(hash(key))
        self._keys.append(key)

    def __len__(self) -> int:
        return len(self._outcome)

    def repeats(self) -> list[int]:
        """The tasks (ascending) whose key an earlier task had."""
        hashes = self._hashes.numpy()
        keys = self._keys  # in a file: the keys whose hash is shared are read in one pass
        return sorted(TaskKeys(hashes, keys.__getitem__, pick=keys.pick).repeats())

    def _count(self) -> tuple[Counter, Counter]:
        if self._counts is None:
            per_task = self._outcome.numpy()
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
            self._hashes.close()
            self._keys.close()
        return self._counts

    @property
    def predicted(self) -> Counter:
        return self._count()[0]

    @property
    def rejected_detail(self) -> Counter:
        return self._count()[1]
