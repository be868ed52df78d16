"""Binary relevance on answers coded by set (the competence collector's shape): each label's
model keeps its answers' labels gathered from the sets' rows (GatheredColumn), no byte per
answer, and every figure equals the fit on one row of booleans per answer."""

from __future__ import annotations

import random

import numpy as np

from toolkit.review.competence import competence_multi
from toolkit.rules.dawid_skene import (
    GatheredColumn,
    binary_relevance,
    binary_relevance_coded,
    encode,
)

LABELS = ["insult", "threat", "spam"]


def _answers(seed: int = 5) -> list[tuple[str, str, frozenset]]:
    rng = random.Random(seed)
    skill = {f"a{w}": rng.uniform(0.55, 0.95) for w in range(8)}
    triples = []
    for item in range(1500):
        truth = {label for label in LABELS if rng.random() < 0.3}
        for who in rng.sample(sorted(skill), 3):
            given = {label for label in LABELS
                     if (label in truth) == (rng.random() < skill[who])}
            triples.append((f"t{item}", who, frozenset(given)))
    return triples


def test_gathered_column_indexes_like_the_array_it_stands_for():
    table = np.array([0, 1, 1, 0], dtype=np.int8)
    codes = np.array([3, 1, 2, 0, 1], dtype=np.int8)
    column = GatheredColumn(table, codes)
    whole = table[codes]
    assert len(column) == 5 and column.dtype == np.int8
    assert column[1:4].tolist() == whole[1:4].tolist() == [1, 1, 0]
    assert column[np.array([4, 0])].tolist() == [1, 0]
    assert int(column[2]) == 1


def test_models_on_set_codes_equal_the_models_on_rows_and_hold_no_byte_per_answer():
    triples = _answers()
    per_row = binary_relevance(triples, LABELS)
    sets = sorted({chosen for _, _, chosen in triples}, key=sorted)  # the collector's codes
    code_of = {chosen: code for code, chosen in enumerate(sets)}
    vote = np.array([code_of[chosen] for _, _, chosen in triples], dtype=np.int8)
    table = np.array([[label in chosen for label in LABELS] for chosen in sets], dtype=bool)
    base = encode(((item, who, False) for item, who, _ in triples), [False, True])
    by_set = binary_relevance_coded(base, table, LABELS, vote=vote)

    assert by_set.chosen.tolist() == per_row.chosen.tolist()
    assert np.count_nonzero(by_set.chosen) > 100  # labels were decided, not all empty
    for label in LABELS:
        kept, expected = by_set.models[label], per_row.models[label]
        assert isinstance(kept.answers.label, GatheredColumn)
        assert kept.answers.label.table.shape == (len(sets),)  # a byte per set, not answer
        assert kept.answers.label[:].tolist() == expected.answers.label.tolist()
        assert kept.confusion.tobytes() == expected.confusion.tobytes()
        assert kept.priors.tobytes() == expected.priors.tobytes()
        assert kept.posteriors.tobytes() == expected.posteriors.tobytes()
    assert by_set.confidence.tobytes() == per_row.confidence.tobytes()
    rows = [row.__dict__ for row in competence_multi(by_set, question="offensive")]
    assert rows == [row.__dict__ for row in competence_multi(per_row, question="offensive")]
    assert len(rows) == 8 and all(row["items"] > 0 for row in rows)
