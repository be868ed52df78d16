"""A schema's project in Label Studio: finding it again, and keeping its settings in line.

Push creates one project per schema and server, and marks it with ``MARKER`` in its
description; push and pull find it by that marker (``find_project``). The project's
label config, instructions and overlap follow the schema (``sync_project``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from ..errors import StudioError
from ..schema import Schema
from .connection import Studio, raise_for_status, studio_errors
from .labelconfig import instructions_html, label_config

__all__ = [
    "MARKER",
    "find_project",
    "marked_projects",
    "project_description",
    "project_title",
    "sync_project",
]

MARKER = "[corpus-toolkit:{name}]"


def project_title(schema: Schema) -> str:
    """The project's title: the schema's title (Label Studio allows 3..50 characters)."""
    title = schema.title.strip() or schema.name
    if len(title) > 50:
        title = title[:49].rstrip() + "…"
    return title if len(title) >= 3 else f"{title} ({schema.name})"


def project_description(schema: Schema) -> str:
    """Says where the project came from; the marker lets push find it again."""
    return (
        f"Created by corpus-toolkit from schema {schema.name} v{schema.version} "
        f"({schema.content_hash}). {MARKER.format(name=schema.name)}"
    )


def _settings(schema: Schema) -> dict:
    return {
        "label_config": label_config(schema),
        "expert_instruction": instructions_html(schema),
        "show_instruction": True,
        "maximum_annotations": schema.annotation.overlap,
        "description": project_description(schema),
    }


def _list_projects(studio: Studio) -> Iterator[dict]:
    """Every project's id, title and description (``include`` skips the costly counts)."""
    page = 1
    while True:
        response = studio.http.get(
            "/api/projects/",
            params={"page": page, "page_size": 100, "include": "id,title,description"},
        )
        if response.status_code == 404:
            return
        raise_for_status(response, studio.url)
        body = response.json()
        items = body.get("results", []) if isinstance(body, dict) else body
        yield from items
        if not isinstance(body, dict) or not body.get("next"):
            return
        page += 1


def marked_projects(studio: Studio, schema: Schema) -> list[int]:
    """The ids of every project that carries this schema's marker (normally one; two
    right after two pushes raced to create it: see studio.repair.settle_project)."""
    with studio_errors(studio.url, "listing projects"):
        return _marked(studio, MARKER.format(name=schema.name))


def _marked(studio: Studio, marker: str) -> list[int]:
    return [p["id"] for p in _list_projects(studio) if marker in (p.get("description") or "")]


# Several marked projects may be a race in progress (pushes from other machines creating
# theirs, each deleting its own once it sees an older one): list again this many times,
# this many seconds apart, before deciding.
RELIST = 3
RELIST_SECONDS = 1.0


def find_project(studio: Studio, schema: Schema, known_id: int | None = None) -> int | None:
    """The id of the project push made for this schema on this server, or None.

    Several carry the marker: while they change, another push is racing this one (asked
    again, then :class:`StudioError` "run it again"); the oldest is used when the others
    are empty (the rule of ``repair.settle_project``, which racing pushes follow too); a
    newer one holding tasks is an error naming each project's task count.
    """
    marker = MARKER.format(name=schema.name)
    with studio_errors(studio.url, "finding the project"):
        if known_id is not None:
            response = studio.http.get(f"/api/projects/{known_id}/")
            if response.status_code == 200 and marker in (response.json().get("description") or ""):
                return known_id
        found = _marked(studio, marker)
        changed = False
        for _ in range(RELIST if len(found) > 1 else 0):
            time.sleep(RELIST_SECONDS)
            again = _marked(studio, marker)
            changed = changed or set(again) != set(found)
            found = again
            if len(found) <= 1:
                break
        if len(found) <= 1:
            return found[0] if found else None
        counts = {project: _task_count(studio, project) for project in sorted(found)}
    return _choose(studio, schema, counts, changed)


def _task_count(studio: Studio, project_id: int) -> int | None:
    """The project's number of tasks; None when it is gone."""
    response = studio.http.get(f"/api/projects/{project_id}/")
    if response.status_code == 404:
        return None
    raise_for_status(response, studio.url)
    return int(response.json().get("task_number") or 0)


def _choose(studio: Studio, schema: Schema, counts: dict[int, int | None], changed: bool) -> int:
    """The project among several marked ones (see find_project), or StudioError."""
    alive = {project: n for project, n in counts.items() if n is not None}
    oldest = min(alive) if alive else min(counts)
    if alive and not any(n for project, n in alive.items() if project != oldest):
        return oldest  # the newer ones are empty: made by a race, never used
    if len(alive) < len(counts) or changed:
        raise StudioError(
            f"another push raced this one: the projects made for schema {schema.name} on "
            f"{studio.url} changed while this push looked for its own (ids "
            f"{', '.join(map(str, sorted(counts)))}); nothing was pushed: run it again"
        )
    shown = ", ".join(f"{project} ({n} tasks)" for project, n in sorted(alive.items()))
    marker = MARKER.format(name=schema.name)
    raise StudioError(
        f"Label Studio at {studio.url} has {len(alive)} projects made for schema "
        f"{schema.name} holding tasks: {shown}; push uses the oldest, {oldest}: move what "
        f"is annotated in the others there, then remove '{marker}' from their description "
        "(or delete them)"
    )


def sync_project(studio: Studio, schema: Schema, project_id: int | None
                 ) -> tuple[int, bool, list]:
    """Create the project, or update what differs from the schema. Returns
    (project id, created?, names of updated settings)."""
    wanted = _settings(schema)
    title = project_title(schema)
    if project_id is None:
        with studio_errors(studio.url, "creating the project"):
            project = studio.client.projects.create(title=title, **wanted)
        assert project.id is not None  # the server numbers what it creates
        return project.id, True, []
    response = studio.http.get(f"/api/projects/{project_id}/")
    raise_for_status(response, studio.url)
    current = response.json()
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changed:
        return project_id, False, []
    response = studio.http.patch(f"/api/projects/{project_id}/", json=changed)
    if response.status_code == 400 and "label_config" in changed:
        detail = response.json() if response.headers.get("content-type", "").startswith(
            "application/json") else response.text
        if isinstance(detail, dict):
            detail = detail.get("validation_errors", detail.get("detail", detail))
        text = " ".join(str(detail).split())[:300]
        raise StudioError(
            f"Label Studio refused schema {schema.name} v{schema.version}'s label config for "
            f"project {project_id}: existing annotations use what the new schema removes "
            f"({text}); keep the old labels/questions or start a new project"
        )
    raise_for_status(response, studio.url)
    return project_id, False, sorted(changed)
