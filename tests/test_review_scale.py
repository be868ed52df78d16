"""Issue 21 item 5 and 7 for the review commands: competence gathered in compact arrays as
the snapshot streams (no item held) gives the figures of the label models fitted on the
items themselves; the read reports its progress; and a bar is drawn on a terminal only."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_simulation import SCHEMA, simulate_snapshot

from toolkit.review import review_snapshot
from toolkit.review.competence import competence, competence_multi
from toolkit.rules import fit_label_model, modelled
from toolkit.rules.dawid_skene import MultiLabelModel
from toolkit.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
CLI = "import sys; from toolkit.cli import main; sys.exit(main())"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    return simulate_snapshot(tmp_path_factory.mktemp("scale") / "snapshot.json", tasks=400,
                             annotators=12)


def test_streamed_competence_equals_the_models_fitted_on_held_items(snapshot):
    """Under the rule majority nothing is held: the collector's coded fit gives the same
    accuracy, spammer score and flags as the triples of the held items gave."""
    schema = load_schema(SCHEMA)
    held = review_snapshot(snapshot, schema, validate=False, agreement=False).items
    streamed = review_snapshot(snapshot, schema, validate=False, aggregate=False,
                               competence=True)
    assert streamed.items is None  # nothing kept per item
    pool = [item for item in held if item.votes is not None]
    expected = {}
    for question, shape in modelled(schema):
        triples = [(i, who, vote) for i, item in enumerate(pool)
                   for (who, _), vote in zip(item.answers, item.votes[question.name],
                                             strict=True)]
        model = fit_label_model(question, shape, triples)
        rows = (competence_multi(model, question=question.name)
                if isinstance(model, MultiLabelModel) else competence(model,
                                                                      question=question.name))
        for row in rows:
            expected[(row.annotator, row.question)] = (row.items, row.accuracy,
                                                       row.spammer_score, row.flags)
    got = {(row.annotator, row.question): (row.items, row.accuracy, row.spammer_score,
                                           row.flags)
           for row in streamed.competence.rows}
    assert set(got) == set(expected)
    assert {q for _, q in got} == {"stance", "sentiment", "offensive", "sarcasm"}
    assert got == expected
    assert sum(items for items, *_ in got.values()) > 1000


def test_the_read_reports_its_progress_against_the_header_count(snapshot):
    calls: list[tuple[int, int]] = []
    review_snapshot(snapshot, load_schema(SCHEMA), aggregate=False, agreement=False,
                    on_progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 400)
    assert calls[-1] == (400, 400)


def test_a_plain_export_reports_bytes_read(tmp_path, snapshot):
    """Without a header (a Label Studio export: one task per line in a list) the total is
    the file's size."""
    lines = snapshot.read_bytes().splitlines()[2:-1]  # the task lines, without the header
    plain = tmp_path / "export.json"
    plain.write_bytes(b"[\n" + b"\n".join(lines) + b"\n]\n")
    calls: list[tuple[int, int]] = []
    review_snapshot(plain, load_schema(SCHEMA), validate=False, aggregate=False,
                    on_progress=lambda done, total: calls.append((done, total)))
    size = plain.stat().st_size
    assert calls[0] == (0, size) and calls[-1] == (size, size)


@pytest.mark.parametrize("command", ["validate", "agree", "report"])
def test_no_bar_when_stderr_is_a_pipe(command, snapshot, tmp_path):
    extra = ["--out", str(tmp_path / "report.html")] if command == "report" else []
    run = subprocess.run([sys.executable, "-c", CLI, command, str(snapshot), "-s", str(SCHEMA),
                          *extra], capture_output=True, text=True, cwd=tmp_path, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode in (0, 1), run.stderr
    for mark in ("━", "reading the snapshot", "validating", "\x1b["):
        assert mark not in run.stderr
    if command == "report":  # nothing at all on stderr: not even the empty line rich adds
        assert run.stderr == ""
        assert run.stdout.startswith("Report written to")


def test_a_bar_on_a_terminal(snapshot, tmp_path, monkeypatch):
    from rich.console import Console

    from toolkit.cli import main, output

    screen = io.StringIO()
    monkeypatch.setattr(output, "err_console", Console(file=screen, force_terminal=True,
                                                       width=100))
    assert main(["report", str(snapshot), "-s", str(SCHEMA), "--out",
                 str(tmp_path / "r.html")]) == 0
    shown = screen.getvalue()
    assert "reading the snapshot" in shown and "━" in shown
    assert "400/400" in shown  # tasks read against the header's count
    assert (tmp_path / "r.html").stat().st_size > 10_000


def test_adjudicate_keeps_only_the_ids_of_the_items_to_decide(snapshot):
    """`corpus adjudicate`'s read gives the tasks the held items gave (unresolved, not
    rejected by validation), keeping an id or None per task instead of the items."""
    from toolkit.workflows.adjudicate import tasks_to_decide, to_adjudicate

    schema = load_schema(SCHEMA)
    held = review_snapshot(snapshot, schema, agreement=False)
    expected = [ident for ident in to_adjudicate(held.items) if ident not in held.invalid]
    calls: list[tuple[int, int]] = []
    got, reasons = tasks_to_decide(snapshot, schema,
                                   on_progress=lambda done, total: calls.append((done, total)))
    assert got == expected and reasons == {}
    assert len(got) > 20  # ties among three annotators are frequent in the simulation
    assert calls[-1] == (400, 400)
