"""SpilledInts (toolkit.columns): ints in the narrowest type, in a temporary file."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.columns import IntColumn, SpilledInts


def _fill(column: SpilledInts, values: list[int], batch: int) -> None:
    """Append as the collectors do: widen first when a value needs it, in batches."""
    for start in range(0, len(values), batch):
        part = values[start:start + batch]
        if max(part) > column.limit:
            column.fit(max(part))
        if len(part) == 1:
            column.append(part[0])
        else:
            column.extend(part)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(-128, 2**40), max_size=300),
       buffer_values=st.integers(1, 40), batch=st.integers(1, 7),
       start=st.integers(0, 320), length=st.integers(0, 320))
def test_reads_give_back_what_was_appended(values, buffer_values, batch, start, length):
    column = SpilledInts(buffer_values=buffer_values)
    _fill(column, values, batch)
    assert len(column) == len(values)
    whole = column.numpy()
    assert whole.tolist() == values
    assert whole.dtype.itemsize == column.values.itemsize  # the widest type so far
    assert column.read(start, start + length).tolist() == values[start:start + length]
    column.close()
    assert len(column) == 0


def test_memory_holds_only_the_buffer_and_values_keep_their_bytes():
    column = SpilledInts(buffer_values=100)
    column.extend(list(range(100)) * 10)  # ten flushes of one byte a value
    column.extend([5] * 50)
    assert len(column.values) == 50 and column.values.itemsize == 1
    assert column._file is not None and os_size(column) == 1000
    column.fit(300)  # wider from now on; what is in the file stays one byte a value
    column.append(300)
    assert os_size(column) == 1000
    got = column.read(995, 1051)
    assert got.dtype == np.int16
    assert got.tolist() == [95, 96, 97, 98, 99] + [5] * 50 + [300]


def os_size(column: SpilledInts) -> int:
    assert column._file is not None
    return column._file.seek(0, 2)


def test_a_caller_appending_to_the_buffer_itself_spills_when_it_asks():
    column = SpilledInts(buffer_values=10)
    for number in range(25):
        column.values.append(number % 100)  # array's own append: nothing written yet
        if number % 4 == 3:
            column.spill_if_full()
    assert len(column) == 25
    assert column._spilled == 24 and len(column.values) == 1  # written at 12 and 24
    assert column.numpy().tolist() == list(range(25))


def test_int_column_append_widens_when_a_value_needs_it():
    column = IntColumn()
    for value in (5, 127, 128, 40_000):
        column.append(value)
    assert column.values.typecode == "i" and column.numpy().tolist() == [5, 127, 128, 40_000]
