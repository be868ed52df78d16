"""What annotators get next: suggestions on the server, and the next slice of units in
priority order, weak items first. One function per step, each returning a small
result, so `corpus sync` can run them in its loop:

    suggest(...)     `corpus suggest`: attach a predictions file's suggestions to the
                     tasks on the server (toolkit.studio.suggest), then point the
                     ``Next up (N)`` tab at the open ones (toolkit.studio.next_up)
    push_slice(...)  `corpus push --slice N`: first the labelled items whose consensus
                     is weak get their missing answers (their task's overlap is raised:
                     toolkit.studio.overlap), then the next N units not on the server
                     are imported most uncertain first (toolkit.studio.order)

Why slices: Label Studio Community's stream serves unfinished tasks by task id (and
the tasks others started first), ignoring tabs; ids follow import order. So the
priority order reaches annotators only through what is imported, and when: a small
slice, imported when the previous one is nearly done, in the order the newest
predictions give, re-decided at every slice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import DEFAULT_LEDGER_DIR
from ..provenance import Status
from ..review import review_snapshot
from ..schema import Schema
from ..studio.connection import Studio
from ..studio.lock import DEFAULT_LOCK_TIMEOUT
from ..studio.next_up import NextUpTab, update_next_up_tab
from ..studio.order import priority_order, uncertainty_scores
from ..studio.overlap import Reopened, reopen
from ..studio.pull import known_project_id, latest_snapshot
from ..studio.pull import snapshot_dir as default_snapshot_dir
from ..studio.push import PushResult, push, read_predictions
from ..studio.snapshot import open_snapshot
from ..studio.suggest import SuggestResult, attach_suggestions

__all__ = ["MAX_EXTRA_ANSWERS", "SliceResult", "SuggestRun", "ordering", "push_slice",
           "suggest", "weak_items"]

#: answers an item may get beyond the schema's overlap (or min_annotations) while its
#: consensus stays weak; past that it is the adjudicator's (corpus adjudicate)
MAX_EXTRA_ANSWERS = 2

Say = Callable[[str], None]


@dataclass
class SuggestRun:
    """`corpus suggest`: the suggestions attached, and the Next up tab (None when no
    prediction reached the server)."""

    suggestions: SuggestResult
    tab: NextUpTab | None = None


def suggest(schema: Schema, studio: Studio, predictions_path: Path | str, *,
            ledger_dir: Path | str = DEFAULT_LEDGER_DIR,
            lock_timeout: float = DEFAULT_LOCK_TIMEOUT, say: Say | None = None) -> SuggestRun:
    """Attach the predictions file's suggestions to the schema's tasks on the server and
    rewrite the ``Next up (N)`` tab (see the module docstring)."""
    attached = attach_suggestions(schema, studio, predictions_path, ledger_dir=ledger_dir,
                                  lock_timeout=lock_timeout, say=say)
    tab = None
    if attached.model_version is not None:
        tab = update_next_up_tab(studio, attached.project_id, attached.open_tasks)
    return SuggestRun(attached, tab)


def weak_items(items: Iterable[Any], schema: Schema, invalid: Iterable[Any] = ()
               ) -> dict[int, int]:
    """task id -> the number of answers it should have, for the labelled items whose
    consensus is weak: too few answers (``min_annotations``), or unresolved (no
    majority, or under a label-model rule below ``min_confidence``): one answer more,
    up to :data:`MAX_EXTRA_ANSWERS` beyond the schema's overlap. Items decided by an
    adjudicator, rejected by validation, or not answered at all are not weak (the
    stream serves unanswered items anyway)."""
    policy = schema.annotation
    cap = max(policy.overlap, policy.min_annotations) + MAX_EXTRA_ANSWERS
    rejected = set(invalid)
    wanted: dict[int, int] = {}
    for item in items:
        if item.task_id is None or item.task_id in rejected or item.gold_by is not None:
            continue
        have = item.n_annotators
        if item.status == Status.TOO_FEW:
            want = policy.min_annotations
        elif item.status == Status.UNRESOLVED:
            want = min(have + 1, cap)
        else:
            continue
        if want > have:
            wanted[item.task_id] = want
    return wanted


def ordering(predictions_path: Path | str | None) -> Callable[[list[str]], list[str]]:
    """The order to import keys in: :func:`priority_order` by the predictions file's
    scores (none given: corpus order)."""
    scores = uncertainty_scores(read_predictions(Path(predictions_path))) \
        if predictions_path else {}

    def order(keys: list[str]) -> list[str]:
        return priority_order(keys, scores)
    return order


@dataclass
class SliceResult:
    """`corpus push --slice N`: the weak items re-opened, and the push of the slice."""

    push: PushResult
    snapshot: Path | None = None  # the snapshot the weak items were found in
    weak: dict[int, int] = field(default_factory=dict)  # task id -> answers wanted
    reopened: Reopened | None = None
    order: list[str] = field(default_factory=list)  # the keys imported, in import order
    scored: int = 0  # of those, how many had a prediction score


def push_slice(
    schema: Schema,
    studio: Studio,
    corpus_path: Path | str,
    size: int,
    *,
    predictions_path: Path | str | None = None,
    snapshot_dir: Path | str | None = None,
    ledger_dir: Path | str = DEFAULT_LEDGER_DIR,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    batch_size: int = 1000,
    on_progress: Callable[[int, int | None], None] | None = None,
    say: Say | None = None,
) -> SliceResult:
    """Re-open the weak items of the newest snapshot of the project (none yet: skipped),
    then push the next ``size`` units in priority order (see the module docstring)."""
    result = SliceResult(push=PushResult())
    project_id = known_project_id(ledger_dir, studio.url, schema.name)
    if project_id is not None:
        folder = default_snapshot_dir(schema, snapshot_dir)
        found = latest_snapshot(folder, server=studio.url, project_id=project_id) \
            if Path(folder).is_dir() else None
        if found is not None:
            review = review_snapshot(open_snapshot(found), schema, agreement=False)
            result.snapshot = found
            result.weak = weak_items(review.items or (), schema, review.invalid)
            if result.weak:
                result.reopened = reopen(studio, result.weak)
    scores = uncertainty_scores(read_predictions(Path(predictions_path))) \
        if predictions_path else {}

    def recorded(keys: list[str]) -> list[str]:
        ordered = priority_order(keys, scores)
        result.order = ordered[:size]
        result.scored = sum(1 for key in result.order if key in scores)
        return ordered

    result.push = push(schema, corpus_path, studio, batch_size=batch_size,
                       predictions_path=predictions_path, ledger_dir=ledger_dir,
                       lock_timeout=lock_timeout, on_progress=on_progress, say=say,
                       order=recorded, limit=size)
    return result
