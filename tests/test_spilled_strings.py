"""SpilledStrings (toolkit.columns): strings kept in a temporary file, read back by row."""

from __future__ import annotations

import pytest

from toolkit.columns import SpilledStrings

WORDS = ["site:1:c1", "", "تعليق ممتاز 😂", "task:7", "a\nb", "x" * 5000]


@pytest.mark.parametrize("buffer_bytes", [1, 16, 1 << 20])  # every append flushed .. none
def test_pick_reads_back_the_rows_asked_for(buffer_bytes):
    strings = SpilledStrings(buffer_bytes=buffer_bytes)
    for word in WORDS:
        strings.append(word)
    assert len(strings) == 6
    assert strings.pick([5, 2, 1]) == {5: "x" * 5000, 2: "تعليق ممتاز 😂", 1: ""}
    assert strings.pick([]) == {}
    strings.append("after a pick")  # appends go on at the end of the file
    assert strings.pick(range(7)) == dict(enumerate([*WORDS, "after a pick"]))
    with pytest.raises(IndexError, match="row 7 of 7"):
        strings.pick([7])
    strings.close()
    strings.close()  # twice: nothing left to close


def test_memory_holds_only_the_buffer():
    strings = SpilledStrings(buffer_bytes=64)
    for number in range(1000):
        strings.append(f"site:article:{number}")
    assert len(strings._buffer) < 64 + 4 + 20  # the rest is in the file
    assert strings.pick([0, 999]) == {0: "site:article:0", 999: "site:article:999"}
