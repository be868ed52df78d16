"""The ``Next up (N)`` tab: the open tasks with a suggestion, least confident first.

For leads, not for the stream: "Label All Tasks" ignores tabs (GUIDE), the order
annotators get is decided by push's slices (toolkit.studio.order). The tab shows the
tasks ``corpus suggest`` left with a current suggestion and not finished, ordered by
the Data Manager's ``tasks:predictions_score`` (ascending: the average score of the
project's current model version), the same order :func:`toolkit.studio.order.
priority_order` gives. Its filter is the list of task ids, written as the
adjudication tab writes it (toolkit.studio.adjudicate.tab_filters); each run rewrites
it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from .adjudicate import tab_filters
from .connection import Studio, raise_for_status, studio_errors

__all__ = ["NEXT_UP_PREFIX", "NextUpTab", "update_next_up_tab"]

NEXT_UP_PREFIX = "Next up ("
ORDERING = ["tasks:predictions_score"]


@dataclass
class NextUpTab:
    """The tab as a run left it."""

    project_id: int
    view_id: int
    title: str
    task_ids: list[int]  # the tasks it shows (its filter), ascending by id
    total: int  # the open tasks with a suggestion (more than shown past the filter's limit)
    created: bool
    url: str  # the project's data page with the tab open


def update_next_up_tab(studio: Studio, project_id: int, task_ids: Iterable[int]) -> NextUpTab:
    """Create or rewrite the project's ``Next up (N)`` tab to show ``task_ids``, ordered
    by prediction score. StudioError when the server refuses."""
    wanted = sorted(set(task_ids))
    filters, shown = tab_filters(wanted)
    title = (f"Next up ({len(shown)})" if len(shown) == len(wanted)
             else f"Next up ({len(shown)} of {len(wanted)})")
    data = {"title": title, "filters": filters, "ordering": ORDERING}
    with studio_errors(studio.url, f"updating the Next up tab of project {project_id}"):
        response = studio.http.get("/api/dm/views/", params={"project": project_id})
        raise_for_status(response, studio.url)
        views = orjson.loads(response.content)
        mine = [v for v in views if isinstance(v, dict)
                and str((v.get("data") or {}).get("title") or "").startswith(NEXT_UP_PREFIX)]
        if mine:
            view = min(mine, key=lambda v: v.get("id") or 0)
            response = studio.http.patch(
                f"/api/dm/views/{view['id']}/",
                json={"project": project_id, "data": {**(view.get("data") or {}), **data}})
        else:
            response = studio.http.post("/api/dm/views/",
                                        json={"project": project_id, "data": data})
        raise_for_status(response, studio.url)
        view_id = int(orjson.loads(response.content)["id"])
    url = f"{studio.url.rstrip('/')}/projects/{project_id}/data?tab={view_id}"
    return NextUpTab(project_id, view_id, title, shown, len(wanted), not mine, url)
