"""Tables read at 80 columns (what a pipe, a CI log or a small window gets): no header
cut to "annot…", no e-mail wrapped over three lines (issue 18)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from test_cli_agree_competence import _snapshot

import toolkit.cli.agree as agree_cli
import toolkit.cli.validate as validate_cli
from toolkit.cli import main
from toolkit.cli.output import short_names
from toolkit.studio.snapshot import open_snapshot, write_snapshot

EMAILS = {str(who): f"demo_annotator_{who}@annotators.corpus-toolkit.example"
          for who in range(1, 8)}


@pytest.fixture
def screen(monkeypatch):
    """The CLI's stdout console as an 80-column terminal; returns what it printed."""
    out = io.StringIO()
    console = Console(file=out, width=80, highlight=False)  # a terminal wraps at 80
    monkeypatch.setattr(agree_cli, "out_console", console)
    monkeypatch.setattr(validate_cli, "out_console", console)
    return out


def _named_snapshot(path):
    _snapshot(path)
    snap = open_snapshot(path)
    write_snapshot(path, {"annotators": EMAILS}, list(snap.tasks()))


def test_agree_tables_fit_80_columns_without_cutting(tmp_path, screen):
    snap = tmp_path / "snap.json"
    _named_snapshot(snap)
    from annotation_builders import SCHEMA_PATH

    assert main(["agree", str(snap), "-s", str(SCHEMA_PATH)]) == 0
    text = screen.getvalue()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text  # nothing cut
    for word in ("annotator", "question", "spammer", "accuracy", "overlap", "majority"):
        assert word in text, word  # headers whole (they wrap between words)
    # one competence table per question; names without the shared domain, on one line
    assert "Annotator competence (Dawid-Skene): stance" in text
    assert any("1 (demo_annotator_1)" in line for line in lines)
    assert "annotators.corpus-toolkit.example" not in text


def test_validate_summary_fits_80_columns(tmp_path, screen):
    snap = tmp_path / "snap.json"
    _named_snapshot(snap)
    from annotation_builders import SCHEMA_PATH

    main(["validate", str(snap), "-s", str(SCHEMA_PATH)])
    text = screen.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text


def test_short_names_keep_the_domain_only_where_two_addresses_share_a_name():
    assert short_names({"1": "Huda Ali huda@a.org", "2": "huda@b.org", "3": "sami@a.org",
                        "4": None, "5": "lead"}) == {
        "1": "1 (Huda Ali huda@a.org)", "2": "2 (huda@b.org)", "3": "3 (sami)", "4": "4",
        "5": "5 (lead)"}


def test_model_training_table_fits_80_columns(tmp_path, monkeypatch):
    """`corpus model train` and sync's model step print the same table."""
    from model_fixture import project

    import toolkit.cli.model as model_cli
    from toolkit.model import train_model

    out = io.StringIO()
    monkeypatch.setattr(model_cli, "out_console", Console(file=out, width=80, highlight=False))
    schema, _, snapshot = project(tmp_path)
    model_cli.show_training(train_model(schema, snapshot))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text  # nothing cut: headers wrap between words
    assert "accuracy" in text and "offensive" in text and "label" in text
