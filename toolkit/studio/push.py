"""`corpus push`: a schema's project in Label Studio, and the corpus's new units as tasks.

Steps: find or create the project (``find_project``), bring its label config,
instructions and overlap up to date (``sync_project``), reconcile the ledger with
the server when it may be stale, then import only the keys the ledger does not
hold, in batches, recording each batch's task ids (see ``ledger``). Nothing is
dropped without a record: every unit is created, already present, or skipped
with a Finding that says why.

Imports go through the raw endpoint ``POST /api/projects/<id>/import`` with an
orjson body (the SDK's ``import_tasks`` serialises through pydantic and is slower);
the answer's ``task_ids`` come back in the order of the request.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..corpus import iter_jsonl, read_corpus
from ..errors import InputError, Interrupted, SetupError, StudioError
from ..findings import Finding
from ..ingest.near_duplicates import copies_not_pushed
from ..paths import DEFAULT_LEDGER_DIR, default_tasks_file, replacing
from ..schema import Schema
from ..selection import Design, Sample, design_of, manifest_path, select, write_manifest
from ..tasks import tasks_from_corpus
from . import repair
from .connection import Studio, raise_for_status, resolve, safe_url, studio_errors
from .ledger import Ledger, ledger_path
from .lock import DEFAULT_LOCK_TIMEOUT, ledger_lock
from .predictions import show_model_version, suggested
from .project import find_project, marked_projects, project_title, sync_project

DEFAULT_BATCH_SIZE = 1000
# Test hook: exit abruptly right after the N-th import returned, before its ids reach
# the ledger -- the worst moment to be killed (tests/test_push.py uses it).
INTERRUPT_ENV = "CORPUS_PUSH_EXIT_AFTER_IMPORTS"
# Test hook: sleep this many seconds before creating the project and before each import,
# so that two pushes started together overlap (tests/test_push_concurrent.py uses it).
DELAY_ENV = "CORPUS_PUSH_TEST_DELAY"


@dataclass
class PushResult:
    """What a push did; ``skipped`` holds one Finding per unit not imported on purpose."""

    project_id: int | None = None
    project_title: str = ""
    project_created: bool = False
    settings_updated: list[str] = field(default_factory=list)
    created: int = 0
    already_present: int = 0
    predictions_attached: int = 0
    reconciled: int | None = None  # tasks read from the server to rebuild the ledger
    duplicates_removed: int = 0  # extra copies deleted after overlapping pushes (repair)
    skipped: list[Finding] = field(default_factory=list)
    dry_run_path: Path | None = None
    copies_not_pushed: int = 0  # near-duplicate copies left to their first comment's labels
    # tasks this push imported that a concurrent push had imported too, removed by the
    # repair: not counted in ``created``
    raced_copies: int = 0
    unit: str = "unit"  # the schema's unit: comment or article
    units: int = 0  # units of the corpus under the schema, each counted once below
    twice: int = 0  # units the corpus holds again under a key already read (P001)
    # a budget (schema `selection` or --budget): the sample, units left out of it, and
    # where its frame is recorded
    sample: Sample | None = None
    not_sampled: int = 0
    manifest: Path | None = None
    later: int = 0  # new units left for a later slice (``limit``)
    suggestions_off: int = 0  # prediction results left out: their question has suggest off
    model_version: str | None = None  # the version the labeling UI now pre-fills from

    def accounted(self) -> list[tuple[int, str]]:
        """Where each of the corpus's ``units`` went: (count, what), adding up to ``units``
        (predictions and findings about the project are not units)."""
        parts = [(self.created, "created"), (self.already_present, "already present")]
        if self.raced_copies:
            parts.append((self.raced_copies, "imported by another push at the same time"))
        parts.append((self.twice, "skipped (in the corpus twice)"))
        if self.later:
            parts.append((self.later, "left for later slices"))
        if self.copies_not_pushed:
            parts.append((self.copies_not_pushed, "near-duplicate copies not pushed"))
        if self.sample is not None:
            parts.append((self.not_sampled, "not in the sample"))
        return parts


def read_predictions(path: Path) -> dict[str, list[dict]]:
    """JSONL of {corpus_key, model_version, score?, result} -> key -> LS predictions."""
    out: dict[str, list[dict]] = {}
    shape = "each line is one {corpus_key, model_version, score?, result}"
    for number, record in iter_jsonl(path, what="predictions file", hint=shape):
        try:
            key = record["corpus_key"]
            prediction = {"model_version": str(record["model_version"]),
                          "result": record["result"]}
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"{path}:{number}: not a prediction (need corpus_key, model_version, "
                f"result): {exc}"
            ) from exc
        if not isinstance(prediction["result"], list):
            raise InputError(f"{path}:{number}: result must be a list of Label Studio results")
        score = record.get("score")
        if score is not None:
            try:
                prediction["score"] = float(score)
            except (TypeError, ValueError) as exc:
                raise InputError(
                    f"{path}:{number}: score {score!r} is not a number; give a number "
                    "(e.g. 0.87) or leave score out"
                ) from exc
        out.setdefault(key, []).append(prediction)
    return out


def _interrupt_after() -> int | None:
    value = os.environ.get(INTERRUPT_ENV)
    return int(value) if value else None


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _without_copies(schema: Schema, corpus_path: Path | str, result: PushResult,
                    *, sampled: bool = False) -> Iterator[dict]:
    """The corpus's tasks minus the near-duplicate copies the schema annotates once
    (``annotation.near_duplicates``; with a sample, no copy: a sample holds one comment
    per cluster); says how many and why in ``result``."""
    tasks = tasks_from_corpus(schema, corpus_path)
    policy = "annotate_once" if sampled else schema.annotation.near_duplicates
    if schema.unit != "comment" or policy == "annotate_each":  # every copy is pushed
        return tasks
    skip = copies_not_pushed(policy, read_corpus(Path(corpus_path)))
    if not skip:
        return tasks
    result.copies_not_pushed = len(skip)
    result.units += len(skip)
    where = "under the same article as their first comment" if policy == "once_per_article" \
        else "anywhere"
    result.skipped.append(Finding(
        "info", "P060", str(corpus_path),
        f"{len(skip)} near-duplicate copies {where} not pushed ("
        + ("a sample holds one comment per cluster)" if sampled else
           f"annotation.near_duplicates: {policy}); their answer cannot differ from their "
           "first comment's"),
        "the build gives each its first comment's labels, marked duplicate_of",
    ))
    return (task for task in tasks if task["unit_id"] not in skip)


def _sampled(
    schema: Schema,
    corpus_path: Path | str,
    design: Design | None,
    ledger_ids: dict[str, int],
    result: PushResult,
    manifest_at: Path,
) -> Iterator[dict]:
    """The tasks to consider: every unit's without a design; with one, those of the units
    the sample chooses (and those already pushed), its frame recorded at ``manifest_at``."""
    if design is None:
        return _without_copies(schema, corpus_path, result)
    prefix = f"{schema.name}:"
    pushed = {key[len(prefix):] for key in ledger_ids if key.startswith(prefix)}
    sample = result.sample = select(corpus_path, design, pushed)
    result.manifest = write_manifest(manifest_at, sample, schema, corpus_path)
    noun = f"{schema.unit}s"
    if design.budget >= sample.population:
        result.skipped.append(Finding(
            "info", "P065", str(corpus_path),
            f"budget {design.budget} is more than the {sample.population} {noun} that may be "
            f"sampled: all {sample.population} are in the sample",
            "nothing is left out; a smaller budget samples",
        ))
    elif sample.pushed >= design.budget:
        result.skipped.append(Finding(
            "info", "P066", str(corpus_path),
            f"{sample.pushed} {noun} of the sample's frame were pushed already, as many as "
            f"the budget {design.budget} or more: nothing new is sampled (pushed units are "
            "never taken back)", "raise the budget to push more",
        ))
    chosen = sample.chosen

    def keep(tasks: Iterator[dict]) -> Iterator[dict]:
        for task in tasks:
            if task["unit_id"] in chosen or task["corpus_key"] in ledger_ids:
                yield task
            else:
                result.units += 1
                result.not_sampled += 1

    return keep(_without_copies(schema, corpus_path, result, sampled=True))


def _new_tasks(
    tasks: Iterable[dict],
    ledger_ids: dict[str, int],
    predictions: dict[str, list[dict]],
    result: PushResult,
) -> Iterator[dict]:
    """The tasks to import: keys not in the ledger, each once, with their predictions."""
    seen: set[str] = set()
    for data in tasks:
        key = data["corpus_key"]
        result.units += 1
        if key in seen:
            result.twice += 1
            result.skipped.append(Finding(
                "warning", "P001", key,
                "the corpus holds this unit twice; imported once",
                "re-run `corpus ingest` to deduplicate",
            ))
            continue
        seen.add(key)
        if key in ledger_ids:
            result.already_present += 1
            continue
        task: dict = {"data": data}
        if key in predictions:
            task["predictions"] = predictions[key]
        yield task
    for key in sorted(predictions.keys() - seen):  # a stable order of findings
        result.skipped.append(Finding(
            "warning", "P002", key,
            "prediction for a key that is not in the corpus under this schema; not attached",
            "check the prediction file's corpus_key values",
        ))


def _attach_predictions_to_present(
    studio: Studio, ledger: Ledger, predictions: dict[str, list[dict]], result: PushResult
) -> None:
    """Predictions for tasks pushed earlier: add those whose model_version the task lacks."""
    for key, items in predictions.items():
        task_id = ledger.ids.get(key)
        if task_id is None:
            continue
        response = studio.http.get("/api/predictions/", params={"task": task_id})
        raise_for_status(response, studio.url)
        have = {p.get("model_version") for p in response.json()}
        for prediction in items:
            if prediction["model_version"] in have:
                continue
            response = studio.http.post(
                "/api/predictions/", json={"task": task_id, **prediction}
            )
            raise_for_status(response, studio.url)
            result.predictions_attached += 1


def _test_delay() -> None:
    value = os.environ.get(DELAY_ENV)
    if value:
        time.sleep(float(value))


def push(
    schema: Schema,
    corpus_path: Path | str,
    studio: Studio,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    predictions_path: Path | str | None = None,
    ledger_dir: Path | str = DEFAULT_LEDGER_DIR,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_progress: Callable[[int, int | None], None] | None = None,
    say: Callable[[str], None] | None = None,
    budget: int | None = None,
    order: Callable[[list[str]], list[str]] | None = None,
    limit: int | None = None,
) -> PushResult:
    """Push the corpus's units under ``schema`` to Label Studio; idempotent.

    With a budget (``budget``, else the schema's ``selection``), only the units of the
    sample (toolkit.selection) are imported; those pushed before stay in it, and its frame
    is recorded beside the ledger (``<schema>.selection.json``).

    ``order`` puts the keys of the units to import (corpus order) in the order to import
    them (e.g. :func:`toolkit.studio.order.priority_order`): task ids, and so the stream
    annotators get, follow it. ``limit`` imports only the first ``limit`` of them (a
    slice; the rest are counted in ``later``). Predictions keep only the results of
    questions that suggest (:func:`toolkit.studio.predictions.suggested`), and the
    project is pointed at the last model version attached.

    ``on_progress(imported_so_far, total_to_import_or_None)`` is called after each batch.
    Any transport failure (timeout, connection lost while writing) is raised as
    StudioUnreachable/StudioError with one line; an import cut short leaves the
    ledger's pending marker, so the next push reconciles first. Ctrl-C raises
    :class:`Interrupted` saying how many tasks were imported.

    Overlapping pushes: on this machine, one push per ledger at a time (its lock,
    waited for up to ``lock_timeout`` seconds, else :class:`Busy`); from other
    machines, the copies they and this push both imported are removed afterwards
    (see ``repair``).
    """
    say = say or (lambda _line: None)
    result = PushResult(project_title=project_title(schema), unit=schema.unit)
    predictions = _suggested(schema, predictions_path, result)
    path = ledger_path(ledger_dir, studio.url, schema.name)
    state: dict = {"total": None}
    try:
        with ledger_lock(path, timeout=lock_timeout, say=say):
            ledger = Ledger.load(path, studio.url, schema.name)
            state["ledger"] = ledger
            _push(schema, corpus_path, studio, ledger, result, state, predictions,
                  batch_size, on_progress, say, design_of(schema, budget), order, limit)
    except KeyboardInterrupt as exc:
        raise Interrupted(_interrupted_line(result, state)) from exc
    return result


def _suggested(schema: Schema, predictions_path: Path | str | None, result: PushResult
               ) -> dict[str, list[dict]]:
    """The predictions file's suggestions (questions with suggestions off left out)."""
    if not predictions_path:
        return {}
    filtered = suggested(schema, read_predictions(Path(predictions_path)))
    result.suggestions_off = filtered.results_off
    return filtered.predictions


def _in_order(todo: list[dict], order: Callable[[list[str]], list[str]] | None,
              limit: int | None, result: PushResult) -> list[dict]:
    """``todo`` in ``order``'s order, cut to ``limit`` (the rest counted as later)."""
    if order is not None:
        by_key = {task["data"]["corpus_key"]: task for task in todo}
        todo = [by_key[key] for key in order(list(by_key))]
    if limit is not None and len(todo) > limit:
        result.later = len(todo) - limit
        todo = todo[:limit]
    return todo


def _interrupted_line(result: PushResult, state: dict) -> str:
    if result.project_id is None:
        return "push stopped before any import; nothing was imported"
    ledger = state.get("ledger")
    total = "?" if state["total"] is None else state["total"]
    # counted from the ledger, not result.created: Ctrl-C can land between a batch's
    # ledger write and its count
    imported = (len(ledger.ids) - state["known"] if ledger is not None and "known" in state
                else result.created)
    line = (f"push stopped after {imported} of {total} new tasks were imported into "
            f"project {result.project_id} (recorded in the ledger)")
    if ledger is not None and ledger.pending:
        line += "; the import under way may have reached the server too (the next push checks)"
    return line + "; run the same `corpus push` again to continue with the rest"


def _push(
    schema: Schema,
    corpus_path: Path | str,
    studio: Studio,
    ledger: Ledger,
    result: PushResult,
    state: dict,
    predictions: dict[str, list[dict]],
    batch_size: int,
    on_progress: Callable[[int, int | None], None] | None,
    say: Callable[[str], None],
    design: Design | None = None,
    order: Callable[[list[str]], list[str]] | None = None,
    limit: int | None = None,
) -> None:
    with studio_errors(studio.url, "pushing"):  # timeouts, dropped writes: one line
        project_id = find_project(studio, schema, ledger.project_id)
        if project_id is None:
            _test_delay()
        project_id, result.project_created, result.settings_updated = sync_project(
            studio, schema, project_id
        )
        created_here = result.project_created
        if result.project_created:
            project_id, settled = repair.settle_project(
                studio, project_id, lambda: marked_projects(studio, schema), say
            )
            if settled is not None:
                result.project_created = False
                result.skipped.append(settled)
        result.project_id = project_id
        # The highest task id known before this push; every task above it is read
        # (catch-up) or imported here, or was imported by a concurrent push.
        base = ledger.max_id if ledger.project_id == project_id else 0
        if result.project_created:
            ledger.start(project_id)
            ledger.clear_pending()
            read = 0
        elif ledger.project_id != project_id:
            say(f"No ledger for project {project_id}: rebuilding it from the server ...")
            read = result.reconciled = ledger.rebuild(studio, project_id)
        else:
            pending = ledger.pending
            if pending:
                say("The last push was interrupted during an import: reconciling with the "
                    "server ...")
            known = len(ledger.ids)
            # Tasks above the ledger's highest id: those of an interrupted import, or
            # pushed from another machine since (one request when there are none).
            read = ledger.rebuild(studio, project_id, incremental=True)
            if pending or read:
                result.reconciled = read
            if len(ledger.ids) > known:
                say(f"{len(ledger.ids) - known} tasks of project {project_id} were not in "
                    "this ledger (pushed from elsewhere): recorded")

        tasks = _sampled(schema, corpus_path, design, ledger.ids, result,
                         manifest_path(ledger.path))
        todo = _in_order(list(_new_tasks(tasks, ledger.ids, predictions, result)), order,
                         limit, result)
        total = state["total"] = len(todo)
        state["known"] = len(ledger.ids)  # what the ledger held before this push's imports
        if on_progress:
            on_progress(0, total)
        interrupt = _interrupt_after()
        imported: set[int] = set()
        for number, batch in enumerate(_batches(todo, batch_size), start=1):
            _test_delay()
            ledger.mark_pending(len(batch))
            response = studio.http.post(
                f"/api/projects/{project_id}/import",
                params={"return_task_ids": "true"},
                content=orjson.dumps(batch),
                headers={"Content-Type": "application/json"},
            )
            if response.status_code == 404:
                raise StudioError(
                    f"project {project_id} was deleted while this push imported into it: "
                    "another push raced this one; run it again"
                )
            raise_for_status(response, studio.url)
            task_ids = orjson.loads(response.content).get("task_ids") or []
            if interrupt is not None and number >= interrupt:
                os._exit(137)
            if len(task_ids) != len(batch):
                raise StudioError(
                    f"Label Studio at {studio.url} answered {len(task_ids)} task ids for "
                    f"{len(batch)} imported tasks; run `corpus push` again to reconcile"
                )
            keys = (task["data"]["corpus_key"] for task in batch)
            ledger.append(zip(keys, task_ids, strict=True))
            imported.update(task_ids)
            ledger.clear_pending()
            result.created += len(batch)
            result.predictions_attached += sum(len(t.get("predictions", ())) for t in batch)
            if on_progress:
                on_progress(result.created, total)
        if result.created or ledger.duplicates:
            fixed = repair.repair_duplicates(
                studio, project_id, ledger, after_id=base, expected=read + result.created,
                say=say,
            )
            result.duplicates_removed = len(fixed.removed)
            result.skipped.extend(fixed.findings)
            if fixed.checked or fixed.removed:  # count what stayed of this push's imports
                kept = sum(1 for task_id in ledger.ids.values() if task_id in imported)
                result.raced_copies = result.created - kept
                result.created = kept
        if created_here:  # a concurrent create may have left an empty project: one sweep
            repair.drop_empty_newer(studio, project_id, lambda: marked_projects(studio, schema),
                                    say)
        if predictions:
            imported_now = {task["data"]["corpus_key"] for task in todo}
            earlier = {k: v for k, v in predictions.items() if k not in imported_now}
            _attach_predictions_to_present(studio, ledger, earlier, result)
            attached = [p["model_version"] for task in todo for p in task.get("predictions", ())]
            if attached or result.predictions_attached:
                latest = attached[-1] if attached else _last_version(predictions)
                show_model_version(studio, project_id, latest)
                result.model_version = latest


def _last_version(predictions: dict[str, list[dict]]) -> str:
    """The model version of the predictions file's last line."""
    return list(predictions.values())[-1][-1]["model_version"]


def dry_run(
    schema: Schema,
    corpus_path: Path | str,
    out: Path | str | None = None,
    *,
    predictions_path: Path | str | None = None,
    ledger_file: Path | None = None,
    ledger_dir: Path | str | None = None,
    url: str | None = None,
    api_key: str | None = None,
    budget: int | None = None,
    order: Callable[[list[str]], list[str]] | None = None,
    limit: int | None = None,
) -> PushResult:
    """Write the tasks a push would import as one JSON list (Label Studio's import
    format, also importable by hand in its UI) to ``out`` (default
    ``exports/<schema>/tasks.json``). Offline: never contacts a server.

    Units the local ledger already holds are left out: the ledger is ``ledger_file``,
    or, with ``ledger_dir``, the one of the server push would talk to (``url``, else
    LABEL_STUDIO_URL / the local server's credentials, as :func:`connection.resolve`
    finds it). With neither, or no such ledger file yet, every unit is written.

    With a budget (``budget``, else the schema's ``selection``) only the sample's new
    units are written, and its frame beside ``out`` (``<out stem>.selection.json``).
    ``order`` and ``limit``: as for :func:`push` (the slice a push would import)."""
    if ledger_file is None and ledger_dir is not None:
        ledger_file = _known_ledger(schema, ledger_dir, url, api_key)
    if out is None:
        out = default_tasks_file(schema.name)
    result = PushResult(project_title=project_title(schema), unit=schema.unit)
    predictions = _suggested(schema, predictions_path, result)
    ids: dict[str, int] = {}
    if ledger_file is not None and Path(ledger_file).exists():
        ids = Ledger.load(Path(ledger_file), "", schema.name).ids
    out = Path(out)
    with replacing(out) as tmp, tmp.open("wb") as handle:  # never a half file
        handle.write(b"[")
        tasks = _sampled(schema, corpus_path, design_of(schema, budget), ids, result,
                         manifest_path(out))
        new = _new_tasks(tasks, ids, predictions, result)
        if order is not None or limit is not None:  # a slice: held to be ordered
            new = iter(_in_order(list(new), order, limit, result))
        for task in new:
            handle.write(b",\n" if result.created else b"\n")
            handle.write(orjson.dumps(task))
            result.created += 1
        handle.write(b"\n]\n")
    result.dry_run_path = out
    return result


def _known_ledger(
    schema: Schema, ledger_dir: Path | str, url: str | None, api_key: str | None
) -> Path | None:
    """The ledger file of the server a push would use, found without a request."""
    try:
        known_url: str | None = resolve(url, api_key)[0]
    except SetupError:  # no key: the URL alone still names the ledger
        known_url = url
    return ledger_path(ledger_dir, safe_url(known_url), schema.name) if known_url else None
