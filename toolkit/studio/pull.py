"""`corpus pull`: every task of a schema's project, with its annotations, into a snapshot.

Why paged Data Manager requests and not Label Studio's export
-------------------------------------------------------------
``projects.exports.as_json`` (``GET /api/projects/<id>/export``) builds the whole
export in one request: one server process busy for minutes on 100,000 tasks, no
progress, nothing to resume, and no way to ask for "only what changed". The Data
Manager list, ``GET /api/tasks/?project=P&fields=all&page=N&page_size=S``, returns
the same tasks with their ``annotations`` (cancelled ones carry
``was_cancelled: true``), ``drafts`` and ``predictions`` inline, page by page:

- pages are fetched by ``workers`` threads; that pays off on a multi-process
  server (gunicorn, `corpus studio up --workers 2`), not on the single-process
  ``label-studio start`` (measured in bench/bench_pull.py);
- the same endpoint takes a Data Manager filter (``query={"filters": ...}``) on
  ``tasks:updated_at``, which Label Studio bumps whenever an annotation of the
  task is created, updated or deleted. An **incremental** pull asks only for the
  tasks changed since the previous snapshot's ``cursor`` (the server's clock when
  that pull started, minus a margin) and merges them into the previous snapshot's
  task stream. Both streams are in task id order, so the merge holds one task at a
  time: the changed tasks are spooled to a temporary file, never kept in memory.

Deleted tasks: the merge counts its tasks; when that differs from the project's
task count read at the start (tasks were deleted since the last pull, or created
while this one ran) the incremental pull is abandoned and a full pull is done
instead, and it says so. A deleted task can therefore never linger.

Limitation: saving a *draft* does not bump the task's ``updated_at`` in Label
Studio 1.23, so an incremental pull refreshes a task's drafts only when the task
changed for another reason (an annotation). ``--full`` always reads everything.

Snapshots are written by :func:`toolkit.snapshot.write_snapshot` (atomic, tasks in
id order, exactly as the server returned them) and never modified afterwards.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import orjson

from ..errors import SnapshotError, StudioError
from ..schema import Schema
from ..snapshot import open_snapshot, write_snapshot
from .connection import Studio, raise_for_status, studio_errors
from .ledger import DEFAULT_LEDGER_DIR, ledger_path
from .push import find_project

DEFAULT_PAGE_SIZE = 2000  # bigger pages: fewer whole-project counts per page (bench)
DEFAULT_WORKERS = 2
# Changes are asked for from (previous cursor - margin): clock granularity of the
# HTTP Date header (1 s) and requests in flight while the cursor was read.
CURSOR_MARGIN = timedelta(seconds=5)
_DM_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # the Data Manager's Datetime filter format

MARKERS = {
    "cancelled": "annotations[] with was_cancelled == true (skipped by the annotator)",
    "drafts": "task.drafts[] (saved but not submitted)",
}

Progress = Callable[[int, int], None]
Say = Callable[[str], None]


@dataclass
class PullResult:
    """What a pull wrote: the snapshot path, its header (with counts) and how it went."""

    path: Path
    header: dict
    mode: str
    seconds: float
    fetched: int = 0  # tasks read from the server (all of them, or only the changed ones)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        return self.header.get("counts", {})


class _NotMergeable(Exception):
    """An incremental merge does not add up (tasks deleted or created meanwhile)."""


def snapshot_dir(schema: Schema, out_dir: Path | str | None = None) -> Path:
    """Where a schema's snapshots go: ``out_dir`` or ``exports/<schema>/snapshots``."""
    return Path(out_dir) if out_dir is not None else Path("exports") / schema.name / "snapshots"


def latest_snapshot(directory: Path | str, *, server: str, project_id: int) -> Path | None:
    """The newest complete snapshot in ``directory`` of this server's project, or None."""
    best: tuple[str, Path] | None = None
    for path in Path(directory).glob("*.json"):
        try:
            header = open_snapshot(path).header
        except SnapshotError:
            continue
        if header.get("server") != server or header.get("project_id") != project_id:
            continue
        if not header.get("cursor"):
            continue
        key = (header.get("pulled_at") or "", path)
        if best is None or key > best:
            best = key
    return best[1] if best else None


def _known_project_id(ledger_dir: Path | str, server: str, schema_name: str) -> int | None:
    """The project id in push's ledger header (first line only: the ledger can be large)."""
    path = ledger_path(ledger_dir, server, schema_name)
    try:
        with path.open("rb") as handle:
            first = handle.readline()
        value = orjson.loads(first).get("project_id")
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _server_time(response: httpx.Response) -> datetime:
    """The server's clock from the Date header (our own UTC clock when it has none)."""
    value = response.headers.get("date")
    if value:
        try:
            return parsedate_to_datetime(value).astimezone(timezone.utc)
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(_DM_TIME)


class _Reader:
    """Paged reads of one project's tasks from the Data Manager API."""

    def __init__(self, studio: Studio, project_id: int, page_size: int, workers: int) -> None:
        self.studio = studio
        self.project_id = project_id
        self.page_size = page_size
        self.workers = max(1, workers)

    def _params(self, page: int, page_size: int, query: dict | None, fields: str) -> dict:
        params: dict = {
            "project": self.project_id, "page": page, "page_size": page_size, "fields": fields,
        }
        if query is not None:
            params["query"] = orjson.dumps(query).decode()
        return params

    def total(self, query: dict | None = None) -> tuple[int, datetime]:
        """(number of tasks matching ``query``, server time of the answer)."""
        with studio_errors(self.studio.url, "counting tasks"):
            response = self.studio.http.get(
                "/api/tasks/", params=self._params(1, 1, query, "task_only")
            )
        raise_for_status(response, self.studio.url)
        return int(orjson.loads(response.content).get("total") or 0), _server_time(response)

    def page(self, number: int, query: dict | None) -> list[dict]:
        with studio_errors(self.studio.url, f"reading tasks page {number}"):
            response = self.studio.http.get(
                "/api/tasks/", params=self._params(number, self.page_size, query, "all")
            )
        if response.status_code == 404 and number > 1:  # past the end: tasks were deleted
            return []
        raise_for_status(response, self.studio.url)
        body = orjson.loads(response.content)
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list):
            raise StudioError(
                f"Label Studio at {self.studio.url}: GET /api/tasks/ page {number} did not "
                "answer a task list; is this a Label Studio server?"
            )
        return tasks

    def tasks(
        self, total: int, query: dict | None = None, on_page: Callable[[int], None] | None = None
    ) -> Iterator[dict]:
        """Every task matching ``query``, in id order, each once.

        Up to ``workers + 1`` pages are in flight; pages are yielded in order, so
        memory holds a bounded number of pages, whatever the project's size.
        """
        pages = max(1, math.ceil(total / self.page_size))
        last_id = 0
        for tasks in self._pages(pages, query):
            for task in tasks:
                task_id = task.get("id")
                if not isinstance(task_id, int) or task_id <= last_id:
                    continue  # a task seen on the previous page (tasks shifted meanwhile)
                last_id = task_id
                yield task
            if on_page:
                on_page(len(tasks))

    def _pages(self, pages: int, query: dict | None) -> Iterator[list[dict]]:
        if self.workers == 1:
            for number in range(1, pages + 1):
                yield self.page(number, query)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="pull") as pool:
            inflight: deque[Future] = deque()
            following = 1
            try:
                while inflight or following <= pages:
                    while following <= pages and len(inflight) < self.workers + 1:
                        inflight.append(pool.submit(self.page, following, query))
                        following += 1
                    yield inflight.popleft().result()
            finally:
                for future in inflight:
                    future.cancel()


def _updated_since(since: str) -> dict:
    return {
        "filters": {
            "conjunction": "and",
            "items": [{
                "filter": "filter:tasks:updated_at", "operator": "greater",
                "type": "Datetime", "value": since,
            }],
        },
    }


def _snapshot_path(directory: Path, moment: datetime) -> Path:
    stem = moment.strftime("%Y-%m-%dT%H%M%SZ")
    path = directory / f"{stem}.json"
    number = 1
    while path.exists() or path.with_name(path.name + ".part").exists():
        path = directory / f"{stem}-{number}.json"
        number += 1
    return path


def _merge(previous: Iterator[dict], changed: Iterator[dict]) -> Iterator[dict]:
    """Two task streams in id order -> one, the changed version winning."""
    fresh = next(changed, None)
    for task in previous:
        task_id = task.get("id")
        while fresh is not None and fresh["id"] < task_id:
            yield fresh
            fresh = next(changed, None)
        if fresh is not None and fresh["id"] == task_id:
            yield fresh
            fresh = next(changed, None)
        else:
            yield task
    while fresh is not None:
        yield fresh
        fresh = next(changed, None)


def _spooled(spool) -> Iterator[dict]:
    spool.seek(0)
    for line in spool:
        yield orjson.loads(line)


def pull(
    schema: Schema,
    studio: Studio,
    *,
    out_dir: Path | str | None = None,
    full: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    workers: int = DEFAULT_WORKERS,
    ledger_dir: Path | str = DEFAULT_LEDGER_DIR,
    project_id: int | None = None,
    on_progress: Progress | None = None,
    say: Say | None = None,
) -> PullResult:
    """Pull every task of the schema's project into a new snapshot; returns what was written.

    Incremental by default when a previous snapshot of the same project is in
    ``out_dir`` (see the module docstring); ``full=True`` reads every task.
    ``on_progress(tasks_read, tasks_expected)`` is called after each page.
    """
    say = say or (lambda _line: None)
    started = time.perf_counter()
    if project_id is None:
        known = _known_project_id(ledger_dir, studio.url, schema.name)
        project_id = find_project(studio, schema, known)
    if project_id is None:
        raise StudioError(
            f"Label Studio at {studio.url} has no project for schema {schema.name}; "
            f"push its tasks first: corpus push --schema <{schema.name}.yaml>"
        )
    with studio_errors(studio.url, f"reading project {project_id}"):
        response = studio.http.get(f"/api/projects/{project_id}/")
    raise_for_status(response, studio.url)
    title = orjson.loads(response.content).get("title") or ""

    directory = snapshot_dir(schema, out_dir)
    reader = _Reader(studio, project_id, page_size, workers)
    total, server_now = reader.total()
    header = {
        "server": studio.url,
        "project_id": project_id,
        "project_title": title,
        "schema_name": schema.name,
        "schema_hash": schema.content_hash,
        "schema_version": schema.version,
        "pulled_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": "full",
        # The server's clock when this pull started: the next incremental pull asks for
        # tasks updated after it.
        "cursor": _iso(server_now),
        "source": "GET /api/tasks/?fields=all (Label Studio Data Manager, paged)",
        "markers": MARKERS,
    }
    path = _snapshot_path(directory, datetime.now(timezone.utc))
    notes: list[str] = []
    done = 0

    def progress(expected: int) -> Callable[[int], None]:
        def on_page(count: int) -> None:
            nonlocal done
            done += count
            if on_progress:
                on_progress(min(done, expected), expected)
        return on_page

    previous = (
        None if full
        else latest_snapshot(directory, server=studio.url, project_id=project_id)
    )
    if previous is not None:
        base = open_snapshot(previous)
        since = datetime.strptime(base.header["cursor"], _DM_TIME).replace(tzinfo=timezone.utc)
        query = _updated_since(_iso(since - CURSOR_MARGIN))
        changed_total, _ = reader.total(query)
        if on_progress:
            on_progress(0, changed_total)
        with tempfile.TemporaryFile(dir=directory) as spool:
            for task in reader.tasks(changed_total, query, progress(changed_total)):
                spool.write(orjson.dumps(task) + b"\n")
            fetched = done

            def merged() -> Iterator[dict]:
                count = 0
                for task in _merge(base.tasks(), _spooled(spool)):
                    count += 1
                    yield task
                if count != total:
                    raise _NotMergeable(count)

            try:
                written = write_snapshot(
                    path, {**header, "mode": "incremental", "base": previous.name,
                           "changed": fetched}, merged(),
                )
            except _NotMergeable as exc:
                note = (
                    f"the previous snapshot plus the {fetched} changed tasks make {exc.args[0]} "
                    f"tasks, the project has {total} (tasks were deleted or added meanwhile): "
                    "doing a full pull instead"
                )
                say(f"Incremental pull: {note}")
                notes.append(note)
            else:
                return PullResult(path, written, "incremental",
                                  time.perf_counter() - started, fetched, notes)
        done = 0
        total, server_now = reader.total()
        header["cursor"] = _iso(server_now)

    if on_progress:
        on_progress(0, total)

    def checked() -> Iterator[dict]:
        count = 0
        for task in reader.tasks(total, None, progress(total)):
            count += 1
            yield task
        now_total, _ = reader.total()
        if count != now_total:
            # Tasks were added or deleted while we paged: one may have been missed, so
            # this snapshot must not be the base of an incremental pull. (write_snapshot
            # copies the header after the last task, so this change is written.)
            header["cursor"] = None
            note = (
                f"read {count} tasks, the project has {now_total} now (tasks were added or "
                "deleted during the pull); the next pull will be a full one"
            )
            say(f"Note: {note}")
            notes.append(note)

    written = write_snapshot(path, header, checked())
    return PullResult(path, written, "full", time.perf_counter() - started, done, notes)
