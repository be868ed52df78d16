"""`corpus suggest`: a model's predictions as suggestions on tasks already on the server.

Each prediction (the ``--predictions`` JSONL: corpus_key, model_version, score, result)
goes to the task the push ledger maps its key to, as a Label Studio prediction with
its ``model_version`` and ``score``; the labeling UI then shows it pre-filled. Results
of questions with suggestions off are left out (toolkit.studio.predictions).

Idempotent: a task that already holds a prediction of the same ``model_version`` gets
nothing (the project's predictions are read first, one request). A new model version
adds its predictions beside the old ones, and the project is pointed at it, so
annotators see the newest model; the old predictions stay on their tasks, hidden
(toolkit.studio.predictions explains why). Skipped, and counted: keys the ledger does
not map to a task (not pushed yet), and tasks already finished (``is_labeled``: they
have their overlap's answers and the stream serves them no more).

Predictions are created in batches through ``POST /api/projects/<id>/import/predictions``
(one request per :data:`BATCH` predictions instead of one each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..errors import StudioError
from ..paths import DEFAULT_LEDGER_DIR
from ..schema import Schema
from .connection import Studio, raise_for_status, studio_errors
from .ledger import Ledger, ledger_path
from .lock import DEFAULT_LOCK_TIMEOUT, ledger_lock
from .predictions import show_model_version, suggested
from .project import find_project
from .push import read_predictions

__all__ = ["BATCH", "SuggestResult", "attach_suggestions", "finished_tasks"]

BATCH = 1000
_PAGE = 1000


@dataclass
class SuggestResult:
    """What :func:`attach_suggestions` did, prediction by prediction (a key may carry
    several predictions, one per model version)."""

    project_id: int
    attached: int = 0  # predictions created
    already: int = 0  # the task holds a prediction of that model version already
    not_on_server: int = 0  # the ledger maps the key to no task (not pushed yet)
    decided: int = 0  # the task is finished (is_labeled): no suggestion needed
    emptied: int = 0  # keys whose predictions only answered questions with suggest off
    results_off: int = 0  # result items left out (their question has suggest off)
    results_unknown: int = 0  # result items naming no question of the schema
    off_questions: list[str] = field(default_factory=list)
    model_version: str | None = None  # the version the labeling UI pre-fills from now
    version_changed: bool = False  # the project showed another version before
    #: task id -> score of its current suggestion, for the open tasks that have one
    #: (the Next up tab's tasks); score None when the prediction gave none
    open_tasks: dict[int, float | None] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return self.already + self.not_on_server + self.decided


def attach_suggestions(
    schema: Schema,
    studio: Studio,
    predictions_path: Path | str,
    *,
    ledger_dir: Path | str = DEFAULT_LEDGER_DIR,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    say: Callable[[str], None] | None = None,
) -> SuggestResult:
    """Attach the file's predictions to the schema's tasks on the server (see the module
    docstring). StudioError when the server has no project for the schema."""
    filtered = suggested(schema, read_predictions(Path(predictions_path)))
    path = ledger_path(ledger_dir, studio.url, schema.name)
    with studio_errors(studio.url, "attaching suggestions"):
        with ledger_lock(path, timeout=lock_timeout, say=say):
            ledger = Ledger.load(path, studio.url, schema.name)
            project_id = find_project(studio, schema, ledger.project_id)
            if project_id is None:
                raise StudioError(f"Label Studio at {studio.url} has no project for schema "
                                  f"{schema.name}; push its tasks first (corpus push)")
            # tasks pushed from elsewhere (or a ledger of another project): read them first
            ledger.rebuild(studio, project_id, incremental=ledger.project_id == project_id)
        result = SuggestResult(project_id, emptied=len(filtered.emptied),
                               results_off=filtered.results_off,
                               results_unknown=filtered.results_unknown,
                               off_questions=filtered.off_questions)
        have = existing_versions(studio, project_id)
        finished = finished_tasks(studio, project_id)
        todo: list[dict] = []
        latest: str | None = None
        for key, items in filtered.predictions.items():
            task_id = ledger.ids.get(key)
            for prediction in items:
                version = prediction["model_version"]
                if task_id is None:
                    result.not_on_server += 1
                elif task_id in finished:
                    result.decided += 1
                elif version in have.get(task_id, ()):
                    result.already += 1
                else:
                    todo.append({"task": task_id, **prediction})
                    have.setdefault(task_id, set()).add(version)
                latest = version
        for start in range(0, len(todo), BATCH):
            response = studio.http.post(
                f"/api/projects/{project_id}/import/predictions",
                content=orjson.dumps(todo[start:start + BATCH]),
                headers={"Content-Type": "application/json"})
            raise_for_status(response, studio.url)
            result.attached += len(todo[start:start + BATCH])
        if latest is not None and (result.attached or result.already):
            result.model_version = latest
            result.version_changed = show_model_version(studio, project_id, latest)
        if result.model_version is not None:
            result.open_tasks = {
                task_id: score for task_id, score in current_scores(
                    studio, project_id, result.model_version) if task_id not in finished}
    return result


def existing_versions(studio: Studio, project_id: int) -> dict[int, set[str]]:
    """task id -> the model versions of its predictions (one listing of the project's)."""
    out: dict[int, set[str]] = {}
    for task_id, version, _score in _predictions(studio, project_id):
        out.setdefault(task_id, set()).add(version)
    return out


def current_scores(studio: Studio, project_id: int, version: str
                   ) -> Iterator[tuple[int, float | None]]:
    """(task id, score) of the project's predictions of ``version``."""
    for task_id, got, score in _predictions(studio, project_id):
        if got == version:
            yield task_id, score


def _predictions(studio: Studio, project_id: int) -> Iterator[tuple[int, str, float | None]]:
    response = studio.http.get("/api/predictions/", params={"project": project_id})
    raise_for_status(response, studio.url)
    body = orjson.loads(response.content)
    for prediction in body if isinstance(body, list) else []:
        task = prediction.get("task")
        if isinstance(task, int):
            score = prediction.get("score")
            yield task, str(prediction.get("model_version") or ""), \
                float(score) if score is not None else None


def finished_tasks(studio: Studio, project_id: int) -> set[int]:
    """Ids of the project's finished tasks (``is_labeled``): only tasks with an
    annotation are read (a Data Manager filter), so an unannotated project costs one
    request."""
    query = {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:total_annotations", "operator": "greater", "type": "Number",
         "value": 0}]}}
    done: set[int] = set()
    page = 1
    while True:
        response = studio.http.get("/api/tasks/", params={
            "project": project_id, "page": page, "page_size": _PAGE, "fields": "task_only",
            "query": orjson.dumps(query).decode()})
        if response.status_code == 404:  # past the last page
            return done
        raise_for_status(response, studio.url)
        body = orjson.loads(response.content)
        tasks = body.get("tasks") if isinstance(body, dict) else body
        for task in tasks or ():
            if task.get("is_labeled"):
                done.add(int(task["id"]))
        if not tasks or len(tasks) < _PAGE:
            return done
        page += 1
