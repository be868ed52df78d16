"""More answers for chosen tasks: a task's own overlap, the lever the stream respects.

Label Studio keeps, beside the project's ``maximum_annotations``, an ``overlap`` on each
task; a task is finished (``is_labeled``) once it has that many annotations, and the
stream serves only unfinished tasks. Read in the 1.23.2 source
(projects/functions/next_task.py) and checked by tests/test_suggest_integration.py: a
task whose overlap is raised above its annotation count is served again, and it comes
before every task imported after it: under "Sequential sampling" by its lower id, and
when the project's overlap is above 1, first of all ("breadth first": the unfinished
tasks with the most annotations are served before the others). ``PATCH
/api/tasks/<id>/`` accepts ``overlap`` and ``is_labeled`` (the task API does not
recompute ``is_labeled`` itself, so both are sent).

Changing the project's ``maximum_annotations`` later (the schema's ``overlap``) resets
the raised tasks to the new value; the next `corpus push --slice` raises them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from .connection import Studio, raise_for_status, studio_errors

__all__ = ["Reopened", "reopen"]


@dataclass
class Reopened:
    """What :func:`reopen` did: task ids whose overlap it raised, or left (already
    high enough), or could not find (deleted on the server)."""

    raised: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


def reopen(studio: Studio, wanted: Mapping[int, int]) -> Reopened:
    """Raise each task's overlap to ``wanted[task id]`` (the number of answers it should
    get) where it is lower, marking it unfinished so the stream serves it again.
    Idempotent: a task already at or above its wanted overlap is left as it is."""
    done = Reopened()
    with studio_errors(studio.url, "raising the overlap of tasks"):
        for task_id, overlap in sorted(wanted.items()):
            response = studio.http.get(f"/api/tasks/{task_id}/")
            if response.status_code == 404:
                done.missing.append(task_id)
                continue
            raise_for_status(response, studio.url)
            task = orjson.loads(response.content)
            if int(task.get("overlap") or 1) >= overlap:
                done.already.append(task_id)
                continue
            answered = int(task.get("total_annotations") or 0)
            response = studio.http.patch(f"/api/tasks/{task_id}/", json={
                "overlap": overlap, "is_labeled": answered >= overlap})
            raise_for_status(response, studio.url)
            done.raised.append(task_id)
    return done
