"""Deterministic grouped (and, where possible, stratified) split assignment.

All items of one group (by default: the comments of one article) land in the
same split, so no article leaks between train and test. Groups are shuffled
with the schema's seed, then ordered by stratum (the group's most frequent
label of the stratify question), and each group in turn goes to the split
furthest below its target share, counting both within its stratum and overall
(so many small strata still fill the small splits). Same input, same seed ->
same assignment, independent of the input order.

Across dataset versions: ``fixed`` holds the previous build's assignment. Those
groups keep their split (no article moves between train and test from one
version to the next) and count toward the shares from the start, so only the
new groups are dealt, toward the fractions.

Near-duplicate comments (``duplicate_of`` in the corpus) join their groups:
:func:`assign_joined_splits` deals the union of the schema's groups and the
near-duplicate clusters, so no cluster straddles two splits.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence


def assign_splits(
    groups: Sequence[tuple[str, int, Hashable]],
    fractions: dict[str, float],
    seed: int,
    fixed: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Group key -> split name.

    ``groups`` holds (group key, number of items, stratum); the stratum may be
    None when the group has no label to stratify by. ``fixed`` (group key ->
    split, e.g. the previous build's) pins those groups to their split; splits
    not in ``fractions`` are ignored there.
    """
    names = list(fractions)
    pinned = {key: split for key, split in (fixed or {}).items() if split in fractions}
    assignment: dict[str, str] = {}
    counts: dict[Hashable, Counter] = {}
    overall: Counter = Counter()
    for key, size, stratum in groups:  # pinned groups count toward the shares first
        split = pinned.get(key)
        if split is not None:
            assignment[key] = split
            counts.setdefault(stratum, Counter())[split] += size
            overall[split] += size
    ordered = sorted((g for g in groups if g[0] not in assignment), key=lambda g: g[0])
    random.Random(seed).shuffle(ordered)
    # Stable sort by stratum keeps the seeded shuffle inside each stratum.
    ordered.sort(key=lambda g: _stratum_key(g[2]))
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
    _fill_empty_splits(groups, fractions, assignment, overall, pinned)
    return assignment


def _fill_empty_splits(
    groups: Sequence[tuple[str, int, Hashable]],
    fractions: dict[str, float],
    assignment: dict[str, str],
    overall: Counter,
    pinned: Mapping[str, str],
) -> None:
    """Give each split with a non-zero fraction at least one group, when there are
    enough groups: on small data the share rule alone can leave a 10% split empty.
    The group moved is the smallest newly dealt one of the split with the most
    groups; pinned groups never move."""
    members: dict[str, list[tuple[int, str]]] = {name: [] for name in fractions}
    movable: dict[str, list[tuple[int, str]]] = {name: [] for name in fractions}
    for key, size, _ in sorted(groups, key=lambda g: g[0]):
        members[assignment[key]].append((size, key))
        if key not in pinned:
            movable[assignment[key]].append((size, key))
    for name in sorted(fractions, key=lambda n: (fractions[n], n)):
        if members[name] or fractions[name] <= 0:
            continue
        donor = max(members, key=lambda n: (len(members[n]), n))
        if len(members[donor]) < 2 or not movable[donor]:
            return
        size, key = min(movable[donor])
        members[donor].remove((size, key))
        movable[donor].remove((size, key))
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


def join_groups(pairs: Iterable[tuple[str, Hashable]]) -> dict[str, str]:
    """Group key -> the key of its joined group, from (group key, cluster key) pairs.

    Groups that hold members of one near-duplicate cluster are joined (union-find),
    transitively, so that dealing joined groups never puts two copies of a comment
    in different splits. A joined group is named by its smallest member key; a
    group that joins nothing keeps its own key.
    """
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]  # path halving
            key = parent[key]
        return key

    first_group: dict[Hashable, str] = {}
    for group, cluster in pairs:
        root(group)
        if cluster is None:
            continue
        other = first_group.setdefault(cluster, group)
        a, b = root(group), root(other)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {key: root(key) for key in parent}


def assign_joined_splits(
    items: Iterable[tuple[str, Hashable, Hashable]],
    fractions: dict[str, float],
    seed: int,
    fixed: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(group key -> split, group key -> joined group key) for items given as (group key,
    near-duplicate cluster key or None, stratify label or None).

    Groups are joined by :func:`join_groups` and each joined group is dealt as one
    by :func:`assign_splits`. A joined group whose members ``fixed`` pins to splits
    goes to the split of its smallest pinned member (a copy must not straddle two
    splits, even when an earlier build put its groups apart).
    """
    items = list(items)
    joined = join_groups((group, cluster) for group, cluster, _ in items)
    labels: dict[str, list[Hashable]] = {}
    for group, _, label in items:
        labels.setdefault(joined[group], []).append(label)
    pinned: dict[str, str] = {}
    for group in sorted(fixed or {}):
        if group in joined and fixed[group] in fractions:  # type: ignore[index]
            pinned.setdefault(joined[group], fixed[group])  # type: ignore[index]
    dealt = assign_splits(
        [(key, len(members), group_stratum(members)) for key, members in labels.items()],
        fractions, seed, fixed=pinned,
    )
    return {group: dealt[key] for group, key in joined.items()}, joined
