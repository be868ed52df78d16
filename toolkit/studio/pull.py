"""`corpus pull`: every task of a schema's project, with its annotations, into a snapshot.

Where the tasks come from (measured in bench/bench_pull.py)
----------------------------------------------------------
Label Studio has two endpoints that return tasks with their ``annotations``
(cancelled ones carry ``was_cancelled: true``) and ``drafts``:

- the **export**, ``GET /api/projects/<id>/export?exportType=JSON&download_all_tasks=true``,
  optionally restricted to ``ids[]=...``. Its serializer is the cheapest on the
  server (about a third of the Data Manager's CPU time per task), but one request
  for the whole project (``projects.exports.as_json``) keeps one server process busy
  for minutes, with no progress and no way to resume;
- the **Data Manager** list, ``GET /api/tasks/?project=P&fields=all&page=N``, which
  recounts the annotations of the whole (filtered) project on every page and
  computes a dozen aggregate columns per task.

A full pull (``source="export"``, the default) therefore asks the export for
chunks of task ids, ``workers`` chunks in parallel (a multi-process server --
gunicorn, `corpus studio up --workers 2` -- serves them on several cores; the
single-process ``label-studio start`` serves them one after the other, at about
the synchronous export's speed). The ids need no listing: the project's smallest
and largest task id are read (two one-task Data Manager requests) and the span
between them is asked for in URL-sized chunks (gunicorn refuses a request line
over 4094 bytes, so a chunk holds about 300 ids; a server that answers 414 gets
the chunk in halves). Ids of other projects in the span are simply not returned.
When the span is much larger than the task count (ids interleaved with other
projects'), the ids are listed through the Data Manager instead. Each chunk is
sorted by id; the snapshot holds the tasks exactly as the export returned them
(the header's ``source`` says which endpoint produced them). The export shows a
task's ``predictions`` as prediction ids; ``source="pages"`` (the Data Manager)
inlines them. Side effect of the export on the server: like every Label Studio
export, each chunk leaves its JSON in the server's export folder.

Incremental pulls
-----------------
The Data Manager takes a filter (``query={"filters": ...}``) on
``tasks:updated_at``, which Label Studio bumps whenever an annotation of the task
is created, updated or deleted. An **incremental** pull lists the ids of the tasks
changed since the previous snapshot's ``cursor`` (the server's clock when that pull
started, minus a margin), reads them from the same endpoint as the previous
snapshot (so one snapshot never mixes shapes; a previous snapshot from another
source means a full pull) and merges them into the previous snapshot's task
stream. Both streams are in task id order, so the merge holds one task at a time:
the changed tasks are spooled to a temporary file, never kept in memory.

Deleted tasks: the merge counts its tasks; when that differs from the project's
task count read at the start (tasks were deleted since the last pull, or created
while this one ran) the incremental pull is abandoned and a full pull is done
instead, and it says so. A deleted task can therefore never linger.

Limitation: saving a *draft* does not bump the task's ``updated_at`` in Label
Studio 1.23, so an incremental pull refreshes a task's drafts only when the task
changed for another reason (an annotation). ``--full`` always reads everything.

Snapshots are written by :func:`toolkit.studio.snapshot.write_snapshot` (atomic, tasks in
id order, exactly as the server returned them) and never modified afterwards.

Annotators' names: Label Studio's export gives an annotation's ``completed_by`` as
a bare user id (only the Data Manager adds ``created_username``). So a pull reads
the server's users once (``GET /api/users/``) and the header's ``annotators`` maps
each user id that annotated in the snapshot to a readable name ("first last
e-mail", as Label Studio writes ``created_username``), for `corpus agree`'s table,
and ``annotator_emails`` maps it to the account's e-mail alone: a name is the
account owner's to change (so never trusted), the e-mail is not (Label Studio
1.23 answers 405 to a PATCH of one's own e-mail), and it is what the schema's
``annotation.adjudicators`` are matched by (toolkit.review.adjudicators).
A key that may not list users gives no maps (agree then shows ids). Only the
header gains the keys: older readers ignore them.
"""

from __future__ import annotations

import functools
import math
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson

from ..errors import Interrupted, OptionError, SnapshotError, StudioError
from ..paths import DEFAULT_LEDGER_DIR, default_snapshot_dir
from ..schema import Schema
from .connection import Studio, raise_for_status, studio_errors
from .ledger import ledger_path
from .project import find_project
from .snapshot import open_snapshot, write_snapshot

DEFAULT_PAGE_SIZE = 2000  # bigger pages: fewer whole-project counts per page (bench)
DEFAULT_WORKERS = 2
SOURCES = ("export", "pages")  # see the module docstring
DEFAULT_SOURCE = "export"
SOURCE_TEXT = {  # the snapshot header's "source": which endpoint produced the tasks
    "export": "GET /api/projects/<id>/export?exportType=JSON&download_all_tasks=true"
              "&ids[]=... (Label Studio's JSON export, in chunks of task ids)",
    "pages": "GET /api/tasks/?fields=all (Label Studio Data Manager, paged)",
}
# Request target (path + query) of one export chunk: gunicorn's default
# limit_request_line is 4094 bytes for the whole "GET <target> HTTP/1.1" line.
MAX_REQUEST_TARGET = 3900
# Django refuses a query string of more than 1,000 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS).
MAX_CHUNK_IDS = 990
# Enumerate the id span when it is at most this many times the task count; else list ids.
SPARSE = 4.0
# Changes are asked for from (previous cursor - margin): clock granularity of the
# HTTP Date header (1 s) and requests in flight while the cursor was read.
CURSOR_MARGIN = timedelta(seconds=5)
_DM_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # the Data Manager's Datetime filter format

MARKERS = {
    "cancelled": "annotations[] with was_cancelled == true (skipped by the annotator)",
    "drafts": "task.drafts[] (saved but not submitted)",
}

Progress = Callable[[int, int | None], None]
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


@dataclass(frozen=True)
class Users:
    """The server's accounts, by user id (as a string): a readable ``names`` map ("first
    last e-mail", else the username: for people's eyes) and the ``emails`` map (the
    account's e-mail, which its owner cannot change: what adjudicators are matched by)."""

    names: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


def user_names(studio: Studio) -> dict[str, str]:
    """User id -> readable name ("first last e-mail", else the username), from
    ``GET /api/users/``; empty when the server refuses (a key without the right)."""
    return server_users(studio).names


def server_users(studio: Studio) -> Users:
    """The server's accounts (:class:`Users`) from ``GET /api/users/``; empty when the
    server refuses (a key without the right)."""
    try:
        response = studio.http.get("/api/users/")
    except httpx.HTTPError:
        return Users()
    if response.status_code != 200:
        return Users()
    try:
        users = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return Users()
    if isinstance(users, dict):
        users = users.get("results", [])
    found = Users()
    for user in users if isinstance(users, list) else ():
        if not isinstance(user, dict) or user.get("id") is None:
            continue
        ident = str(user["id"])
        parts = (user.get("first_name"), user.get("last_name"), user.get("email"))
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        name = name or str(user.get("username") or "")
        if name:
            found.names[ident] = name
        email = user.get("email")
        if isinstance(email, str) and email.strip():
            found.emails[ident] = email.strip()
    return found


def _naming(tasks: Iterable[dict], header: dict, users: Users) -> Iterator[dict]:
    """Pass the tasks through; at the end, ``header["annotators"]`` holds the names of
    the users who annotated them and ``header["annotator_emails"]`` their accounts'
    e-mails (write_snapshot writes the header after the tasks)."""
    seen: set[str] = set()
    for task in tasks:
        for annotation in task.get("annotations") or ():
            who = annotation.get("completed_by") if isinstance(annotation, dict) else None
            if isinstance(who, dict):
                who = who.get("id")
            if who is not None:
                seen.add(str(who))
        yield task
    ordered = sorted(seen, key=lambda w: (len(w), w))  # numeric order for ids
    header["annotators"] = {who: users.names[who] for who in ordered if who in users.names}
    header["annotator_emails"] = {who: users.emails[who] for who in ordered
                                  if who in users.emails}


class _NotMergeable(Exception):
    """An incremental merge does not add up (tasks deleted or created meanwhile)."""


def snapshot_dir(schema: Schema, out_dir: Path | str | None = None) -> Path:
    """Where a schema's snapshots go: ``out_dir`` or ``exports/<schema>/snapshots``."""
    return Path(out_dir) if out_dir is not None else default_snapshot_dir(schema.name)


def latest_snapshot(directory: Path | str, *, server: str, project_id: int) -> Path | None:
    """The newest complete snapshot in ``directory`` of this server's project, or None."""
    best: tuple[str, int, Path] | None = None
    for path in Path(directory).glob("*.json"):
        try:
            header = open_snapshot(path).header
        except SnapshotError:
            continue
        if header.get("server") != server or header.get("project_id") != project_id:
            continue
        if not header.get("cursor"):
            continue
        # pulled_at has whole seconds; two pulls in one second are X.json, X-1.json, ...
        _, _, number = path.stem.partition("Z-")
        key = (header.get("pulled_at") or "", int(number) if number.isdigit() else 0, path)
        if best is None or key > best:
            best = key
    return best[2] if best else None


def known_project_id(ledger_dir: Path | str, server: str, schema_name: str) -> int | None:
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


T = TypeVar("T")
R = TypeVar("R")


def _in_order(fetch: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``map(fetch, items)`` on ``workers`` threads, results in order.

    At most ``workers + 1`` fetches are in flight or waiting to be consumed, so
    memory holds a bounded number of answers whatever the project's size; ``items``
    is consumed lazily.
    """
    if workers <= 1:
        for item in items:
            yield fetch(item)
        return
    pending = iter(items)
    with ThreadPoolExecutor(workers, thread_name_prefix="pull") as pool:
        inflight: deque[Future] = deque()
        try:
            for item in pending:
                inflight.append(pool.submit(fetch, item))
                if len(inflight) > workers:
                    yield inflight.popleft().result()
            while inflight:
                yield inflight.popleft().result()
        finally:
            for future in inflight:
                future.cancel()


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

    def _get(self, params: dict, doing: str) -> httpx.Response:
        with studio_errors(self.studio.url, doing):
            return self.studio.http.get("/api/tasks/", params=params)

    def total(self, query: dict | None = None) -> tuple[int, datetime]:
        """(number of tasks matching ``query``, server time of the answer)."""
        response = self._get(self._params(1, 1, query, "task_only"), "counting tasks")
        raise_for_status(response, self.studio.url)
        return int(orjson.loads(response.content).get("total") or 0), _server_time(response)

    def _task_list(self, response: httpx.Response, what: str) -> list[dict]:
        raise_for_status(response, self.studio.url)
        body = orjson.loads(response.content)
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list):
            raise StudioError(
                f"Label Studio at {self.studio.url}: GET /api/tasks/ {what} did not "
                "answer a task list; is this a Label Studio server?"
            )
        return tasks

    def page(self, number: int, query: dict | None) -> list[dict]:
        response = self._get(
            self._params(number, self.page_size, query, "all"), f"reading tasks page {number}"
        )
        if response.status_code == 404 and number > 1:  # past the end: tasks were deleted
            return []
        return self._task_list(response, f"page {number}")

    def edge(self, last: bool) -> int | None:
        """The project's smallest (or, ``last``, largest) task id; None when it has none."""
        query = {"ordering": ["-tasks:id" if last else "tasks:id"]}
        params = {**self._params(1, 1, query, "task_only"), "include": "id"}
        tasks = self._task_list(self._get(params, "reading task ids"), "(task ids)")
        return tasks[0].get("id") if tasks else None

    def ids(self, query: dict | None = None, page_size: int = 10_000) -> Iterator[int]:
        """The ids of the tasks matching ``query``, ascending, each once (paged listing)."""
        ordered = {**(query or {}), "ordering": ["tasks:id"]}
        last_id = 0
        number = 1
        while True:
            params = {**self._params(number, page_size, ordered, "task_only"), "include": "id"}
            response = self._get(params, f"listing task ids, page {number}")
            if response.status_code == 404 and number > 1:
                return
            tasks = self._task_list(response, f"(task ids, page {number})")
            for task in tasks:
                task_id = task.get("id")
                if isinstance(task_id, int) and task_id > last_id:
                    last_id = task_id
                    yield task_id
            if len(tasks) < page_size:
                return
            number += 1

    def tasks(
        self, total: int, query: dict | None = None, on_page: Callable[[int], None] | None = None
    ) -> Iterator[dict]:
        """Every task matching ``query``, in id order, each once (paged, ``workers`` at once)."""
        pages = max(1, math.ceil(total / self.page_size))
        last_id = 0
        for tasks in _in_order(lambda n: self.page(n, query), range(1, pages + 1), self.workers):
            for task in tasks:
                task_id = task.get("id")
                if not isinstance(task_id, int) or task_id <= last_id:
                    continue  # a task seen on the previous page (tasks shifted meanwhile)
                last_id = task_id
                yield task
            if on_page:
                on_page(len(tasks))


class _Exporter:
    """Reads tasks through Label Studio's export, ``GET /api/projects/<id>/export``, by ids.

    The ids go in the query string (the endpoint reads ``ids[]`` nowhere else), so
    a chunk holds as many as fit in ``max_target`` bytes of request target.
    """

    def __init__(
        self, reader: _Reader, max_target: int = MAX_REQUEST_TARGET, sparse: float = SPARSE
    ) -> None:
        self.reader = reader
        self.studio = reader.studio
        self.workers = reader.workers
        self.max_target = max_target
        self.sparse = sparse
        self.base = (
            f"/api/projects/{reader.project_id}/export?exportType=JSON&download_all_tasks=true"
        )

    def all_ids(self, total: int) -> Iterator[int]:
        """Candidate ids covering every task of the project, ascending.

        The span from the smallest to the largest id when it is dense enough (ids of
        other projects in it cost URL room, nothing else); else the listed ids.
        """
        if total <= 0:
            return iter(())
        first, last = self.reader.edge(False), self.reader.edge(True)
        if not isinstance(first, int) or not isinstance(last, int):
            return iter(())
        if last - first + 1 <= self.sparse * total:
            return iter(range(first, last + 1))
        return self.reader.ids()

    def chunks(self, ids: Iterable[int]) -> Iterator[list[int]]:
        """``ids`` cut into lists whose request target stays within ``max_target`` bytes
        (and at most MAX_CHUNK_IDS ids)."""
        chunk: list[int] = []
        size = len(self.base)
        for task_id in ids:
            part = len("&ids[]=") + len(str(task_id))
            if chunk and (size + part > self.max_target or len(chunk) >= MAX_CHUNK_IDS):
                yield chunk
                chunk, size = [], len(self.base)
            chunk.append(task_id)
            size += part
        if chunk:
            yield chunk

    def export(self, ids: list[int]) -> list[dict]:
        """The tasks among ``ids`` (those of this project), sorted by id."""
        target = self.base + "".join(f"&ids[]={task_id}" for task_id in ids)
        with studio_errors(self.studio.url, f"exporting tasks {ids[0]}..{ids[-1]}"):
            response = self.studio.http.get(target)
        tasks = None
        if response.status_code == 200:
            try:
                tasks = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                pass  # an empty or cut answer, met now and then on ~13 kB targets
        if tasks is None and len(ids) > 1 and response.status_code in (200, 414):
            # a stricter proxy (414) or a cut answer: the same ids in two halves
            half = len(ids) // 2
            return self.export(ids[:half]) + self.export(ids[half:])
        raise_for_status(response, self.studio.url)
        if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
            raise StudioError(
                f"Label Studio at {self.studio.url}: GET /api/projects/"
                f"{self.reader.project_id}/export did not answer a JSON task list"
            )
        tasks.sort(key=lambda task: task.get("id") or 0)
        return tasks

    def tasks(
        self, ids: Iterable[int], on_page: Callable[[int], None] | None = None
    ) -> Iterator[dict]:
        """The project's tasks among ``ids`` (ascending), in id order, each once."""
        last_id = 0
        for tasks in _in_order(self.export, self.chunks(ids), self.workers):
            for task in tasks:
                task_id = task.get("id")
                if not isinstance(task_id, int) or task_id <= last_id:
                    continue
                last_id = task_id
                yield task
            if on_page:
                on_page(len(tasks))


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


def _says_how_far(body: Callable[..., PullResult]) -> Callable[..., PullResult]:
    """``body`` (a pull) with Ctrl-C turned into :class:`Interrupted` saying how many
    tasks it had read (its ``on_progress`` is watched for that)."""

    @functools.wraps(body)
    def pull_saying_how_far(schema: Schema, studio: Studio, *,
                            on_progress: Progress | None = None, **options: Any) -> PullResult:
        read: list = [0, None]

        def track(done: int, expected: int | None) -> None:
            read[:] = [done, expected]
            if on_progress:
                on_progress(done, expected)

        try:
            return body(schema, studio, on_progress=track, **options)
        except KeyboardInterrupt as exc:
            expected = "?" if read[1] is None else read[1]
            raise Interrupted(
                f"pull stopped after reading {read[0]} of {expected} tasks; no snapshot was "
                "written (earlier snapshots are unchanged); run the same `corpus pull` again "
                "to read them (incremental when an earlier snapshot exists)"
            ) from exc

    return pull_saying_how_far


@_says_how_far
def pull(
    schema: Schema,
    studio: Studio,
    *,
    out_dir: Path | str | None = None,
    full: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    workers: int = DEFAULT_WORKERS,
    source: str = DEFAULT_SOURCE,
    ledger_dir: Path | str = DEFAULT_LEDGER_DIR,
    project_id: int | None = None,
    on_progress: Progress | None = None,
    say: Say | None = None,
) -> PullResult:
    """Pull every task of the schema's project into a new snapshot; returns what was written.

    Incremental by default when a previous snapshot of the same project is in
    ``out_dir`` (see the module docstring); ``full=True`` reads every task.
    ``source`` is where the tasks are read: ``"export"`` (Label Studio's export, in
    chunks of ids; the default, fastest) or ``"pages"`` (Data Manager pages of
    ``page_size``). ``workers`` requests run in parallel.
    ``on_progress(tasks_read, tasks_expected)`` is called after each page or chunk.
    Ctrl-C raises :class:`Interrupted` saying how far it got (nothing is written).
    """
    if source not in SOURCES:
        raise OptionError(f"pull source {source!r} is not one of: {', '.join(SOURCES)}")
    say = say or (lambda _line: None)
    started = time.perf_counter()
    if project_id is None:
        known = known_project_id(ledger_dir, studio.url, schema.name)
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
    exporter = _Exporter(reader)
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
        "source": SOURCE_TEXT[source],
        "markers": MARKERS,
    }
    path = _snapshot_path(directory, datetime.now(timezone.utc))
    users = server_users(studio)
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
    base = open_snapshot(previous) if previous is not None else None
    if base is not None and base.header.get("source") != header["source"]:
        note = (
            f"the previous snapshot {base.path.name} was read from another endpoint "
            f"({base.header.get('source')!r}); doing a full pull so that one snapshot "
            "never mixes task shapes"
        )
        say(f"Incremental pull: {note}")
        notes.append(note)
        base = None
    if base is not None:
        since = datetime.strptime(base.header["cursor"], _DM_TIME).replace(tzinfo=timezone.utc)
        query = _updated_since(_iso(since - CURSOR_MARGIN))
        changed_total, _ = reader.total(query)
        if on_progress:
            on_progress(0, changed_total)
        with tempfile.TemporaryFile(dir=directory) as spool:
            if not changed_total:
                changed: Iterator[dict] = iter(())
            elif source == "export":
                changed = exporter.tasks(reader.ids(query), progress(changed_total))
            else:
                changed = reader.tasks(changed_total, query, progress(changed_total))
            for task in changed:
                spool.write(orjson.dumps(task) + b"\n")
            fetched = done

            def merged() -> Iterator[dict]:
                count = 0
                for task in _merge(base.tasks(), _spooled(spool)):
                    count += 1
                    yield task
                if count != total:
                    raise _NotMergeable(count)

            incremental = {**header, "mode": "incremental", "base": base.path.name,
                           "changed": fetched}
            try:
                written = write_snapshot(path, incremental, _naming(merged(), incremental, users))
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
        tasks = (
            exporter.tasks(exporter.all_ids(total), progress(total)) if source == "export"
            else reader.tasks(total, None, progress(total))
        )
        for task in tasks:
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

    written = write_snapshot(path, header, _naming(checked(), header, users))
    return PullResult(path, written, "full", time.perf_counter() - started, done, notes)
