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
from array import array
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy

from ..ingest.copy_index import components


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


@dataclass(frozen=True)
class SplitRows:
    """The rows to deal, as columns of small ints (no object per row): each row's group
    and stratify label as ids into ``group_keys`` and ``label_values``, and the codes that
    join rows into clusters: rows sharing a code (>= 0) in one of ``joins`` are one
    near-duplicate cluster (-1: no code)."""

    groups: numpy.ndarray  # row -> index into group_keys
    group_keys: Sequence[str]  # distinct keys
    labels: numpy.ndarray  # row -> index into label_values (each value once per type)
    label_values: Sequence[Hashable]
    joins: Sequence[numpy.ndarray] = ()

    def __len__(self) -> int:
        return len(self.groups)


def row_clusters(rows: SplitRows) -> numpy.ndarray:
    """Row -> its cluster (0..C-1): rows that share a code in any of ``rows.joins`` are
    joined, transitively; a row that shares none is a cluster of its own."""
    count = len(rows)
    heads, tails = [], []
    offset = count
    for codes in rows.joins:  # masks of a byte a row, not index arrays of eight
        valid = codes >= 0
        if not valid.any():
            continue
        shared = numpy.bincount(codes if valid.all() else codes[valid]) > 1
        # a code only one row has joins nothing (code -1 reads the last entry: masked)
        keyed = numpy.flatnonzero(valid & shared[codes])
        del valid
        heads.append(keyed)
        tails.append(offset + codes[keyed])
        offset += len(shared)
    if not heads or not sum(len(h) for h in heads):
        return numpy.arange(count, dtype=numpy.int64)
    # rows are the first nodes, and each code node joins two rows at least
    label = components(offset, numpy.concatenate(heads), numpy.concatenate(tails))[:count]
    return _ranked(label, count, numpy.int64)  # int64: _assign multiplies clusters


def _ranked(label: numpy.ndarray, count: int, kind: type) -> numpy.ndarray:
    """The component labels of the first ``count`` nodes numbered 0..C-1 in their order
    (what ``numpy.unique(label, return_inverse=True)`` gives), without a sort: each label
    is the smallest node of its component (:func:`components`), one of those ``count``
    nodes when every other node is joined to one of them at least."""
    met = numpy.zeros(count, dtype=bool)
    met[label] = True
    rank: numpy.ndarray = numpy.cumsum(met, dtype=kind)
    rank -= 1
    return rank[label]


def deal_rows(
    rows: SplitRows,
    clusters: numpy.ndarray,
    fractions: dict[str, float],
    seed: int,
    fixed: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(group key -> split, group key -> joined group key) for ``rows`` and their
    ``clusters`` (:func:`row_clusters`).

    Groups that hold rows of one cluster are joined, transitively, so that dealing
    joined groups never puts two copies of a comment in different splits; a joined
    group is named by its smallest group key, and its stratum is the most frequent
    non-null label of its rows (ties: the smallest by ``str``, then the first met).
    Each joined group is dealt as one by :func:`assign_splits`. A joined group whose
    members ``fixed`` pins to splits goes to the split of its smallest pinned member (a
    copy must not straddle two splits, even when an earlier build put its groups apart).
    The work is on int columns; only the groups (not the rows) become Python objects.
    """
    if not len(rows):
        return {}, {}
    present, first_met = numpy.unique(rows.groups, return_index=True)
    # row -> 0..G-1, in int32 (a row's group, held while the strata are counted)
    position = numpy.zeros(int(present[-1]) + 1, dtype=numpy.int32)
    position[present] = numpy.arange(len(present), dtype=numpy.int32)
    local = position[rows.groups]
    del position
    count = len(present)
    # groups are the first nodes, and each cluster node joins its rows' groups
    joined = components(count + int(clusters.max()) + 1, local, count + clusters)[:count]
    joined = _ranked(joined, count, numpy.int32)
    group_keys = rows.group_keys
    keys = [""] * (int(joined.max()) + 1)  # joined group -> its smallest group key
    for group, one in sorted(zip(present.tolist(), joined.tolist(), strict=True),
                             key=lambda pair: group_keys[pair[0]], reverse=True):
        keys[one] = group_keys[group]
    of_row = joined[local]
    sizes = numpy.bincount(of_row, minlength=len(keys)).tolist()
    strata = _strata(rows, of_row, len(keys))
    by_key = {group_keys[group]: one for group, one in zip(present.tolist(), joined.tolist(),
                                                           strict=True)}
    fixed = fixed or {}
    pinned: dict[str, str] = {}
    for group in sorted(fixed):
        one = by_key.get(group)
        if one is not None and fixed[group] in fractions:
            pinned.setdefault(keys[one], fixed[group])
    dealt = assign_splits(list(zip(keys, sizes, strata, strict=True)), fractions, seed,
                          fixed=pinned)
    names: dict[str, str] = {}
    for group in present[numpy.argsort(first_met, kind="stable")].tolist():  # as first met
        names[group_keys[group]] = keys[by_key[group_keys[group]]]
    return {group: dealt[key] for group, key in names.items()}, names


def _strata(rows: SplitRows, of_row: numpy.ndarray, count: int) -> list[Hashable]:
    """Joined group -> its most frequent non-null label (ties: the smallest by ``str``,
    then the first met), or None; labels that compare equal (``True`` and ``1``) count as
    one, named by the first met, as a Counter of the group's labels would."""
    values = rows.label_values
    same: dict[Hashable, int] = {}
    canonical = numpy.empty(len(values), dtype=numpy.int32)
    for label, value in enumerate(values):
        try:
            canonical[label] = same.setdefault(value, label)
        except TypeError:  # unhashable: a label of its own
            canonical[label] = label
    texts = {text: at for at, text in enumerate(sorted({str(value) for value in values}))}
    rank = numpy.array([texts[str(value)] for value in values], dtype=numpy.int64)
    strata: list[Hashable] = [None] * count
    known = numpy.array([value is not None for value in values], dtype=bool)[rows.labels]
    if not known.any():
        return strata
    # the labelled rows: every row, as usual, or those with a label (an index array)
    labelled = None if known.all() else numpy.flatnonzero(known)
    del known
    width = len(values)
    pair = (of_row if labelled is None else of_row[labelled]).astype(numpy.int64)
    pair *= width
    pair += canonical[rows.labels if labelled is None else rows.labels[labelled]]
    pairs, first, counts = numpy.unique(pair, return_index=True, return_counts=True)
    del pair
    if labelled is not None:
        first = labelled[first]  # the row, not its place among the labelled
    group = pairs // width
    met = rows.labels[first]  # the first met label of each (group, label)
    order = numpy.lexsort((first, rank[met], -counts, group))
    top = order[numpy.r_[True, group[order][1:] != group[order][:-1]]]
    for one, label in zip(group[top].tolist(), met[top].tolist(), strict=True):
        strata[one] = values[label]
    return strata


def assign_joined_splits(
    items: Iterable[tuple[str, Hashable, Hashable]],
    fractions: dict[str, float],
    seed: int,
    fixed: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(group key -> split, group key -> joined group key) for items given as (group key,
    near-duplicate cluster key or None, stratify label or None): :func:`deal_rows` on
    the items made columns (the form tests and small callers use)."""
    groups: dict[str, int] = {}
    clusters: dict[Hashable, int] = {}
    labels: dict[tuple[Hashable, type], int] = {}
    label_values: list[Hashable] = []
    group_ids, cluster_ids, label_ids = array("q"), array("q"), array("q")
    for group, cluster, label in items:
        group_ids.append(groups.setdefault(group, len(groups)))
        cluster_ids.append(-1 if cluster is None else clusters.setdefault(cluster, len(clusters)))
        found = labels.setdefault((label, type(label)), len(label_values))
        if found == len(label_values):
            label_values.append(label)
        label_ids.append(found)
    rows = SplitRows(numpy.frombuffer(group_ids, dtype=numpy.int64), list(groups),
                     numpy.frombuffer(label_ids, dtype=numpy.int64), label_values,
                     (numpy.frombuffer(cluster_ids, dtype=numpy.int64),))
    return deal_rows(rows, row_clusters(rows), fractions, seed, fixed)
