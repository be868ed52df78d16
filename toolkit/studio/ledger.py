"""The push ledger: which corpus keys are already tasks of the project, and their ids.

Label Studio has no upsert and ignores ids in imported tasks, so pushing twice
would duplicate every task. The ledger is a local, append-only JSONL file per
(server, schema):

    .corpus/ledger/<host>_<port>/<schema>.jsonl
        {"server": url, "project_id": 12, "schema": "comment_stance"}   <- header
        {"k": "comment_stance:c1", "id": 101}                             <- one per task

and it can always be rebuilt from the server, which holds the truth (each task's
``data.corpus_key``).

Crash safety: before each import the pusher writes ``<ledger>.pending``; after the
import returned and its ids were appended (flushed, fsynced) it removes it. A
marker found at the start of a push means an import may have reached the server
without reaching the ledger (killed, connection lost, power cut): the ledger is
then reconciled from the server before anything else is imported. Since task ids
only grow, reconciling reads only tasks newer than the ledger's highest id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from ..corpus import iter_jsonl
from ..errors import StudioError
from ..paths import replacing
from .connection import Studio, raise_for_status, studio_errors

PAGE_SIZE = 1000


def ledger_path(ledger_dir: Path | str, server_url: str, schema_name: str) -> Path:
    """Where the ledger of one schema's project on one server lives."""
    parts = urlsplit(server_url)
    host = f"{parts.hostname or 'server'}_{parts.port or (443 if parts.scheme == 'https' else 80)}"
    path = parts.path.strip("/").replace("/", "_")
    if path:
        host = f"{host}_{path}"
    return Path(ledger_dir) / host / f"{schema_name}.jsonl"


@dataclass
class Ledger:
    """key -> task id for one project, backed by an append-only JSONL file."""

    path: Path
    server: str
    schema: str
    project_id: int | None = None
    ids: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, list[int]] = field(default_factory=dict)

    @property
    def pending_path(self) -> Path:
        return self.path.with_name(self.path.name + ".pending")

    @property
    def pending(self) -> bool:
        """True when an import may have reached the server but not this ledger."""
        return self.pending_path.exists()

    @property
    def max_id(self) -> int:
        return max(self.ids.values(), default=0)

    @classmethod
    def load(cls, path: Path, server: str, schema: str) -> Ledger:
        """Read the ledger file; an absent file gives an empty ledger (project unknown)."""
        ledger = cls(path=Path(path), server=server, schema=schema)

        def torn(_number: int, _error: object) -> None:
            # A line cut short by a kill mid-write: the pending marker covers it.
            ledger.pending_path.touch()

        records = iter_jsonl(ledger.path, what="push ledger", missing_ok=True, on_bad_line=torn)
        for number, record in records:
            if number == 1 and "project_id" in record:
                ledger.project_id = int(record["project_id"])
            elif "k" in record:
                ledger._remember(record["k"], int(record["id"]))
        return ledger

    def _remember(self, key: str, task_id: int) -> None:
        known = self.ids.get(key)
        if known is not None and known != task_id:
            self.duplicates.setdefault(key, [known]).append(task_id)
            return
        self.ids[key] = task_id

    def start(self, project_id: int) -> None:
        """Begin a fresh file for ``project_id`` (header only)."""
        self.project_id = project_id
        self.ids.clear()
        self.duplicates.clear()
        header = {"server": self.server, "project_id": project_id, "schema": self.schema}
        with replacing(self.path) as tmp:
            tmp.write_bytes(orjson.dumps(header) + b"\n")

    def mark_pending(self, count: int) -> None:
        self.pending_path.parent.mkdir(parents=True, exist_ok=True)
        self.pending_path.write_text(json.dumps({"importing": count}) + "\n")

    def clear_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)

    def append(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Record imported tasks durably (flushed and fsynced before returning)."""
        lines = []
        for key, task_id in pairs:
            self._remember(key, task_id)
            lines.append(orjson.dumps({"k": key, "id": task_id}))
        if not lines:
            return
        with self.path.open("ab") as handle:
            handle.write(b"\n".join(lines) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    def rewrite(self) -> None:
        """Write the whole file again from ``ids`` and ``duplicates`` (atomically,
        fsynced): after tasks were deleted on the server (see ``repair``)."""
        header = {"server": self.server, "project_id": self.project_id, "schema": self.schema}
        lines = [orjson.dumps(header)]
        for key, task_id in self.ids.items():
            lines.append(orjson.dumps({"k": key, "id": task_id}))
            lines.extend(orjson.dumps({"k": key, "id": extra})
                         for extra in self.duplicates.get(key, [])[1:])
        with replacing(self.path) as tmp, tmp.open("wb") as handle:
            handle.write(b"\n".join(lines) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    def rebuild(
        self,
        studio: Studio,
        project_id: int,
        *,
        incremental: bool = False,
        on_page: Callable[[int], None] | None = None,
    ) -> int:
        """Re-read keys from the server: all tasks, or (``incremental``) only those with
        an id above the ledger's highest. Returns how many tasks were read."""
        after = self.max_id if incremental and self.project_id == project_id else 0
        if not after:
            self.start(project_id)
        seen = 0
        batch: list[tuple[str, int]] = []
        for task_id, key in server_keys(studio, project_id, after_id=after):
            seen += 1
            if on_page and seen % PAGE_SIZE == 0:
                on_page(seen)
            if key is None:
                continue
            if key in self.ids and self.ids[key] == task_id:
                continue
            batch.append((key, task_id))
            if len(batch) >= PAGE_SIZE:
                self.append(batch)
                batch = []
        self.append(batch)
        self.clear_pending()
        return seen


def server_keys(
    studio: Studio, project_id: int, *, after_id: int = 0, page_size: int = PAGE_SIZE
) -> Iterator[tuple[int, str | None]]:
    """(task id, data.corpus_key) of the project's tasks, ascending by id, paged raw
    (``fields=task_only``: no annotations, the cheapest listing the server offers)."""
    query: dict = {"ordering": ["tasks:id"]}
    if after_id:
        query["filters"] = {
            "conjunction": "and",
            "items": [
                {"filter": "filter:tasks:id", "operator": "greater", "type": "Number",
                 "value": after_id}
            ],
        }
    with studio_errors(studio.url, "reading the project's tasks"):  # timeouts: one line
        yield from _task_pages(studio, project_id, query, page_size)


def _task_pages(
    studio: Studio, project_id: int, query: dict, page_size: int
) -> Iterator[tuple[int, str | None]]:
    page = 1
    while True:
        response = studio.http.get(
            "/api/tasks/",
            params={
                "project": project_id,
                "page": page,
                "page_size": page_size,
                "fields": "task_only",
                "query": json.dumps(query),
            },
        )
        if response.status_code == 404:  # past the last page
            return
        raise_for_status(response, studio.url)
        body = orjson.loads(response.content)
        tasks = body.get("tasks") if isinstance(body, dict) else body
        if tasks is None:
            raise StudioError(f"Label Studio at {studio.url}: unexpected task list answer")
        for task in tasks:
            data = task.get("data") or {}
            key = data.get("corpus_key")
            yield int(task["id"]), key if isinstance(key, str) else None
        if len(tasks) < page_size:
            return
        page += 1
