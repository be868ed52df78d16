"""`corpus sync`: the daily loop of a team lead, as one call.

ingest (when inputs are given: merged into the existing corpus) -> push (only
new tasks; with ``slice_size`` the next slice in priority order, by the previous run's
predictions, weak items re-opened first: toolkit.workflows.next_up) -> [annotate hook]
-> pull (incremental when a previous snapshot exists) -> validate, agree and build,
from one read of the new snapshot (toolkit.review) -> report -> the project's
"Adjudicate (N)" tab pointed at the items left unresolved -> the model: train on the
snapshot, predict the units not decided, attach them as suggestions and point the
"Next up (N)" tab at them (toolkit.workflows.learn; each step skipped with one line
when it has nothing to do). Every stage is idempotent, so running sync again is safe:
nothing is imported twice, a new snapshot is written, and the dataset is rebuilt
from it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..corpus import DEFAULT_CORPUS, corpus_lock
from ..dataset import BuildResult, build_dataset, review_for_build
from ..html_report import Tally, finish_report, write_html
from ..ingest import IngestResult, ingest
from ..ingest.merge import merge_corpus
from ..ingest.run import ingest_unlocked
from ..review import AgreementReport, ValidationReport
from ..review.quality import CompetenceReport
from ..schema import Schema
from ..studio.adjudicate import AdjudicationTab, update_tab
from ..studio.connection import Studio
from ..studio.pull import PullResult, pull
from ..studio.push import PushResult, push
from .adjudicate import label_error_reasons
from .learn import ModelRun, learn, predictions_file, suggest_next
from .next_up import SliceResult, push_slice

Say = Callable[[str], None]
Progress = Callable[[int, int | None], None]  # (done, total), as push and pull report it


@dataclass
class SyncResult:
    """Each stage's own result, for the caller to report."""

    ingest: IngestResult | None
    push: PushResult
    pull: PullResult
    validation: ValidationReport
    agreement: AgreementReport
    build: BuildResult
    report: Path | None = None  # the HTML page of the project (toolkit.html_report)
    competence: CompetenceReport | None = None  # per annotator (corpus agree's figures)
    adjudication: AdjudicationTab | None = None  # the project's "Adjudicate (N)" tab
    model: ModelRun | None = None  # the model's steps (None: not asked for)
    slice: SliceResult | None = None  # the slice pushed, with ``slice_size``

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read, 1 for validation errors or a balance
        that does not add up, else 0 (as the stage commands would exit)."""
        if self.ingest is not None and self.ingest.unreadable:
            return 2
        if self.validation.exit_code or not self.build.balance.adds_up:
            return 1
        return 0


def sync(
    schema: Schema,
    studio: Studio,
    *,
    inputs: Iterable[str | Path] = (),
    corpus_path: Path | str = DEFAULT_CORPUS,
    snapshot_dir: Path | str | None = None,
    dataset_dir: Path | str | None = None,
    full_pull: bool = False,
    annotate: Callable[[int], object] | None = None,
    say: Say | None = None,
    push_progress: Progress | None = None,
    pull_progress: Progress | None = None,
    report_path: Path | str | None = None,
    slice_size: int | None = None,
    model: bool = True,
    exports_dir: Path | str | None = None,
) -> SyncResult:
    """Run the stages in order; ``annotate(project_id)`` runs between push and pull.
    ``slice_size``: push only the next that many units, in priority order (the previous
    run's predictions), after re-opening weak items; ``model``: run the model's steps.
    ``exports_dir``: where the model and its predictions go (``models/``,
    ``predictions.jsonl``; default exports/<schema>, the demo's exports/demo/<schema>).

    Ends by writing the project's HTML report to ``report_path`` (default: next to
    the dataset folder, exports/<schema>/report.html).
    Raises the stages' own errors (InputError, StudioError, ...) unchanged.
    Validation findings do not stop the run: build rejects invalid items with
    their reason, and the caller decides the exit status from ``validation``.
    """
    inputs = list(inputs)
    ingested = ingest_into(inputs, corpus_path, say=say) if inputs else None
    sliced = None
    if slice_size is not None:
        predictions = predictions_file(schema, exports_dir)
        sliced = push_slice(schema, studio, corpus_path, slice_size, say=say,
                            predictions_path=predictions if predictions.is_file() else None,
                            snapshot_dir=snapshot_dir, on_progress=push_progress)
        pushed = sliced.push
    else:
        pushed = push(schema, corpus_path, studio, say=say, on_progress=push_progress)
    if annotate is not None and pushed.project_id is not None:
        annotate(pushed.project_id)
    pulled = pull(schema, studio, out_dir=snapshot_dir, full=full_pull,
                  project_id=pushed.project_id, say=say, on_progress=pull_progress)
    # one read of the snapshot (validation, aggregation, agreement, annotator competence)
    # feeds the build, the HTML report (its tally rides on the read) and the tab
    tally = Tally(schema)
    review = review_for_build(pulled.path, schema, corpus=corpus_path, observers=[tally],
                              competence=True)
    assert review.validation is not None and review.agreement is not None
    # the model learns from the same read (before build lets go of its items), and
    # before the report, which shows it
    models = Path(exports_dir) / "models" if exports_dir is not None else None
    learned = learn(schema, pulled.path, review=review, models=models) if model else None
    built = build_dataset(review, schema, out=dataset_dir, corpus=corpus_path)
    if learned is not None:
        learned = suggest_next(learned, schema, pulled.path, corpus_path, studio, say=say,
                               exports=exports_dir)
    if report_path is None:
        report_path = Path(built.folder).parent / "report.html"
    page = write_html(finish_report(review, tally, schema, corpus=corpus_path,
                                    dataset=built.folder, models=models,
                                    competence=review.competence.report_rows()
                                    if review.competence else None), report_path)
    tab = None
    if studio is not None and pushed.project_id is not None:  # the items left to decide
        reasons = label_error_reasons(review.likely_errors, schema, review.invalid)
        tab = update_tab(studio, pushed.project_id, built.unresolved_task_ids + list(reasons),
                         reasons=reasons)
    return SyncResult(ingested, pushed, pulled, review.validation, review.agreement, built, page,
                      review.competence, tab, learned, sliced)


def ingest_into(inputs: Iterable[str | Path], corpus_path: Path | str, *,
                say: Say | None = None) -> IngestResult:
    """Ingest ``inputs`` and merge them into the corpus file (created when missing).

    The corpus is read and written under its lock (:func:`toolkit.corpus.corpus_lock`):
    two syncs into one corpus take turns, the second merging into what the first wrote.
    """
    corpus_path = Path(corpus_path)
    with corpus_lock(corpus_path, say=say):
        if not corpus_path.exists():
            return ingest_unlocked(inputs, out=corpus_path)
        with tempfile.TemporaryDirectory(dir=corpus_path.parent) as scratch:
            batch = Path(scratch) / "new.jsonl"
            result = ingest(inputs, out=batch, near_duplicates=None)  # the merge matches them
            merge_corpus(corpus_path, batch, out=corpus_path, report=result.report)
    result.out = corpus_path
    return result
