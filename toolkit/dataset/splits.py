"""Deterministic grouped (and, where possible, stratified) split assignment.

All items of one group (by default: the comments of one article) land in the
same split, so no article leaks between train and test. Groups are shuffled
with the schema's seed, then ordered by stratum (the group's most frequent
label of the stratify question), and each group in turn goes to the split
furthest below its target share, counting both within its stratum and overall
(so many small strata still fill the small splits). Same input, same seed ->
same assignment, independent of the input order.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Sequence


def assign_splits(
    groups: Sequence[tuple[str, int, Hashable]],
    fractions: dict[str, float],
    seed: int,
) -> dict[str, str]:
    """Group key -> split name.

    ``groups`` holds (group key, number of items, stratum); the stratum may be
    None when the group has no label to stratify by.
    """
    names = list(fractions)
    ordered = sorted(groups, key=lambda g: g[0])
    random.Random(seed).shuffle(ordered)
    # Stable sort by stratum keeps the seeded shuffle inside each stratum.
    ordered.sort(key=lambda g: _stratum_key(g[2]))
    assignment: dict[str, str] = {}
    counts: dict[Hashable, Counter] = {}
    overall: Counter = Counter()
    for key, size, stratum in ordered:
        count = counts.setdefault(stratum, Counter())
        total = sum(count.values()) + size
        grand = sum(overall.values()) + size

        def deficit(name: str, count=count, total=total, grand=grand) -> tuple:
            within = fractions[name] * total - count[name]
            across = fractions[name] * grand - overall[name]
            return (within + across, -names.index(name))

        best = max(names, key=deficit)
        count[best] += size
        overall[best] += size
        assignment[key] = best
    _fill_empty_splits(ordered, fractions, assignment, overall)
    return assignment


def _fill_empty_splits(
    ordered: Sequence[tuple[str, int, Hashable]],
    fractions: dict[str, float],
    assignment: dict[str, str],
    overall: Counter,
) -> None:
    """Give each split with a non-zero fraction at least one group, when there are
    enough groups: on small data the share rule alone can leave a 10% split empty.
    The group moved is the smallest one of the split with the most groups."""
    members: dict[str, list[tuple[int, str]]] = {name: [] for name in fractions}
    for key, size, _ in ordered:
        members[assignment[key]].append((size, key))
    for name in sorted(fractions, key=lambda n: (fractions[n], n)):
        if members[name] or fractions[name] <= 0:
            continue
        donor = max(members, key=lambda n: (len(members[n]), n))
        if len(members[donor]) < 2:
            return
        size, key = min(members[donor])
        members[donor].remove((size, key))
        members[name].append((size, key))
        assignment[key] = name
        overall[donor] -= size
        overall[name] += size


def _stratum_key(stratum: Hashable) -> tuple[int, str]:
    return (0, "") if stratum is None else (1, str(stratum))


def group_stratum(labels: Sequence[Hashable]) -> Hashable:
    """The most frequent non-null label of a group (ties: the smallest), or None."""
    counted = Counter(label for label in labels if label is not None)
    if not counted:
        return None
    top = max(counted.values())
    return min((label for label, n in counted.items() if n == top), key=str)
