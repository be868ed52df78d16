"""TaskKeys: build's repeated tasks and key lookups by hash, exact when hashes collide."""

from __future__ import annotations

import numpy as np

from toolkit.columns import TaskKeys

KEYS = ["s:c1", "s:c2", "s:c1", "s:c3", "s:c2", "s:c1", "s:c4"]


def _colliding(key: str) -> int:
    """c1, c2 and c9 share a hash (different keys, one hash); c3 and c4 have their own."""
    return {"s:c3": 7, "s:c4": -5}.get(key, 1)


def test_repeats_name_each_later_task_s_first_with_the_same_key():
    keys = TaskKeys(np.array([hash(k) for k in KEYS], dtype=np.int64), KEYS.__getitem__)
    assert keys.repeats() == {2: 0, 4: 1, 5: 0}
    assert list(keys.keys()) == ["s:c1", "s:c2", "s:c3", "s:c4"]


def test_keys_sharing_a_hash_are_told_apart_by_their_text():
    keys = TaskKeys(np.array([_colliding(k) for k in KEYS], dtype=np.int64),
                    KEYS.__getitem__, hasher=_colliding)
    assert keys.repeats() == {2: 0, 4: 1, 5: 0}  # c2 is not a repeat of c1
    assert "s:c2" in keys and "s:c4" in keys
    assert "s:c9" not in keys  # its hash is c1's, its text is not
    assert "s:c5" not in keys and 3 not in keys
    assert keys.count_in({"s:c1": 0, "s:c9": 0, "s:c4": 0, "s:c5": 0}.keys()) == 2


def test_no_task_no_repeat():
    keys = TaskKeys(np.array([], dtype=np.int64), [].__getitem__)
    assert keys.repeats() == {} and list(keys.keys()) == [] and "s:c1" not in keys
    assert keys.count_in(["s:c1"]) == 0
