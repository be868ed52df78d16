"""The near-duplicate index's groups and where it sketches (toolkit.ingest.copy_index)."""

from __future__ import annotations

import random

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from toolkit.dataset.first_pass import TextGroups
from toolkit.ingest.copy_index import BATCH, PARALLEL_FROM, NearDuplicateIndex, _groups
from toolkit.ingest.near_duplicates import split_groups

WORDS = ["الحكومة", "الوزير", "القاهرة", "الشعب", "كلام", "صحيح", "والله", "مقال", "ممتاز",
         "أبدا", "الشرطة", "جماعة", "هذا", "على", "الأسعار", "المدارس", "الطريق", "الكهرباء"]


def _scipy_groups(first: numpy.ndarray, left: numpy.ndarray,
                  right: numpy.ndarray) -> numpy.ndarray:
    """The reference: scipy's connected components, each named by its earliest node."""
    total = len(first)
    nodes = numpy.arange(total)
    graph = coo_matrix((numpy.ones(total + len(left), dtype=numpy.int8),
                        (numpy.r_[nodes, left], numpy.r_[first, right])), shape=(total, total))
    _, label = connected_components(graph, directed=False)
    earliest = numpy.full(label.max() + 1, total, dtype=numpy.int64)
    numpy.minimum.at(earliest, label, nodes)
    return earliest[label]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, n - 1), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))))
def test_groups_are_the_connected_components_named_by_their_earliest(graph):
    firsts, pairs = graph
    first = numpy.minimum(numpy.arange(len(firsts)), firsts)  # a cluster's first comes first
    left = numpy.array([min(p) for p in pairs], dtype=numpy.int64)
    right = numpy.array([max(p) for p in pairs], dtype=numpy.int64)
    assert _groups(first, left, right).tolist() == _scipy_groups(first, left, right).tolist()


def test_groups_of_a_long_chain_in_random_order():
    order = numpy.random.default_rng(5).permutation(20_000)
    left, right = numpy.minimum(order[:-1], order[1:]), numpy.maximum(order[:-1], order[1:])
    assert not _groups(numpy.arange(20_000), left, right).any()  # one group, named 0


def _corpus(count: int, seed: int = 3) -> list[str]:
    """Comments of 6-20 words; one in five an edited copy (a word changed) of an earlier one."""
    rng = random.Random(seed)
    texts: list[str] = []
    for n in range(count):
        if texts and rng.random() < 0.2:
            words = rng.choice(texts).split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        else:
            words = [rng.choice(WORDS) + str(n % 97) for _ in range(rng.randint(6, 20))]
        texts.append(" ".join(words))
    return texts


def test_sketching_in_a_worker_from_the_first_batch_gives_the_same_answer():
    texts = _corpus(2 * BATCH + 100)
    answers = []
    for options in ({"workers": 0}, {"workers": 1, "parallel_from": 0}):
        with NearDuplicateIndex(0.75, loose=0.5, **options) as index:
            index.add(texts[:BATCH])
            # the first batch went to a worker process when asked to
            assert (index._pool is not None) == bool(options["workers"])
            index.add(texts[BATCH:])
            found = index.resolve()
        assert found.group is not None
        answers.append((found.first.tolist(), found.group.tolist()))
    assert answers[0] == answers[1]
    first, group = answers[0]
    assert sum(n != f for n, f in enumerate(first)) > 100  # the copies were found
    assert sum(n != g for n, g in enumerate(group)) >= sum(n != f for n, f in enumerate(first))


def test_build_text_groups_of_a_large_snapshot_sketch_in_a_worker_alike():
    texts = _corpus(BATCH + 50, seed=4)
    large = TextGroups(0.5, expected=PARALLEL_FROM + 1)  # the snapshot header's task count
    small = TextGroups(0.5, expected=1000)
    try:
        for text in texts:
            large.add(text)
            small.add(text)
        assert large._index._pool is not None and small._index._pool is None
        assert large.groups().tolist() == small.groups().tolist() == split_groups(texts).tolist()
    finally:
        large.close()
        small.close()


def test_sketches_compared_in_small_blocks_give_the_same_answer(monkeypatch):
    """Pairs are compared a block of sketches at a time (an eighth of them, within bounds):
    blocks of 100 sketches, candidate pairs across many of them, give what one block does."""
    from toolkit.ingest import copy_index

    texts = _corpus(1500, seed=9)
    answers = []
    for low, high in ((1 << 16, 1 << 19), (100, 100)):
        monkeypatch.setattr(copy_index, "MIN_BLOCK_ROWS", low)
        monkeypatch.setattr(copy_index, "BLOCK_ROWS", high)
        with NearDuplicateIndex(0.75, loose=0.5, workers=0) as index:
            index.add(texts)
            found = index.resolve()
        assert found.group is not None
        answers.append((found.first.tolist(), found.group.tolist(), found.matched_pairs))
    assert answers[0] == answers[1]
    assert answers[0][2] > 100  # many pairs, in many block pairs
