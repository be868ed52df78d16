"""The adjudication tab: a Data Manager tab of the schema's project that shows exactly
the items an adjudicator has to decide (`corpus adjudicate`, and `corpus sync`; which
items is toolkit.workflows.adjudicate's business, this module only writes the tab).

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
from dataclasses import dataclass, field

import orjson

from .connection import Studio, raise_for_status, studio_errors

__all__ = ["MAX_FILTER_ITEMS", "TAB_PREFIX", "AdjudicationTab", "tab_filters", "update_tab"]

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
    #: task id -> why it is there, where it is not the usual "unresolved" (a likely
    #: label error under the rule crowdlab); the CLI prints them
    reasons: dict[int, str] = field(default_factory=dict)

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


def update_tab(studio: Studio, project_id: int, task_ids: Iterable[int], *,
               reasons: dict[int, str] | None = None) -> AdjudicationTab:
    """Create or rewrite the project's ``Adjudicate (N)`` tab to show exactly
    ``task_ids`` (see the module docstring); ``reasons``: task id -> why, where not
    "unresolved" (kept on the result). StudioError when the server refuses."""
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
    return AdjudicationTab(project_id, view_id, title, shown, len(wanted), created, url,
                           reasons={i: r for i, r in (reasons or {}).items() if i in wanted})
