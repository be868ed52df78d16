"""Compact columns for a million tasks: what the review, build and the report keep per
task or per answer without a Python object each.

    ints      IntColumn: ints in the narrowest array type that holds them; SpilledInts:
              the same in a temporary file, read back a range at a time
    strings   StringColumn: strings as UTF-8 in one buffer; SpilledStrings: in a
              temporary file, read back a few at a time
    floats    GroupedFloats: floats by group in a temporary file (an annotator's lead
              times), read back a group at a time; the median of all by counting;
              PiecewiseSum: numpy's sum of a row of floats given a piece at a time
    rows      SpilledRows: rows (dicts) in a temporary file, read back in order
    spill     the temporary files those write (a full disk names the folder, TMPDIR)
    keys      keys by their 64-bit hash, exact when hashes collide (string_codes,
              TaskKeys: which tasks repeat a key, whether a key is among them)

A leaf: it imports nothing of the toolkit, and only numpy beside the standard library,
so every stage (review, dataset, html_report) can use it without loading another's
dependencies.
"""

from __future__ import annotations

from .floats import GroupedFloats, PiecewiseSum
from .ints import SPILL_EVERY, IntColumn, SpilledInts, spill_every
from .keys import TaskKeys, string_codes
from .rows import SpilledRows
from .strings import SpilledStrings, StringColumn

__all__ = ["SPILL_EVERY", "GroupedFloats", "IntColumn", "PiecewiseSum", "SpilledInts",
           "SpilledRows", "SpilledStrings", "StringColumn", "TaskKeys", "spill_every",
           "string_codes"]
