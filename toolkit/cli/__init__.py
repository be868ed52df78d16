"""The `corpus` command: a registry that wires one module per stage.

Each module in this package defines thin typer commands (parse options, call
one library function, format the answer) and a ``register(app)`` function.
``main`` holds the toolkit's only broad handlers: errors raised on purpose
(``toolkit.errors.ToolkitError``) become one line on stderr and their exit
status, and an ``OSError`` that reaches it (an output file or folder that cannot
be written, e.g. ``--out``, ``--json``, ``--report`` in a read-only or non-folder
place) becomes ``Error: cannot write/read <file>: <reason>`` and exit 2. Set
``CORPUS_DEBUG=1`` to see the traceback instead.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape

try:  # typer >= 0.2x carries its own copy of click, whose errors it raises
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover (older typer on click)
    from click import exceptions as click_errors  # type: ignore[no-redef]

from .._version import __version__
from ..errors import Interrupted, ToolkitError
from ..runtime import give_back_freed_memory
from .output import err_console

__all__ = ["app", "main"]

app = typer.Typer(
    name="corpus",
    help=(
        "Scraped news articles and reader comments -> Label Studio -> a validated "
        "Hugging Face dataset.\n\n"
        "Stages: ingest -> push -> (annotate in Label Studio) -> pull -> validate -> "
        "agree -> build -> publish.  Start with `corpus demo`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)



@app.callback()
def _root() -> None:
    """Keeps `corpus` a group of commands even while only one is registered."""


def version() -> None:
    """Print the toolkit's version.

    Example: corpus version
    """
    typer.echo(__version__)


# One module per stage; each defines its commands and a register(app).
from . import (  # noqa: E402  (after `app`, which the modules do not import)
    adjudicate,
    agree,
    build,
    ingest,
    model,
    pipeline,
    publish,
    pull,
    push,
    report,
    schema,
    studio,
    suggest,
    validate,
)

# In the order a user meets them; `corpus --help` lists them so.
STAGES: tuple = (
    ingest, schema, studio, push, suggest, pull, validate, agree, adjudicate, build, report,
    publish, model, pipeline,
)
for module in STAGES:
    module.register(app)
app.command()(version)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and, as a script, exits with) the exit status.

    This handler turns usage errors (click's, raised because the app runs with
    ``standalone_mode=False``), the toolkit's own errors and file-system errors into
    one line on stderr and an exit status (see the module docstring).
    """
    debug = os.environ.get("CORPUS_DEBUG", "") not in ("", "0")
    give_back_freed_memory()  # large freed arrays go back to the system (toolkit.runtime)
    try:
        # standalone_mode=False: click raises its errors here instead of printing typer's
        # boxed ones; --help and typer.Exit come back as the exit status.
        with _terminated_as_interrupt():  # `kill`: every command cleans up as on Ctrl-C
            result = app(args=argv, prog_name="corpus", standalone_mode=False)
        code = result if isinstance(result, int) and not isinstance(result, bool) else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click_errors.NoArgsIsHelpError as exc:
        code = exc.exit_code  # `corpus` / `corpus schema` alone: typer printed the help
    except click_errors.ClickException as exc:
        err_console.print(f"[bold red]Error:[/] {escape(_click_error_line(exc))}", soft_wrap=True)
        code = exc.exit_code
    except typer.Abort as exc:
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):  # Ctrl-C
            err_console.print("Interrupted.", markup=False)
            code = 130
        else:
            err_console.print("Error: aborted", markup=False)
            code = 1
    except Interrupted as exc:  # Ctrl-C inside a stage that says what it had done
        err_console.print(f"Interrupted: {escape(str(exc))}", soft_wrap=True)
        code = exc.exit_code
    except ToolkitError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", soft_wrap=True)
        code = exc.exit_code
    except OSError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]Error:[/] {escape(_os_error_line(exc))}", soft_wrap=True)
        code = 2
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        code = 130
    if argv is None:
        sys.exit(code)
    return code


def _os_error_line(exc: OSError) -> str:
    """``cannot write/read <file>: <reason>`` (the file the OS named, else the reason only)."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return f"cannot write/read: {reason}"
    return f"cannot write/read {exc.filename}: {reason}"


def _click_error_line(exc: click_errors.ClickException) -> str:
    """Click's message on one line; a usage error adds where to find the options."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click_errors.UsageError) and ctx is not None:
        message += f" (see `{ctx.command_path} --help`)"
    return message


@contextmanager
def _terminated_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a stopped container) raises KeyboardInterrupt inside, so a
    command's temporary files are removed as on Ctrl-C (SIGKILL cannot be caught: the
    next run removes what it can)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
