"""GroupedFloats (toolkit.columns): floats by group in a temporary file, each group read
back whole, the median of all found by counting (the bits of np.median)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.columns import GroupedFloats

# -0.0 sorts before 0.0 here; np.median may pick either zero (the same value)
FLOATS = st.floats(allow_nan=False, width=64).filter(lambda v: v != 0 or str(v) == "0.0")
LEAD_TIMES = st.floats(min_value=1e-3, max_value=1e5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["11", "12", "ع"]), FLOATS | LEAD_TIMES),
                max_size=60),
       st.sampled_from([1, 3, 1 << 17]))
def test_groups_and_median_are_those_of_the_values_in_memory(pairs, buffer_values):
    floats = GroupedFloats(buffer_values=buffer_values)
    for group, value in pairs:
        floats.append(group, value)
    assert len(floats) == len(pairs)
    assert floats.groups() == list(dict.fromkeys(group for group, _ in pairs))
    for group in ["11", "12", "ع", "never"]:
        mine = [value for who, value in pairs if who == group]
        assert floats.count(group) == len(mine)
        assert floats.values(group).tobytes() == np.array(mine, dtype=np.float64).tobytes()
    if pairs:
        expected = np.median(np.array([value for _, value in pairs]))
        assert np.float64(floats.median()).tobytes() == expected.tobytes()
    else:
        assert floats.median() is None
    floats.close()


def test_many_equal_values_and_the_even_median():
    floats = GroupedFloats(buffer_values=1000)
    for number in range(10_000):
        floats.append(f"a{number % 7}", 10.0 if number % 3 else 12.5)
    floats.append("b", float("inf"))
    floats.append("b", 0.25)
    assert floats.median() == float(np.median(
        [10.0 if number % 3 else 12.5 for number in range(10_000)] + [float("inf"), 0.25]))
    assert floats._file is not None and len(floats._buffers["b"]) == 2  # most in the file


def test_nan_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        GroupedFloats().append("a", float("nan"))
