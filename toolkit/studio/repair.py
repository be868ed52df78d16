"""Each key exactly once, even when two pushes overlap: detect and repair on the server.

On one machine the ledger's lock (``lock``) keeps pushes of one schema apart. Two
machines pushing to a shared server keep separate ledgers, so both may import the
same keys, or both create the schema's project. The server holds the truth, so a
push repairs there, after the fact:

- **project race** (:func:`settle_project`): right after creating the project, the
  projects carrying the schema's marker are listed again; when there are several,
  the oldest (smallest id) is the project, and the one this push created is
  deleted if it is still empty. Both racers apply the same rule, so they agree.
- **duplicate tasks** (:func:`repair_duplicates`): after its imports, a push counts
  the project's tasks above the highest id its ledger knew before the push (one
  cheap request). When that is more than it read plus it imported, someone else
  imported meanwhile: it lists those tasks' keys and, for every key held by more
  than one task, keeps the tasks that have annotations or drafts, else the oldest,
  and deletes the other copies. A task with an annotation or a draft is never
  deleted: when two copies both have some, both stay and a finding says so.
  The copies of keys the ledger already knew as duplicates (an earlier overlap)
  are repaired the same way. Two pushes repairing at once agree (same rule); a
  copy the other one deleted first answers 404 and is simply gone.

The push that finishes its imports last sees every copy (the other push's imports
were committed before its check), so after both pushes each key is once on the
server. Left open: an annotator who opens a brand-new duplicate in the seconds
between the check of its annotations and its deletion.

Findings: P050 (info) copies removed; P051 (warning) copies kept because more than
one has annotations or drafts; P052 (info) project race settled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import StudioError
from ..report import Finding
from .connection import Studio, raise_for_status, studio_errors
from .ledger import Ledger, server_keys


@dataclass
class Repair:
    """What :func:`repair_duplicates` did."""

    checked: bool = False  # the keys were listed (the count showed other imports)
    removed: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _above(after_id: int) -> dict:
    return {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:id", "operator": "greater", "type": "Number",
         "value": after_id}]}}


def count_above(studio: Studio, project_id: int, after_id: int) -> int:
    """How many tasks of the project have an id above ``after_id`` (one request)."""
    with studio_errors(studio.url, "counting the project's tasks"):
        response = studio.http.get("/api/tasks/", params={
            "project": project_id, "page": 1, "page_size": 1, "fields": "task_only",
            "query": json.dumps(_above(after_id)),
        })
    if response.status_code == 404:  # no page 1: no task
        return 0
    raise_for_status(response, studio.url)
    total = response.json().get("total")
    if not isinstance(total, int):
        raise StudioError(f"Label Studio at {studio.url}: the task list has no total")
    return total


def settle_project(
    studio: Studio,
    created_id: int,
    marked: Callable[[], list[int]],
    say: Callable[[str], None],
) -> tuple[int, Finding | None]:
    """After creating ``created_id``: the project to use when a concurrent push created
    one too (the oldest), deleting ours when it is not that one and still empty."""
    ids = sorted(set(marked()) | {created_id})
    oldest = ids[0]
    if oldest == created_id:
        return created_id, None
    with studio_errors(studio.url, "settling the project"):
        response = studio.http.get(f"/api/projects/{created_id}/")
        raise_for_status(response, studio.url)
        tasks = response.json().get("task_number") or 0
        if not tasks:
            response = studio.http.delete(f"/api/projects/{created_id}/")
            if response.status_code != 404:
                raise_for_status(response, studio.url)
    done = ("deleted it (empty)" if not tasks
            else f"kept it, it already has {tasks} tasks: delete it by hand")
    say(f"Another push created project {oldest} for this schema at the same time: "
        f"using it; project {created_id} made by this push: {done}")
    return oldest, Finding(
        "info" if not tasks else "warning", "P052", f"project {created_id}",
        f"a concurrent push created project {oldest} for the same schema first; "
        f"using project {oldest}", done,
    )


def _copy_state(studio: Studio, task_id: int, key: str) -> tuple[bool, bool] | None:
    """(exists with this key, has annotations or drafts); None when it is gone."""
    response = studio.http.get(f"/api/tasks/{task_id}/")
    if response.status_code == 404:
        return None
    raise_for_status(response, studio.url)
    task = response.json()
    if (task.get("data") or {}).get("corpus_key") != key:
        return None
    worked = bool(task.get("annotations") or task.get("drafts")
                  or task.get("total_annotations") or task.get("cancelled_annotations"))
    return True, worked


def repair_duplicates(
    studio: Studio,
    project_id: int,
    ledger: Ledger,
    *,
    after_id: int,
    expected: int,
    say: Callable[[str], None],
) -> Repair:
    """Delete the extra copies of keys on the server (see the module docstring).

    ``after_id``: the highest task id the ledger knew before this push; ``expected``:
    how many tasks above it this push read or created. The ledger is rewritten to
    name the copies that stay.
    """
    repair = Repair()
    copies: dict[str, set[int]] = {
        key: set(ids) for key, ids in ledger.duplicates.items()
    }
    if count_above(studio, project_id, after_id) != expected:
        repair.checked = True
        seen: dict[str, list[int]] = {}
        for task_id, key in server_keys(studio, project_id, after_id=after_id):
            if key is not None:
                seen.setdefault(key, []).append(task_id)
        for key, ids in seen.items():
            known = ledger.ids.get(key)
            if len(ids) > 1 or (known is not None and known not in ids and known <= after_id):
                copies.setdefault(key, set()).update(ids)
                if known is not None:
                    copies[key].add(known)
            elif known is None or known > after_id:
                ledger.ids[key] = ids[0]  # imported by the other push: now known here
    if not copies:
        if repair.checked:
            ledger.rewrite()
        return repair

    kept_both: list[tuple[str, list[int]]] = []
    with studio_errors(studio.url, "removing duplicate tasks"):
        for key in sorted(copies):
            states = {}
            for task_id in sorted(copies[key]):
                state = _copy_state(studio, task_id, key)
                if state is not None:
                    states[task_id] = state[1]
            if not states:  # every copy gone (deleted by hand meanwhile)
                ledger.ids.pop(key, None)
                ledger.duplicates.pop(key, None)
                continue
            keep = [i for i, worked in sorted(states.items()) if worked] or [min(states)]
            for task_id in sorted(states):
                if task_id in keep:
                    continue
                response = studio.http.delete(f"/api/tasks/{task_id}/")
                if response.status_code != 404:  # 404: a concurrent repair was first
                    raise_for_status(response, studio.url)
                repair.removed.append(task_id)
            ledger.ids[key] = keep[0]
            if len(keep) > 1:
                ledger.duplicates[key] = keep
                kept_both.append((key, keep))
            else:
                ledger.duplicates.pop(key, None)
    ledger.rewrite()
    if repair.removed:
        line = (f"project {project_id} held {len(repair.removed)} extra copies of keys "
                "(two pushes overlapped)")
        say(f"{line}: removed them, kept the oldest copy (or the annotated one) of each")
        repair.findings.append(Finding(
            "info", "P050", f"project {project_id}", line,
            "removed them; kept the oldest copy of each key, or the copies with "
            "annotations or drafts",
        ))
    for key, keep in kept_both:
        repair.findings.append(Finding(
            "warning", "P051", key,
            f"project {project_id} holds this key as tasks {', '.join(map(str, keep))}, "
            "each with annotations or drafts; kept all of them",
            "merge the annotations by hand and delete the extra tasks in Label Studio",
        ))
    return repair
