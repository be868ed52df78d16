"""`corpus adjudicate`: point the project's ``Adjudicate (N)`` tab at the items the newest
snapshot leaves unresolved, and under the rule crowdlab at the likely label errors
whose score is at least ``annotation.label_error_above`` (they stay in the dataset; a
person looks again). The tab itself: toolkit.studio.adjudicate."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import SnapshotError, StudioError
from ..model.votes import baseline_votes
from ..paths import DEFAULT_LEDGER_DIR
from ..provenance import Status
from ..review import review_snapshot
from ..schema import Schema
from ..studio.adjudicate import AdjudicationTab, update_tab
from ..studio.connection import Studio
from ..studio.project import find_project
from ..studio.pull import known_project_id, latest_snapshot
from ..studio.pull import snapshot_dir as default_dir
from ..studio.snapshot import OnProgress, Snapshot, open_snapshot

__all__ = ["adjudicate", "label_error_reasons", "tasks_to_decide", "to_adjudicate"]


def to_adjudicate(items: Iterable[Any]) -> list[int]:
    """Task ids of the aggregated items an adjudicator has to decide: unresolved (no
    majority, or under the rule dawid_skene below ``annotation.min_confidence``)."""
    return sorted({item.task_id for item in items
                   if item.status == Status.UNRESOLVED and item.task_id is not None})


def _unresolved_id(item: Any) -> int | None:
    """What the read keeps of an aggregated item: its task id when an adjudicator has to
    decide it (as :func:`to_adjudicate`), else None."""
    return item.task_id if item.status == Status.UNRESOLVED else None


def label_error_reasons(likely_errors: Iterable[dict], schema: Schema,
                        invalid: Any = ()) -> dict[int, str]:
    """Task id -> the reason, of the likely label errors (``ReviewResult.likely_errors``,
    rule crowdlab) scored at least ``annotation.label_error_above`` (none when unset);
    items validation rejects are left out (fixed in their annotations, as build does)."""
    above = schema.annotation.label_error_above
    out: dict[int, str] = {}
    if above is None:
        return out
    for row in likely_errors:
        task = row.get("task_id")
        if row["score"] < above or not isinstance(task, int) or task in invalid:
            continue
        reason = (f"likely label error: {row['question']} is {row['label']!s}, the model "
                  f"says {row['model_label']!s} (score {row['score']:.2f})")
        out[task] = f"{out[task]}; {reason}" if task in out else reason
    return out


def tasks_to_decide(snapshot: str | Path | Snapshot, schema: Schema, *,
                    on_progress: OnProgress | None = None) -> tuple[list[int], dict[int, str]]:
    """The task ids the tab shows (the unresolved items validation does not reject, then
    the likely label errors) and the reasons of the latter, from one read of
    ``snapshot`` that keeps only the unresolved items' ids (bounded memory, except
    under a rule that decides all items at once, which holds them)."""
    review = review_snapshot(snapshot, schema, agreement=False, model_votes=baseline_votes,
                             item=_unresolved_id, on_progress=on_progress,
                             keep_findings=False)  # only which tasks are invalid is used
    # an item validation rejects is fixed in its annotations, not adjudicated (as build)
    reasons = label_error_reasons(review.likely_errors, schema, review.invalid)
    unresolved = sorted({ident for ident in review.items or () if ident is not None})
    return [ident for ident in unresolved if ident not in review.invalid] + list(reasons), \
        reasons


def adjudicate(schema: Schema, studio: Studio, snapshot: str | Path | None = None, *,
               snapshot_dir: str | Path | None = None,
               ledger_dir: str | Path = DEFAULT_LEDGER_DIR,
               on_progress: OnProgress | None = None) -> AdjudicationTab:
    """Point the project's ``Adjudicate (N)`` tab at the items ``snapshot`` leaves
    unresolved. Without ``snapshot``: the newest complete snapshot `corpus pull` wrote
    of this server's project (``snapshot_dir``, default exports/<schema>/snapshots).
    The project is the snapshot's (its header's ``project_id``). SnapshotError when
    there is no snapshot or it is of another server's project; StudioError when the
    server refuses. ``on_progress(done, total)``: the snapshot's tasks read, for a bar
    (:func:`tasks_to_decide`)."""
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
    task_ids, reasons = tasks_to_decide(snap, schema, on_progress=on_progress)
    tab = update_tab(studio, project_id, task_ids, reasons=reasons)
    tab.snapshot = str(snap.path)
    return tab
