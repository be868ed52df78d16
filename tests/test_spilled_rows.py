"""SpilledRows (toolkit.columns) and the --json writer that writes them a row at a time."""

from __future__ import annotations

import io

import orjson
import pytest

from toolkit.cli.output import write_indented_json
from toolkit.columns import SpilledRows

ROWS = [{"corpus_key": f"comment_stance:c{i}", "task_id": i, "question": "stance",
         "answers": {"7": "agree", "9": ["نعم", "لا"], "11": None}, "span": (3, 9)}
        for i in range(25)]


@pytest.mark.parametrize("batch", [1, 4, 1000])  # every row flushed .. none
def test_rows_come_back_in_order_as_appended(batch):
    rows = SpilledRows(batch=batch)
    for row in ROWS[:10]:
        rows.append(row)
    reading = iter(rows)
    assert next(reading) == ROWS[0]
    rows.extend(ROWS[10:])  # appending while a reader is at row 1
    assert list(reading) == ROWS[1:10]  # the rows there were when it started
    assert len(rows) == 25 and list(rows) == ROWS
    assert list(rows)[0]["span"] == (3, 9)  # a tuple stays a tuple (pickled, not JSON)
    assert rows == ROWS and rows == SpilledRows(ROWS) and rows != ROWS[:-1]
    assert [rows[i] for i in (0, 3, 4, 23, 24, -1, -25)] == [
        ROWS[i] for i in (0, 3, 4, 23, 24, -1, -25)]  # in the file and in the buffer
    with pytest.raises(IndexError, match="row 25 of 25"):
        rows[25]
    rows.close()
    assert len(rows) == 0 and list(rows) == []


def test_memory_holds_one_batch():
    rows = SpilledRows(ROWS, batch=4)
    assert len(rows._buffer) == 1 and len(rows._batches) == 6


@pytest.mark.parametrize("count", [0, 1, 25])
def test_json_with_spilled_rows_has_the_bytes_of_the_json_with_their_list(count):
    rows = [{**row, "span": list(row["span"])} for row in ROWS[:count]]
    data = {"items_total": 3, "unresolved": SpilledRows(rows, batch=7),
            "questions": [{"name": "stance", "alpha": 0.5}], "more": SpilledRows([[1, {}]])}
    out = io.BytesIO()
    write_indented_json(out, data)
    expected = orjson.dumps({**data, "unresolved": rows, "more": [[1, {}]]},
                            option=orjson.OPT_INDENT_2)
    assert out.getvalue() == expected
    assert orjson.loads(out.getvalue())["unresolved"] == rows
