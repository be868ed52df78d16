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
  copy the other one deleted first is simply gone. The copies' annotations and
  drafts are read through the export (chunks of ids; like every export it leaves
  a file in the server's export folder), deletions go through the Data Manager's
  bulk ``delete_tasks`` action.

The push that finishes its imports last sees every copy (the other push's imports
were committed before its check), so after both pushes each key is once on the
server. Left open: an annotator who opens a brand-new duplicate in the seconds
between the check of its annotations and its deletion.

Findings: P050 (info) copies removed; P051 (warning) copies kept because more than
one has annotations or drafts; P052 (info) project race settled.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from ..errors import StudioError
from ..findings import Finding
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


SETTLE_SECONDS = 1.0  # see settle_project


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
    # A project another push created at the same time may not be listed yet: its id
    # (given when its row was inserted) can be lower than ours while its transaction
    # commits after our first listing. Listing again a moment later (once, right after
    # creating a project: a rare event) lets both pushes see both projects.
    seen = set(marked()) | {created_id}
    time.sleep(SETTLE_SECONDS)
    ids = sorted(seen | set(marked()))
    oldest = ids[0]
    if oldest == created_id:
        return created_id, None
    with studio_errors(studio.url, "settling the project"):
        response = studio.http.get(f"/api/projects/{created_id}/")
        gone = response.status_code == 404  # a third push's drop_empty_newer was quicker
        if not gone:
            raise_for_status(response, studio.url)
        tasks = 0 if gone else response.json().get("task_number") or 0
        if not tasks and not gone:
            response = studio.http.delete(f"/api/projects/{created_id}/")
            if response.status_code != 404:
                raise_for_status(response, studio.url)
    done = ("another push deleted it (empty)" if gone else "deleted it (empty)" if not tasks
            else f"kept it, it already has {tasks} tasks: delete it by hand")
    say(f"Another push created project {oldest} for this schema at the same time: "
        f"using it; project {created_id} made by this push: {done}")
    return oldest, Finding(
        "warning", "P052", f"project {created_id}",
        f"a concurrent push created project {oldest} for the same schema first; "
        f"using project {oldest}", done,
    )



def drop_empty_newer(studio: Studio, project_id: int, marked: Callable[[], list[int]],
                     say: Callable[[str], None]) -> list[int]:
    """After a push that created a project has imported into ``project_id`` (the oldest
    it saw): delete the schema's newer projects that are still empty. Under load a
    concurrent create can be listed too late for :func:`settle_project`, or Label Studio
    can leave an extra project behind a create it retried; both pushes then settle on
    the oldest, and the empty rest goes here. Returns the ids deleted."""
    dropped = []
    with studio_errors(studio.url, "removing empty duplicate projects"):
        for other in sorted(set(marked()) - {project_id}):
            if other < project_id:
                continue  # an older project is never ours to remove
            response = studio.http.get(f"/api/projects/{other}/")
            if response.status_code == 404:
                continue
            raise_for_status(response, studio.url)
            if response.json().get("task_number"):
                continue
            response = studio.http.delete(f"/api/projects/{other}/")
            if response.status_code != 404:
                raise_for_status(response, studio.url)
            dropped.append(other)
    if dropped:
        say(f"Removed empty project(s) {', '.join(map(str, dropped))} made for this schema "
            f"at the same time; project {project_id} holds its tasks")
    return dropped

CHUNK = 200  # task ids per export / delete request (gunicorn caps a URL at 4094 bytes)


def _copies_state(studio: Studio, project_id: int, ids: list[int]) -> dict[int, tuple]:
    """task id -> (corpus_key, has annotations or drafts) for those of ``ids`` that
    still exist, read through the export (which, unlike the task list, shows drafts)."""
    out: dict[int, tuple] = {}
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        target = (f"/api/projects/{project_id}/export?exportType=JSON&download_all_tasks=true"
                  + "".join(f"&ids[]={task_id}" for task_id in ids[start:start + CHUNK]))
        response = studio.http.get(target)
        raise_for_status(response, studio.url)
        for task in orjson.loads(response.content):
            key = (task.get("data") or {}).get("corpus_key")
            out[int(task["id"])] = (key, bool(task.get("annotations") or task.get("drafts")))
    return out


def _delete(studio: Studio, project_id: int, ids: list[int]) -> None:
    """Delete tasks of the project (the Data Manager's bulk action; gone ones are ignored)."""
    for start in range(0, len(ids), CHUNK):
        response = studio.http.post(
            "/api/dm/actions", params={"id": "delete_tasks", "project": project_id},
            json={"selectedItems": {"all": False, "included": ids[start:start + CHUNK]}},
        )
        raise_for_status(response, studio.url)


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
        states = _copies_state(studio, project_id, sorted(set().union(*copies.values())))
        doomed: list[int] = []
        for key in sorted(copies):
            alive = {i: states[i][1] for i in sorted(copies[key])
                     if i in states and states[i][0] == key}
            if not alive:  # every copy gone (deleted by hand meanwhile)
                ledger.ids.pop(key, None)
                ledger.duplicates.pop(key, None)
                continue
            keep = [i for i, worked in alive.items() if worked] or [min(alive)]
            doomed.extend(i for i in alive if i not in keep)
            ledger.ids[key] = keep[0]
            if len(keep) > 1:
                ledger.duplicates[key] = keep
                kept_both.append((key, keep))
            else:
                ledger.duplicates.pop(key, None)
        _delete(studio, project_id, doomed)
        repair.removed = doomed
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
