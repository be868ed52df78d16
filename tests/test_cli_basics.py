"""The CLI frame: help, usage errors, and the one-line error handler."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import __version__
from toolkit.cli import app, main
from toolkit.errors import InputError


def test_version_prints_package_version(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == __version__


def test_unknown_command_is_usage_error(capsys):
    assert main(["no-such-stage"]) == 2
    assert "No such command" in capsys.readouterr().err


def test_toolkit_error_becomes_one_line_and_exit_2(capsys):
    @app.command("boom-for-test", hidden=True)
    def boom() -> None:
        raise InputError("pages/x.txt:3: not UTF-8; skipped")

    try:
        assert main(["boom-for-test"]) == 2
    finally:
        app.registered_commands[:] = [
            c for c in app.registered_commands if c.name != "boom-for-test"
        ]
    captured = capsys.readouterr()
    assert captured.err.strip() == "Error: pages/x.txt:3: not UTF-8; skipped"
    assert "Traceback" not in captured.err
    assert captured.out == ""


def _commands() -> list[tuple[str, str]]:
    """(full command name, docstring) of every registered command."""
    found = [(c.name or c.callback.__name__, c.callback.__doc__ or "")
             for c in app.registered_commands]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        found += [(f"{group.name} {c.name or c.callback.__name__}", c.callback.__doc__ or "")
                  for c in group.typer_instance.registered_commands]
    return found


def test_every_command_help_has_an_example_and_a_one_line_summary():
    """Each command documents an example; its summary (first line) stands alone, so
    `corpus --help` shows one sentence per command."""
    commands = _commands()
    assert len(commands) >= 15
    for name, doc in commands:
        assert "Example: corpus " in doc, f"`corpus {name}` help has no example"
        lines = doc.strip().splitlines()
        assert len(lines) == 1 or not lines[1].strip(), f"`corpus {name}`: summary wraps"


def test_readme_documents_every_command():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [name for name, _ in _commands() if f"corpus {name}" not in readme]
    assert missing == []



SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_unwritable_out_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    """--out under a path that is a file, not a folder: one line, no traceback."""
    monkeypatch.delenv("CORPUS_DEBUG", raising=False)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code = main(["ingest", str(SAMPLES), "--out", str(blocker / "corpus.jsonl")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"Error: --out {blocker / 'corpus.jsonl'}: {blocker} is not a folder; nothing was "
        "written; give a path in a folder"]


def test_unwritable_report_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CORPUS_DEBUG", raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    report = blocker / "sub" / "report.json"
    code = main(["ingest", str(SAMPLES), "--out", str(tmp_path / "c.jsonl"),
                 "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip().splitlines()[-1] == (
        f"Error: --report {report}: {blocker} is not a folder; nothing was written; give a "
        "path in a folder"
    )
    assert "Traceback" not in captured.err


def test_corpus_debug_shows_the_os_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUS_DEBUG", "1")
    with pytest.raises(OSError, match="File name too long"):  # not checked before the work
        main(["ingest", str(SAMPLES), "--out", str(tmp_path / ("x" * 300 + ".jsonl"))])


def test_progress_bars_of_successive_stages_can_share_one_block(monkeypatch):
    """sync opens the push and pull bars together: push's bar must stop when it is done,
    or rich refuses a second live display."""
    from toolkit.cli.output import err_console, progress_bar

    monkeypatch.setattr(err_console, "_force_terminal", True)  # bars on a terminal only

    with progress_bar("push") as push_progress, progress_bar("pull") as pull_progress:
        push_progress(0, None)  # no total yet: no bar
        push_progress(5, 10)
        push_progress(10, 10)
        pull_progress(3, 7)
        assert err_console._live_stack  # the pull bar is live
        pull_progress(7, 7)
    assert not err_console._live_stack
