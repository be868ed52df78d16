"""`corpus sync`: the daily loop of a team lead, as one call.

ingest (when inputs are given: merged into the existing corpus) -> push (only
new tasks) -> [annotate hook] -> pull (incremental when a previous snapshot
exists) -> validate -> agree -> build. Every stage is idempotent, so running
sync again is safe: nothing is imported twice, a new snapshot is written, and
the dataset is rebuilt from it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .agreement import AgreementReport
from .corpus import DEFAULT_CORPUS
from .dataset import BuildResult, agreement_figures, build_dataset
from .ingest import IngestResult, ingest
from .ingest.merge import merge_corpus
from .review.quality import CompetenceReport, review_snapshot
from .schema import Schema
from .studio.connection import Studio
from .studio.pull import PullResult, pull
from .studio.push import PushResult, push
from .validate import ValidationReport, validate_snapshot

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
    competence: CompetenceReport | None = None  # per annotator (corpus agree's figures)

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
) -> SyncResult:
    """Run the stages in order; ``annotate(project_id)`` runs between push and pull.

    Raises the stages' own errors (InputError, StudioError, ...) unchanged.
    Validation findings do not stop the run: build rejects invalid items with
    their reason, and the caller decides the exit status from ``validation``.
    """
    inputs = list(inputs)
    ingested = ingest_into(inputs, corpus_path) if inputs else None
    pushed = push(schema, corpus_path, studio, say=say, on_progress=push_progress)
    if annotate is not None and pushed.project_id is not None:
        annotate(pushed.project_id)
    pulled = pull(schema, studio, out_dir=snapshot_dir, full=full_pull,
                  project_id=pushed.project_id, say=say, on_progress=pull_progress)
    validation = validate_snapshot(pulled.path, schema, corpus=corpus_path)
    agreement, competence = review_snapshot(pulled.path, schema)
    built = build_dataset(
        pulled.path,
        schema,
        out=dataset_dir,
        corpus=corpus_path,
        agreement=agreement_figures(agreement),
    )
    return SyncResult(ingested, pushed, pulled, validation, agreement, built, competence)


def ingest_into(inputs: Iterable[str | Path], corpus_path: Path | str) -> IngestResult:
    """Ingest ``inputs`` and merge them into the corpus file (created when missing)."""
    corpus_path = Path(corpus_path)
    if not corpus_path.exists():
        return ingest(inputs, out=corpus_path)
    with tempfile.TemporaryDirectory(dir=corpus_path.parent) as scratch:
        batch = Path(scratch) / "new.jsonl"
        result = ingest(inputs, out=batch)
        merge_corpus(corpus_path, batch, out=corpus_path, report=result.report)
    result.out = corpus_path
    return result
