"""`corpus adjudicate`: point the project's ``Adjudicate (N)`` tab at the items the newest
snapshot leaves unresolved (the tab itself: toolkit.studio.adjudicate)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import SnapshotError, StudioError
from ..paths import DEFAULT_LEDGER_DIR
from ..provenance import Status
from ..review import review_snapshot
from ..schema import Schema
from ..studio.adjudicate import AdjudicationTab, update_tab
from ..studio.connection import Studio
from ..studio.project import find_project
from ..studio.pull import known_project_id, latest_snapshot
from ..studio.pull import snapshot_dir as default_dir
from ..studio.snapshot import open_snapshot

__all__ = ["adjudicate", "to_adjudicate"]


def to_adjudicate(items: Iterable[Any]) -> list[int]:
    """Task ids of the aggregated items an adjudicator has to decide: unresolved (no
    majority, or under the rule dawid_skene below ``annotation.min_confidence``)."""
    return sorted({item.task_id for item in items
                   if item.status == Status.UNRESOLVED and item.task_id is not None})


def adjudicate(schema: Schema, studio: Studio, snapshot: str | Path | None = None, *,
               snapshot_dir: str | Path | None = None,
               ledger_dir: str | Path = DEFAULT_LEDGER_DIR) -> AdjudicationTab:
    """Point the project's ``Adjudicate (N)`` tab at the items ``snapshot`` leaves
    unresolved. Without ``snapshot``: the newest complete snapshot `corpus pull` wrote
    of this server's project (``snapshot_dir``, default exports/<schema>/snapshots).
    The project is the snapshot's (its header's ``project_id``). SnapshotError when
    there is no snapshot or it is of another server's project; StudioError when the
    server refuses."""
    if snapshot is None:
        project_id = find_project(studio, schema, known_project_id(ledger_dir, studio.url,
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
