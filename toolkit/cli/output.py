"""Where the CLI writes: data and summaries to stdout, findings, progress and errors to stderr;
and how it writes the files its options name (``--out``, ``--json``, ``--report``, ...).

Every output file option goes through :func:`output_file` (a symlink is written
through to its target, anything but a regular file is refused) and is written
with :func:`atomic_output` (a temporary file renamed over it: never a half file;
a failure such as a full disk names the file and leaves no temporary behind).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from rich.console import Console
from rich.table import Table

from ..columns import SpilledRows
from ..errors import UsageError
from ..paths import naming, replacing

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fitted_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
                 caption: str | None = None, first_max: int = 24) -> Table:
    """A table whose columns are as wide as their longest word or value: headers wrap
    between words and the first column (names) folds past ``first_max``, so at 80
    columns nothing is cut to "…" (rich shrinks columns below their words when it
    chooses the widths itself)."""
    table = Table(title=title, title_justify="left", collapse_padding=True, pad_edge=False,
                  caption=caption,
                  caption_justify="left")
    for index, header in enumerate(headers):
        cells = [row[index] for row in rows]
        width = max([len(word) for word in header.split()]
                    + [len(cell) for cell in cells] + [1])
        if index == 0:
            table.add_column(header, overflow="fold",
                             width=min(max(width, len(header)), first_max))
        else:
            table.add_column(header, width=width)
    for row in rows:
        table.add_row(*row)
    return table


def short_names(names: Mapping[str, str | None]) -> dict[str, str]:
    """Annotator id -> what a table shows: "7 (huda)": the readable name with each e-mail
    address cut to the part before its "@" where that part names one address among those
    shown (so a table fits 80 columns); the whole address where two share it; the id alone
    when there is no name. For the terminal only (--json keeps the full names)."""
    addresses = {word for name in names.values() if name
                 for word in name.split() if "@" in word}
    owners: dict[str, set[str]] = {}
    for address in addresses:
        owners.setdefault(address.split("@")[0].lower(), set()).add(address.lower())
    shown = {}
    for ident, name in names.items():
        if not name:
            shown[ident] = str(ident)
            continue
        words = [word.split("@")[0]
                 if "@" in word and len(owners[word.split("@")[0].lower()]) == 1 else word
                 for word in name.split()]
        shown[ident] = f"{ident} ({' '.join(dict.fromkeys(words))})"
    return shown


def print_findings(findings, *, limit: int | None = None, total: int | None = None) -> None:
    """Print each finding as its one clear line on stderr (errors red, warnings yellow);
    ``total``: how many there were, when ``findings`` holds only the first ones."""
    style = {"error": "red", "warning": "yellow", "info": "dim"}
    shown = findings if limit is None else findings[:limit]
    for finding in shown:
        err_console.print(finding.line(), style=style.get(finding.level), markup=False)
    total = len(findings) if total is None else total
    if total > len(shown):
        err_console.print(f"... and {total - len(shown)} more (see the JSON report)")


def write_json_report(path: Path, report: Any, *, option: str = "--json",
                      announce: bool = True) -> None:
    """Write a report's ``to_dict()`` as indented JSON (the --json / --report option),
    atomically (a full disk leaves the old file or none, never a truncated one),
    creating the folder; ``announce`` says where on stderr."""
    with atomic_output(path, option) as tmp, tmp.open("wb") as out:
        write_indented_json(out, report.to_dict())
    if announce:
        err_console.print(f"Report written to {path}")


def write_indented_json(out: BinaryIO, data: Mapping[str, Any]) -> None:
    """``orjson.dumps(data, option=OPT_INDENT_2)`` to ``out``, to the byte, except that a
    top-level value that is a :class:`~toolkit.columns.SpilledRows` is written a row at a
    time where its list would be (a million tasks' unresolved rows are never a list)."""
    streamed = {key: value for key, value in data.items() if isinstance(value, SpilledRows)}
    marks = {key: f"\x00rows {key}" for key in streamed}  # a NUL: no real value is one
    text = orjson.dumps({key: marks.get(key, value) for key, value in data.items()},
                        option=orjson.OPT_INDENT_2)
    for key, rows in streamed.items():  # in the document's order
        before, _, text = text.partition(orjson.dumps(marks[key]))
        out.write(before)
        if not rows:
            out.write(b"[]")
            continue
        out.write(b"[")
        for number, row in enumerate(rows):  # a top-level list's items sit 4 spaces in
            out.write(b",\n    " if number else b"\n    ")
            out.write(orjson.dumps(row, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    "))
        out.write(b"\n  ]")
    out.write(text)


def say(line: str) -> None:
    """A progress or status line on stderr, printed as is (no rich markup)."""
    err_console.print(line, markup=False)


def _no_progress(done: int, total: int | None) -> None:
    """``on_progress`` when there is no terminal to draw on."""


@contextmanager
def progress_bar(
    label: str, *, min_total: int = 1
) -> Iterator[Callable[[int, int | None], None]]:
    """Yields ``on_progress(done, total)`` for a library call.

    The first call with a total of at least ``min_total`` starts a transient rich
    bar on stderr (label, bar, done/total, time left); later calls move it; it is
    stopped when done reaches the total, or when the block exits (also on an
    error). No total, no bar. When stderr is not a terminal, nothing at all: rich's
    transient bar still writes a line break there at each start and stop.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    if not err_console.is_terminal:
        yield _no_progress
        return

    bar: Progress | None = None
    task = None

    def on_progress(done: int, total: int | None) -> None:
        nonlocal bar, task
        if bar is None:
            if not total or total < min_total:
                return
            bar = Progress(
                "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=err_console, transient=True,
            )
            bar.start()
            task = bar.add_task(label, total=total)
        assert task is not None  # added with the bar
        bar.update(task, completed=done, total=total or None)
        if total and done >= total:  # finished: let the next stage show its own bar
            bar.stop()
            bar = None

    try:
        yield on_progress
    finally:
        if bar is not None:
            bar.stop()


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def output_file(path: Path, option: str) -> Path:
    """The regular file to write for ``option`` (``--out``, ``--json``, ...) given ``path``.

    A symlink (also a chain, or one whose target does not exist yet) gives its
    target, so the link stays and the file it points to is replaced; any other
    path is returned as given (messages name it as the user typed it). A path that
    exists as anything but a regular file (a device such as /dev/full, a folder,
    a pipe) is refused with a UsageError: it would be replaced by a regular file.
    """
    target = Path(os.path.realpath(path))
    given = target if Path(path).is_symlink() else Path(path)
    _check_parents(path, given, option)
    try:
        mode = os.stat(target).st_mode
    except OSError:  # not there yet
        return given
    if not stat.S_ISREG(mode):
        shown = f"{path} (-> {target})" if target != Path(path).absolute() else str(path)
        raise UsageError(
            f"{option} {shown}: is {_kind(mode)}, not a regular file; nothing was written there; "
            "give a file path"
        )
    return given


def _check_parents(path: Path, written: Path, option: str) -> None:
    """UsageError when a folder above ``written`` exists as something else (a file): the
    folders could not be made (mkdir said "File exists")."""
    for parent in written.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{option} {path}: {parent} is not a folder; nothing was "
                                 "written; give a path in a folder")
            return


def output_folder(path: Path, option: str) -> Path:
    """``output_file`` for a folder output (``build --out``): a symlink gives its target;
    a path that exists as anything but a folder is refused."""
    target = Path(os.path.realpath(path))
    _check_parents(path, target if Path(path).is_symlink() else Path(path), option)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{option} {path}: is not a folder; nothing was written there")
    return target if Path(path).is_symlink() else Path(path)


@contextmanager
def atomic_output(path: Path, option: str) -> Iterator[Path]:
    """Yields a temporary path next to ``output_file(path)`` to write; on success it is
    renamed over the target, on any failure (or Ctrl-C) removed, the error naming the file
    and what was kept (:func:`keeping`)."""
    target = output_file(path, option)
    with keeping(target), replacing(target, suffix=f".{os.getpid()}.tmp", hidden=True) as tmp:
        yield tmp


@contextmanager
def keeping(target: Path) -> Iterator[None]:
    """Around the writing of ``target`` (a file or a folder replaced whole, never left
    half-written): an OSError raised inside names it (:func:`~toolkit.paths.naming`) and
    says what is left, the previous one as it was or nothing written."""
    kept = (f"the previous {target.name} is kept as it was" if target.exists()
            else "nothing was written")
    try:
        with naming(target):
            yield
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, f"{exc.strerror or exc}; {kept}", exc.filename) from exc
