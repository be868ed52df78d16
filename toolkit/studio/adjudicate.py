"""The adjudication tab: a Data Manager tab of the schema's project that shows exactly
the items an adjudicator has to decide (`corpus adjudicate`, and `corpus sync`).

Label Studio Community has no review stream; what it has is Data Manager tabs
(views, ``/api/dm/views``) with filters. The toolkit keeps one tab per project,
titled ``Adjudicate (N)``, whose filter is the list of task ids to decide (checked
on Label Studio 1.23.2): items ``{"filter": "filter:tasks:id", "operator":
"equal", "type": "Number", "value": <id>}`` joined by ``"or"``; runs of
consecutive ids become one ``"in"`` range ``{"min": a, "max": b}``. Each run
rewrites the filter, so the tab always holds what the latest snapshot leaves
unresolved; with nothing to decide it matches no task (id 0) and reads
``Adjudicate (0)``.

On the SQLite database of a local Label Studio a filter of about 1,000 items
fails (SQLite's expression depth); the tab takes at most :data:`MAX_FILTER_ITEMS`
items (runs) and its title then says how many of the total it holds: decide
those, pull, and run again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..errors import SnapshotError, StudioError
from ..paths import DEFAULT_LEDGER_DIR
from ..schema import Schema
from .connection import Studio, raise_for_status, studio_errors

__all__ = ["MAX_FILTER_ITEMS", "TAB_PREFIX", "AdjudicationTab", "adjudicate", "tab_filters",
           "to_adjudicate", "update_tab"]

TAB_PREFIX = "Adjudicate ("
MAX_FILTER_ITEMS = 500
_ID = "filter:tasks:id"


@dataclass
class AdjudicationTab:
    """The tab as a run left it."""

    project_id: int
    view_id: int
    title: str
    task_ids: list[int]  # the tasks the tab shows
    total: int  # the tasks to adjudicate (more than the tab holds past MAX_FILTER_ITEMS runs)
    created: bool
    url: str  # the project's data page with the tab open
    snapshot: str | None = None  # the snapshot the task ids come from

    @property
    def complete(self) -> bool:
        return len(self.task_ids) == self.total


def _runs(task_ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted unique ids as (first, last) runs of consecutive ids."""
    runs: list[tuple[int, int]] = []
    for ident in sorted(set(task_ids)):
        if runs and ident == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], ident)
        else:
            runs.append((ident, ident))
    return runs


def tab_filters(task_ids: Iterable[int], limit: int = MAX_FILTER_ITEMS
                ) -> tuple[dict, list[int]]:
    """(the Data Manager filters matching exactly the first ``limit`` runs of
    ``task_ids``, the ids they match)."""
    runs = _runs(task_ids)[:limit]
    items: list[dict] = []
    shown: list[int] = []
    for first, last in runs:
        if first == last:
            items.append({"filter": _ID, "operator": "equal", "type": "Number", "value": first})
        else:
            items.append({"filter": _ID, "operator": "in", "type": "Number",
                          "value": {"min": first, "max": last}})
        shown.extend(range(first, last + 1))
    if not items:  # an empty filter list would show every task: match none instead
        items.append({"filter": _ID, "operator": "equal", "type": "Number", "value": 0})
    return {"conjunction": "or", "items": items}, shown


def _views(studio: Studio, project_id: int) -> list[dict]:
    response = studio.http.get("/api/dm/views/", params={"project": project_id})
    raise_for_status(response, studio.url)
    views = orjson.loads(response.content)
    return [v for v in views if isinstance(v, dict)] if isinstance(views, list) else []


def update_tab(studio: Studio, project_id: int, task_ids: Iterable[int]) -> AdjudicationTab:
    """Create or rewrite the project's ``Adjudicate (N)`` tab to show exactly
    ``task_ids`` (see the module docstring). StudioError when the server refuses."""
    wanted = sorted(set(task_ids))
    filters, shown = tab_filters(wanted)
    title = (f"Adjudicate ({len(shown)})" if len(shown) == len(wanted)
             else f"Adjudicate ({len(shown)} of {len(wanted)})")
    with studio_errors(studio.url, f"updating the adjudication tab of project {project_id}"):
        mine = [v for v in _views(studio, project_id)
                if str((v.get("data") or {}).get("title") or "").startswith(TAB_PREFIX)]
        data = {"title": title, "filters": filters}
        if mine:
            view = min(mine, key=lambda v: v.get("id") or 0)
            old = view.get("data") or {}
            response = studio.http.patch(f"/api/dm/views/{view['id']}/",
                                         json={"project": project_id, "data": {**old, **data}})
            created = False
        else:
            response = studio.http.post("/api/dm/views/",
                                        json={"project": project_id, "data": data})
            created = True
        raise_for_status(response, studio.url)
        view_id = int(orjson.loads(response.content)["id"])
    url = f"{studio.url.rstrip('/')}/projects/{project_id}/data?tab={view_id}"
    return AdjudicationTab(project_id, view_id, title, shown, len(wanted), created, url)


def to_adjudicate(items: Iterable[Any]) -> list[int]:
    """Task ids of the aggregated items an adjudicator has to decide: unresolved (no
    majority, or under the rule dawid_skene below ``annotation.min_confidence``)."""
    from ..review.aggregate import STATUS_UNRESOLVED

    return sorted({item.task_id for item in items
                   if item.status == STATUS_UNRESOLVED and item.task_id is not None})


def adjudicate(schema: Schema, studio: Studio, snapshot: str | Path | None = None, *,
               snapshot_dir: str | Path | None = None,
               ledger_dir: str | Path = DEFAULT_LEDGER_DIR) -> AdjudicationTab:
    """Point the project's ``Adjudicate (N)`` tab at the items ``snapshot`` leaves
    unresolved. Without ``snapshot``: the newest complete snapshot `corpus pull` wrote
    of this server's project (``snapshot_dir``, default exports/<schema>/snapshots).
    The project is the snapshot's (its header's ``project_id``). SnapshotError when
    there is no snapshot or it is of another server's project; StudioError when the
    server refuses."""
    from ..review import review_snapshot
    from ..studio.snapshot import open_snapshot
    from .project import find_project
    from .pull import _known_project_id, latest_snapshot
    from .pull import snapshot_dir as default_dir

    if snapshot is None:
        project_id = find_project(studio, schema, _known_project_id(ledger_dir, studio.url,
                                                                    schema.name))
        if project_id is None:
            raise StudioError(f"Label Studio at {studio.url} has no project for schema "
                              f"{schema.name}; push its tasks first")
        folder = default_dir(schema, snapshot_dir)
        snapshot = latest_snapshot(folder, server=studio.url, project_id=project_id)
        if snapshot is None:
            raise SnapshotError(f"{folder}: no snapshot of project {project_id} at "
                                f"{studio.url}; run corpus pull --schema first")
    snap = open_snapshot(snapshot)
    project_id = snap.header.get("project_id")
    if not isinstance(project_id, int):
        raise SnapshotError(f"{snap.path}: the snapshot names no project (project_id); "
                            "use one written by corpus pull")
    server = snap.header.get("server")
    if isinstance(server, str) and server.rstrip("/") != studio.url.rstrip("/"):
        raise SnapshotError(f"{snap.path}: pulled from {server}, not {studio.url}; "
                            "give the snapshot of this server's project")
    review = review_snapshot(snap, schema, agreement=False)
    # an item validation rejects is fixed in its annotations, not adjudicated (as build)
    tab = update_tab(studio, project_id, [ident for ident in to_adjudicate(review.items or ())
                                          if ident not in review.invalid])
    tab.snapshot = str(snap.path)
    return tab
