"""Checking a schema does work linear in its number of labels (issue 13, item 12).

No timing here (bench/bench_schema.py measures seconds): the test counts the lines of
toolkit/schema/ that Python executes while parsing a schema of N and of 4N labels, a
deterministic measure of work. Linear work gives a ratio near 4; the quadratic walk this
replaced (every mapping key rescanned every recorded path) gave well over 16.
"""

from __future__ import annotations

import sys

import toolkit.schema.checks
import toolkit.schema.load
import toolkit.schema.model
from toolkit.schema import parse_schema


def _schema_text(n_labels: int) -> str:
    lines = ["name: many_labels", 'version: "1"', "title: Many labels", "unit: comment",
             "questions:"]
    for qi in range(2):
        lines += [f"  - name: q{qi}", "    kind: single", "    labels:"]
        lines += [f'      l{qi}_{i}: {{text: "تسمية {i}", description: "label {i}"}}'
                  for i in range(n_labels // 2)]
    return "\n".join(lines) + "\n"


def _lines_executed(text: str) -> int:
    count = 0
    sources = {toolkit.schema.model.__file__, toolkit.schema.checks.__file__,
               toolkit.schema.load.__file__}

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename not in sources:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        schema = parse_schema(text, "many.yaml")
    finally:
        sys.settrace(None)
    assert sum(len(q.labels) for q in schema.questions) > 0
    return count


def test_schema_check_work_grows_linearly_with_labels():
    small = _lines_executed(_schema_text(100))
    large = _lines_executed(_schema_text(400))
    assert large / small < 6, (small, large)
