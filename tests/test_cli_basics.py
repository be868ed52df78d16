"""The CLI frame: help, usage errors, and the one-line error handler."""

from __future__ import annotations

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


def test_every_command_help_has_an_example():
    """Each registered command documents an example invocation."""
    for command in app.registered_commands:
        doc = (command.callback.__doc__ or "") if command.callback else ""
        assert "Example:" in doc, f"`corpus {command.name}` help has no example"
    for group in app.registered_groups:
        assert group.typer_instance is not None
        for command in group.typer_instance.registered_commands:
            doc = command.callback.__doc__ or ""
            assert "Example:" in doc, f"`corpus {group.name} {command.name}` has no example"

