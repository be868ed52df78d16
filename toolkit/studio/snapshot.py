"""Snapshot files: what `corpus pull` saved from Label Studio, read back by
validate, agree and build.

Layout (valid JSON, and streamable line by line)::

    {"format": "corpus-toolkit.snapshot/1", "header": {...},
    "tasks": [
    {...one task exactly as Label Studio returned it...},
    {...}
    ]}

The header records the server URL (never credentials), project id, schema name
and hash, pull time, counts and, since pulls read the server's users, the
``annotators`` who annotated (user id -> readable name, for `corpus agree`; never
published). Readers ignore keys they do not know. Each task sits on its own line, so a reader can
stream a snapshot of millions of results with bounded memory. A plain Label
Studio JSON export (a list of tasks) is read too, without a header; a UTF-8 BOM is
skipped, and our JSON laid out otherwise (one line, re-indented) is read whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..errors import SnapshotError
from ..paths import naming, replacing

FORMAT = "corpus-toolkit.snapshot/1"
#: ``on_progress(done, total)``: what the CLI's progress bar takes (toolkit.cli.output)
OnProgress = Callable[[int, int], None]
_EVERY = 2000  # tasks between two progress calls (a call costs about a task's reading)
_OPENING = b'{"format": "' + FORMAT.encode() + b'", "header": '


@dataclass
class Snapshot:
    """A snapshot opened for reading: its header, and its tasks as a stream."""

    path: Path
    header: dict = field(default_factory=dict)

    def tasks(self, on_progress: OnProgress | None = None) -> Iterator[dict]:
        """Yield the tasks one by one; raises SnapshotError on a broken file.
        ``on_progress(done, total)``: tasks read against the header's task count, or,
        when the header has none (a plain export), bytes read against the file's size;
        called every few thousand tasks and once at the end (done == total)."""
        tasks = _iter_tasks(self.path)
        if on_progress is None:
            return tasks
        counts = self.header.get("counts") if isinstance(self.header, dict) else None
        total = counts.get("tasks") if isinstance(counts, dict) else None
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return _counted(tasks, total, on_progress)
        return _by_bytes(self.path, on_progress)


def schema_changed_message(pulled_hash: str, schema_hash: str) -> str:
    """The warning (validate's V020) for a snapshot pulled under another schema version."""
    return (f"the snapshot was pulled under schema {pulled_hash}; the schema given is "
            f"{schema_hash} (a different version)")


def count_task(task: dict, counts: dict) -> None:
    """Add one task to the header counts (tasks, annotations, cancelled, drafts)."""
    counts["tasks"] = counts.get("tasks", 0) + 1
    for annotation in task.get("annotations") or ():
        key = "cancelled" if annotation.get("was_cancelled") else "annotations"
        counts[key] = counts.get(key, 0) + 1
    counts["drafts"] = counts.get("drafts", 0) + len(task.get("drafts") or ())


def write_snapshot(path: Path, header: dict, tasks: Iterable[dict]) -> dict:
    """Write a snapshot atomically; fills ``header["counts"]`` and returns the header.

    Tasks are spooled to a temporary file first so the header, which comes
    first in the file, can hold the counts without keeping tasks in memory.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict = {"tasks": 0, "annotations": 0, "cancelled": 0, "drafts": 0}
    with tempfile.TemporaryFile(dir=path.parent) as spool:
        for task in tasks:
            count_task(task, counts)
            spool.write(orjson.dumps(task))
            spool.write(b"\n")
        header = {**header, "counts": counts}
        # a full disk or Ctrl-C: no half .part left; the error names the snapshot
        with naming(path), replacing(path, suffix=".part") as tmp, tmp.open("wb") as out:
            out.write(_OPENING + orjson.dumps(header) + b',\n"tasks": [\n')
            spool.seek(0)
            first = True
            for line in spool:
                if not first:
                    out.write(b",\n")
                out.write(line.rstrip(b"\n"))
                first = False
            out.write(b"\n]}\n")
            out.flush()
            os.fsync(out.fileno())
    return header


def open_snapshot(path: str | Path) -> Snapshot:
    """Open a snapshot (ours, or a plain Label Studio JSON export) and read its header.

    A UTF-8 byte order mark is skipped. Ours is streamed when it has the layout
    `corpus pull` writes (header on line 1, one task per line); the same JSON laid out
    otherwise (on one line, re-indented by an editor) is read whole, header included.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            first = _without_bom(handle.readline())
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read the snapshot ({exc.strerror})") from exc
    if first.startswith(_OPENING):
        header = _streamed_header(first)
        if header is not None:
            return Snapshot(path, header)
        return Snapshot(path, _whole_file_header(path))
    stripped = first.lstrip()
    if not stripped:
        raise SnapshotError(f"{path}: the file is empty; pull again with `corpus pull`")
    if stripped[:1] not in (b"[", b"{"):
        raise SnapshotError(f"{path}: not JSON (starts with {first[:20]!r}); expected a snapshot")
    if stripped[:1] == b"{":  # maybe ours in another layout: its header counts
        return Snapshot(path, _whole_file_header(path))
    return Snapshot(path, {})


_BOM = b"\xef\xbb\xbf"


def _without_bom(data: bytes) -> bytes:
    return data[len(_BOM):] if data.startswith(_BOM) else data


def _streamed_header(first: bytes) -> dict | None:
    """The header of line 1 in `corpus pull`'s layout, or None when the line is not that."""
    body = first[len(_OPENING) :].rstrip()
    if not body.endswith(b","):
        return None
    try:
        header = orjson.loads(body[:-1])
    except orjson.JSONDecodeError:
        return None
    return header if isinstance(header, dict) else None


def _load_whole(path: Path) -> Any:
    try:
        return orjson.loads(_without_bom(path.read_bytes()))
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"{path}: not valid JSON, or truncated ({exc})") from exc
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read the snapshot ({exc.strerror})") from exc


def _whole_file_header(path: Path) -> dict:
    data = _load_whole(path)
    if isinstance(data, dict) and data.get("format") == FORMAT:
        header = data.get("header")
        if not isinstance(header, dict):
            raise SnapshotError(f"{path}: the snapshot header is not a JSON object")
        return header
    return {}


def _counted(tasks: Iterator[dict], total: int, on_progress: OnProgress) -> Iterator[dict]:
    """``tasks``, calling ``on_progress(done, total)`` as they are read."""
    done = 0
    on_progress(0, total)
    for task in tasks:
        yield task
        done += 1
        if not done % _EVERY:
            on_progress(done, max(total, done))
    on_progress(done, done)  # finished: the bar stops even when the header's count was off


def _by_bytes(path: Path, on_progress: OnProgress) -> Iterator[dict]:
    """The tasks of ``path``, calling ``on_progress(bytes read, file size)``."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    read = [0]
    on_progress(0, size)
    done = 0
    for task in _iter_tasks(path, read):
        yield task
        done += 1
        if not done % _EVERY:
            on_progress(min(read[0], size), size)
    on_progress(size, size)


def _iter_tasks(path: Path, read: list[int] | None = None) -> Iterator[dict]:
    """The tasks of a snapshot; ``read[0]`` follows the bytes read, when given."""
    with path.open("rb") as handle:
        first = _without_bom(handle.readline())
        if not first.startswith(_OPENING) or _streamed_header(first) is None:
            yield from _iter_whole_file(path)
            return
        if handle.readline().strip() != b'"tasks": [':
            raise SnapshotError(f"{path}:2: expected the task list; the snapshot is damaged")
        number = 2
        closed = False
        for line in handle:
            number += 1
            if read is not None:
                read[0] += len(line)
            stripped = line.strip()
            if stripped == b"]}":
                closed = True
                break
            if stripped.endswith(b","):
                stripped = stripped[:-1]
            if not stripped:
                continue
            try:
                task = orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                raise SnapshotError(f"{path}:{number}: a task is not valid JSON ({exc})") from exc
            if not isinstance(task, dict):
                raise SnapshotError(f"{path}:{number}: a task is not a JSON object")
            yield task
        if not closed:
            raise SnapshotError(
                f"{path}:{number}: the snapshot ends before its task list closes (truncated); "
                "pull again with `corpus pull`"
            )


def _iter_whole_file(path: Path) -> Iterator[dict]:
    """A plain Label Studio export, or ours laid out otherwise: parse the whole file."""
    data = _load_whole(path)
    if isinstance(data, dict) and isinstance(data.get("tasks"), list):
        data = data["tasks"]
    if not isinstance(data, list):
        raise SnapshotError(f"{path}: not a Label Studio export (expected a list of tasks)")
    for index, task in enumerate(data):
        if not isinstance(task, dict) or "data" not in task:
            raise SnapshotError(
                f"{path}: item {index} is not a Label Studio task (no 'data' key)"
            )
        yield task
