"""`corpus build`: a snapshot + a schema -> a dataset folder laid out as a Hub repo.

    folder/
      README.md                          the card (YAML front matter + text)
      data/{split}-00000-of-0000N.parquet
      rejected/rejected.jsonl            items left out, with their reason
      splits.json                        group key -> split, for the next build

Splits stay put across dataset versions: before replacing an existing output
folder, build reads its ``splits.json`` (written by the previous build) and
keeps every group listed there in its split; only groups not seen before are
dealt by the stratified rule, toward the fractions. So when a sync adds
articles, no earlier article moves between train, validation and test. The
file keeps groups that are not in this build (e.g. now unresolved), so they
return to their split later. Same snapshot + same previous folder -> same bytes.

An item is left out as ``invalid`` only for a validation finding that makes it
unusable (toolkit.review.validate.REJECTS_ITEM: an unknown label, a span that does not
match its text, text changed since push, a malformed value or task); for the
other findings it is aggregated as the finding's action says (docs/validate.md).
An item with no usable aggregated answer to a required question is left out as
``missing_required`` (finding B050 per question), never a row with a null label.

The folder is written next to its final place and moved in at the end, so a
failed build never leaves half a dataset behind.

Memory does not grow with the rows. The review's one read of the snapshot calls
toolkit.dataset.first_pass per task: it keeps a small record (keys, group, stratify
label, status) and spools the encoded row to disk (toolkit.dataset.spool, sorted
runs). Once the read is over, the records decide who is a row and deal the splits
(:func:`_assign`); the rows then come back from the spool in the dataset's order
(article, position, unit, corpus key) and go straight to one Parquet writer per
split (toolkit.dataset.writer), which shards them as the Hub names shards.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, KeysView, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from .._version import __version__
from ..columns import StringColumn, TaskKeys, string_codes
from ..corpus import read_corpus
from ..errors import EmptyDatasetRefused, InputError, OptionError
from ..findings import Report
from ..ingest.near_duplicates import copies_not_pushed
from ..kinds import kind_of
from ..model.votes import baseline_votes, predictions_votes
from ..paths import DEFAULT_LEDGER_DIR, default_dataset_dir
from ..review import ReviewResult, review_snapshot
from ..review.header import schema_changed_finding
from ..review.run import Observer
from ..schema import Schema, load_schema
from ..selection import Recorded, manifest_path, read_manifest
from ..studio.ledger import ledger_path
from ..studio.snapshot import open_snapshot
from ..tasks import corpus_key, tasks_from_corpus
from . import _sources
from ._sources import (
    STATUS_NO_ANNOTATIONS,
    STATUS_OK,
    STATUS_TOO_FEW,
    STATUS_UNRESOLVED,
    Item,
)
from .card import CardFacts, render_card
from .first_pass import FirstPass, Record, TextGroups
from .rows import RowEncoder, id_columns, row_features
from .splits import SplitRows, deal_rows, row_clusters
from .spool import SortedSpool
from .writer import SplitFiles, SplitWriter

REJECTED_FILE = "rejected/rejected.jsonl"
# Rejected-row code of an item without a usable answer to a required question (B050).
MISSING_REQUIRED = "missing_required"
SPLITS_FILE = "splits.json"
# What build may replace in an existing output folder (and nothing else).
_OWNED = {"README.md", "data", "rejected", SPLITS_FILE}
#: ``on_progress(done, total)``: tasks read, then rows written
Progress = Callable[[int, "int | None"], None]


@dataclass
class Balance:
    """Where every unit went. Over the corpus when one was given, else over the snapshot."""

    snapshot_tasks: int
    in_splits: dict[str, int]
    rejected: dict[str, int]  # reason code -> n
    not_annotated: int
    corpus_units: int | None = None
    not_pushed: int | None = None
    not_in_corpus: int = 0  # snapshot tasks whose unit is not in the given corpus
    duplicates: int = 0  # extra tasks for a unit already seen (counted in rejected)
    copies: int = 0  # near-duplicate copies not pushed, in the splits with their first's labels
    copies_waiting: int = 0  # copies not pushed whose first has no labels: no row (not pushed)

    @property
    def accounted(self) -> int:
        """Snapshot tasks that are in a split, rejected, or not yet annotated."""
        return (sum(self.in_splits.values()) - self.copies + sum(self.rejected.values())
                + self.not_annotated)

    @property
    def adds_up(self) -> bool:
        if self.accounted != self.snapshot_tasks:
            return False
        if self.corpus_units is None:
            return True
        pushed = self.snapshot_tasks - self.not_in_corpus - self.duplicates
        return self.corpus_units == pushed + (self.not_pushed or 0)

    def lines(self) -> list[str]:
        splits = " + ".join(f"{n} {name}" for name, n in self.in_splits.items())
        rejected = sum(self.rejected.values())
        lines = []
        if self.corpus_units is not None:
            lines.append(
                f"corpus units: {self.corpus_units} = {self.corpus_units - (self.not_pushed or 0)}"
                f" pushed + {self.not_pushed} not pushed"
            )
        if self.copies:
            lines.append(f"near-duplicate copies not pushed, in the splits with their first "
                         f"comment's labels: {self.copies}")
        if self.copies_waiting:
            lines.append("near-duplicate copies not pushed, waiting for their first comment's "
                         f"labels (not in the dataset): {self.copies_waiting}")
        lines.append(
            f"snapshot tasks: {self.snapshot_tasks} = {sum(self.in_splits.values()) - self.copies}"
            " in splits "
            f"({splits}) + {rejected} rejected + {self.not_annotated} not yet annotated"
        )
        if self.rejected:
            lines.append("rejected: " + ", ".join(f"{n} {code}" for code, n in
                                                  sorted(self.rejected.items())))
        if self.not_in_corpus:
            lines.append(f"snapshot tasks whose unit is not in the corpus: {self.not_in_corpus}")
        lines.append("balance: " + ("adds up" if self.adds_up else "DOES NOT ADD UP"))
        return lines


@dataclass
class BuildResult:
    folder: Path
    splits: list[SplitFiles]
    balance: Balance
    rejected_file: Path
    report: Report = field(default_factory=Report)
    label_distribution: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds (not in the card)
    # the review of the snapshot the build read: validation, agreement (None when the
    # caller gave the agreement figures), rejections
    review: ReviewResult | None = field(default=None, repr=False)
    # task ids of the items left unresolved (what `corpus adjudicate` shows), in
    # snapshot order; with --keep-unresolved they are rows too
    unresolved_task_ids: list[int] = field(default_factory=list, repr=False)


def default_out(schema: Schema) -> Path:
    return default_dataset_dir(schema.name)


@dataclass(frozen=True)
class BuildOptions:
    """How the dataset is built (`corpus build`'s options)."""

    #: include each comment's article body (article_body)
    with_context: bool = False
    #: keep unresolved items in the splits, with null labels
    keep_unresolved: bool = False
    #: keep commenter names (author): B001
    keep_authors: bool = False
    #: the card's annotations_creators
    annotations_creators: tuple[str, ...] = ("expert-generated",)
    #: Parquet shard size (the writer's default when None)
    max_shard_bytes: int | None = None
    #: replace a dataset that has rows with one that has none
    allow_empty: bool = False
    #: rule crowdlab: a predictions JSONL file (`--predictions` format) whose model votes
    #: instead of the baseline model cross-validated on the snapshot (toolkit.model.votes)
    predictions: str | None = None


def review_for_build(snapshot: str | Path, schema: Schema, *, corpus: str | Path | None = None,
                     options: BuildOptions | None = None, observers: Sequence[Observer] = (),
                     competence: bool = False) -> ReviewResult:
    """The one read of ``snapshot`` a build needs (validation, aggregation, agreement),
    its items cut to the task data the dataset publishes (memory). ``observers`` ride on
    it (`corpus sync` tallies its HTML report there); ``competence`` adds the annotators'
    competence figures. Under a rule where a model votes (crowdlab), the model is the
    baseline cross-validated on the snapshot's texts, or ``options.predictions``'s.
    SnapshotError when it was pulled for another schema."""
    options = options or BuildOptions()
    keep = _kept_fields(schema, with_context=options.with_context,
                        keep_authors=options.keep_authors)
    with _cycle_collector_paused():
        return _review(snapshot, schema, corpus=corpus, options=options,
                       item=lambda agg: _sources.item_of(agg, keep), observers=observers,
                       competence=competence)


def _review(snapshot: str | Path, schema: Schema, *, corpus: str | Path | None,
            options: BuildOptions, item: Callable[[Any], Any],
            observers: Sequence[Observer] = (), competence: bool = False,
            list_unresolved: bool = True) -> ReviewResult:
    """The review's one read of ``snapshot``, ``item`` called on each aggregated item
    (``list_unresolved``: see review_snapshot; build's own read leaves the list out)."""
    votes = (predictions_votes(options.predictions) if options.predictions is not None
             else baseline_votes)
    return review_snapshot(open_snapshot(Path(snapshot)), schema, corpus=corpus, item=item,
                           observers=observers, competence=competence, model_votes=votes,
                           list_unresolved=list_unresolved)


def build_dataset(source: ReviewResult | str | Path, schema: Schema | str | Path, *,
                  out: str | Path | None = None, corpus: str | Path | None = None,
                  selection: str | Path | None = None, options: BuildOptions | None = None,
                  on_progress: Progress | None = None, **option_values: Any) -> BuildResult:
    """Build the dataset folder; see the module docstring and `corpus build --help`.

    ``source``: a snapshot file, read once here (the review's read, each row encoded as
    its task is read: toolkit.dataset.first_pass), or the review a caller already made
    of it with :func:`review_for_build` (`corpus sync` reads the snapshot once for the
    build, the report and the adjudication tab). ``options`` (or the same names as
    keywords, ``with_context=True``): :class:`BuildOptions`. ``corpus`` (the corpus the
    tasks were pushed from) makes the balance cover every unit and keeps near-duplicate
    clusters in one split. ``selection``: the manifest of the sample the tasks were
    pushed from (`corpus push --budget`, toolkit.selection); default: the one beside the
    push ledger of the snapshot's server (``.corpus/ledger/...``), when there is one. It
    gives each row its ``inclusion_probability`` and the card its sampling frame.
    ``on_progress(done, total)``: tasks read, then rows written (a terminal's bar).

    Memory does not grow with the rows: they wait on disk in sorted runs
    (toolkit.dataset.spool) until the splits are dealt, then are written as they come
    back, in row groups, to Parquet shards (toolkit.dataset.writer).

    Raises :class:`~toolkit.errors.EmptyDatasetRefused`, leaving the folder as it was,
    when the build has no rows and ``out`` holds a dataset with data files, unless
    ``options.allow_empty``.
    """
    if not isinstance(schema, Schema):
        schema = load_schema(schema)
    if options is None:
        given: dict[str, Any] = dict(option_values)
        if "annotations_creators" in given:
            given["annotations_creators"] = tuple(given["annotations_creators"])
        options = BuildOptions(**given)
    elif option_values:
        raise TypeError("give build options either as `options` or as keywords, not both")
    out_path = Path(out) if out is not None else default_out(schema)
    _check_out(out_path)  # before the read: a refused folder costs nothing
    with _cycle_collector_paused():
        return _build(source, schema, out_path, corpus, selection, options, on_progress)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Build's read makes many small objects that live until the pass ends (the review's
    figures, build's records), and Python's cycle collector rescans all of them again
    and again as they pile up: that was about half of the build's time on 20,000 tasks,
    and grows faster than the snapshot. Build makes no reference cycles worth
    collecting, so the collector is paused for the build and restored (as it was)
    afterwards; memory is freed by reference counting as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(source: ReviewResult | str | Path, schema: Schema, out_path: Path,
           corpus: str | Path | None, selection: str | Path | None, options: BuildOptions,
           on_progress: Progress | None) -> BuildResult:
    with_context, keep_authors = options.with_context, options.keep_authors
    keep_unresolved = options.keep_unresolved
    snap = source.snapshot if isinstance(source, ReviewResult) else open_snapshot(Path(source))
    snapshot_path = Path(snap.path)
    report = Report()
    if keep_authors:
        report.warning("B001", str(out_path), "commenter names (author) are kept in the dataset",
                       "publish only if the source's terms and the commenters allow it")
    recorded = _sample_manifest(schema, snap.header, selection, snapshot_path, report)
    previous = previous_splits(out_path, schema)
    keep = _kept_fields(schema, with_context=with_context, keep_authors=keep_authors)
    marks = _near_duplicate_marks(corpus)
    skip = (_copies_skipped(schema, Path(str(corpus)), marks, sampled=recorded is not None)
            if marks else {})
    features = row_features(schema, _sources.question_features(schema),
                            with_context=with_context, keep_authors=keep_authors,
                            sampled=recorded is not None or schema.selection is not None)
    encoder = RowEncoder(schema, features, with_context=with_context, keep_authors=keep_authors,
                         probabilities=recorded.probabilities if recorded else None,
                         pseudonymize=False)
    folder = out_path.parent if out_path.parent.is_dir() else None
    spool, rejected = SortedSpool(folder), _Rejected(folder)  # on disk; closed on every path
    total = snap.header.get("counts", {}).get("tasks") if isinstance(
        snap.header.get("counts"), dict) else None
    first = FirstPass(
        schema, encoder, spool, keep=keep, keep_unresolved=keep_unresolved, marks=marks,
        firsts=set(skip.values()), stratify=stratify_question(schema),
        required=_required_questions(schema), missing_required=_missing_required,
        order=_item_order, group_key=_group_key,
        on_task=(lambda done: on_progress(done, total)) if on_progress and total else None,
        texts=_text_groups(schema, total if isinstance(total, int) else None))
    try:
        if isinstance(source, ReviewResult):
            review = source
            for item in review.items or []:
                first(item)
            review.items = None  # the records and the spool hold what build needs: memory
            first.done()
        else:
            review = _review(source, schema, corpus=corpus, options=options, item=first,
                             list_unresolved=False)
            review.items = None
            first.done()
        return _finish(review, schema, out_path, corpus, options, report, recorded, previous,
                       keep, marks, skip, features, encoder, spool, first, rejected,
                       on_progress)
    finally:
        spool.close()
        rejected.close()


def _finish(review: ReviewResult, schema: Schema, out_path: Path, corpus: str | Path | None,
            options: BuildOptions, report: Report, recorded: Recorded | None,
            previous: dict[str, str], keep: set[str], marks: dict[str, str] | None,
            skip: dict[str, str], features: Any, encoder: RowEncoder, spool: SortedSpool,
            first: FirstPass, rejected: _Rejected, on_progress: Progress | None,
            ) -> BuildResult:
    """After the read: who is a row, the splits, then the rows written in order."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
    snap = review.snapshot
    snapshot_path = Path(snap.path)
    if review.schema_changed is not None:
        report.findings.insert(0, schema_changed_finding(snapshot_path, review.schema_changed,
                                                         "build"))
    report.findings.extend(review.findings)  # who decides items (A060-A063), the model's
    assert review.agreement is not None  # the review measures agreement for the card
    agreement = _sources.agreement_figures(review.agreement)
    stages = review.seconds
    timings.update({
        "read": stages.get("read", 0.0),
        "validate": stages.get("validate", 0.0),
        "aggregate": stages.get("aggregate", 0.0) + stages.get("competence", 0.0),
        "agreement": stages.get("agreement", 0.0),
        "encode": first.seconds,
    })
    clock = time.perf_counter()
    invalid = review.invalid  # complete only now: a task is judged after the whole pass
    kept = bytearray(len(first))  # 1: a row; 2: in the dataset's items but not encodable
    unresolved_ids: list[int] = []
    not_annotated = 0
    snapshot_tasks = len(first)
    seen = TaskKeys(_ints(first.key_hashes), first.corpus_key)
    repeats = seen.repeats()  # a second task for one unit: rejected
    duplicates = 0
    missing_required: dict[str, list[Record]] = defaultdict(list)  # question -> (B050)
    for index in range(snapshot_tasks):
        task_id = first.task_id(index)
        earlier = repeats.get(index)
        if earlier is not None:
            duplicates += 1
            rejected.append(_rejected_row(first.record(index), "duplicate_task",
                                          f"a second task for this unit (first: task "
                                          f"{first.task_id(earlier)})"))
            continue
        status = first.status(index)
        if status == STATUS_OK and task_id not in invalid and index not in first.missing \
                and index not in first.encode_errors:
            kept[index] = 1  # the common case, without making the record
            continue
        record = first.record(index)
        if task_id in invalid:
            rejected.append(_rejected_row(record, "invalid", invalid[task_id]))
        elif status == STATUS_NO_ANNOTATIONS:
            not_annotated += 1
        elif status == STATUS_TOO_FEW:
            rejected.append(_rejected_row(record, STATUS_TOO_FEW, record.reason))
        elif status == STATUS_UNRESOLVED and not options.keep_unresolved:
            rejected.append(_rejected_row(record, STATUS_UNRESOLVED, record.reason))
            unresolved_ids.append(task_id)
        elif status in (STATUS_OK, STATUS_UNRESOLVED):
            if status == STATUS_UNRESOLVED:  # --keep-unresolved: a row, still to decide
                unresolved_ids.append(task_id)
            if record.missing:  # never a row with a null label where the schema wants one
                for name in record.missing:
                    missing_required[name].append(record)
                rejected.append(_rejected_row(record, MISSING_REQUIRED, _missing_reason(
                    schema, record, list(record.missing))))
            elif record.encode_error is not None:  # in the dataset's items, but no row
                rejected.append(_rejected_row(record, "invalid", record.encode_error))
                kept[index] = 2
            else:
                kept[index] = 1
        else:
            rejected.append(_rejected_row(record, status, record.reason))
    for name, missed in missing_required.items():
        one = missed[0]
        report.warning(
            "B050", str(snapshot_path), f"{len(missed)} item(s) have no usable answer to "
            f"required question {name!r} (first: task {one.task_id} [{one.corpus_key}])",
            f"rejected ({MISSING_REQUIRED} in {REJECTED_FILE}); `corpus validate` says why "
            "(V004 unanswered, V001 a question the schema does not have: renamed?)",
        )
    copies = waiting = 0
    if skip:
        copies, waiting = _add_copies(schema, Path(str(corpus)), skip, seen, keep, first, kept,
                                      rejected)
    first.first_items.clear()
    # the corpus's balance needs the tasks' keys: counted now, so that the keys' hashes
    # (some 32 MB at a million tasks) are gone before the split stage
    corpus_counts = (_corpus_counts(review.corpus_keys, seen)
                     if review.corpus_keys is not None else None)
    del seen
    first.key_hashes = array("q")  # TaskKeys' copy is gone too; no task is added after this
    timings["aggregate"] += time.perf_counter() - clock
    clock = time.perf_counter()

    near: np.ndarray | None = None
    if first.texts is not None:
        try:
            near = first.texts.groups()
        finally:
            first.texts.close()
    rows = np.flatnonzero(np.frombuffer(kept, dtype=np.uint8) == 1).astype(np.int32)
    group_ids, group_keys = first.group_ids()
    split_rows, name_of = _split_rows(
        first.unit_ids, group_ids, group_keys, _ints(first.labels.values),
        first.values("label"), rows, near, marks)
    del near
    split_of, near_duplicates = _assign(schema, split_rows, name_of, previous, report,
                                        marks_checked=marks is not None,
                                        texts_checked=first.texts is not None and len(rows) > 0)
    joined = near_duplicates.pop("largest") if near_duplicates else None  # for B003
    in_splits = _count_in_splits(schema, split_rows, split_of)
    del split_rows, name_of, rows
    n_rows = sum(in_splits.values())
    rejected_counts = dict(sorted(rejected.counts.items()))
    balance = Balance(
        snapshot_tasks=snapshot_tasks,
        in_splits=in_splits,
        rejected=rejected_counts,
        not_annotated=not_annotated,
        duplicates=duplicates,
        copies=copies,
        copies_waiting=waiting,
    )
    if corpus_counts is not None:
        balance.corpus_units, balance.not_pushed, balance.not_in_corpus = corpus_counts
    if not options.allow_empty and not any(in_splits.values()):
        _refuse_empty_replacement(out_path, balance, report)
    lap("split")

    groups: dict[str, set] = defaultdict(set)
    distribution = _new_distribution(schema)
    with _staged(out_path) as staging:  # moved into place at the end; removed on failure
        for name, count in in_splits.items():
            if not count:  # `datasets` cannot load an empty Parquet split: leave it out, say so
                report.warning(
                    "B003", str(out_path), f"split {name!r} is empty ({n_rows} items in "
                    f"{len(split_of)} groups{_joined_cause(schema, joined)}); it is not written",
                    "annotate more items, or change dataset.splits in the schema",
                )
        writers = {name: SplitWriter(staging, name, features,
                                     max_shard_bytes=options.max_shard_bytes)
                   for name, count in in_splits.items() if count}
        questions = first.distribution
        signatures = first.signatures
        written = 0
        for _, index, row in spool.merged():
            if kept[index] != 1:
                continue
            group = first.group(index)
            split = split_of[group]
            writers[split].add(encoder.name_annotators(row))
            groups[split].add(group)
            for name, keys in zip(questions, signatures[first.signature_ids.values[index]],
                                  strict=True):
                counts = distribution[name].setdefault(split, {})
                for key in keys:
                    counts[key] = counts.get(key, 0) + 1
            written += 1
            if on_progress is not None and written % 1000 == 0:
                on_progress(written, n_rows)
        split_files = [writer.close() for writer in writers.values()]
        if on_progress is not None and n_rows:
            on_progress(n_rows, n_rows)
        (staging / "rejected").mkdir()
        (staging / SPLITS_FILE).write_bytes(orjson.dumps(
            {"group_by": schema.dataset.group_by, "splits": {**previous, **split_of}},
            option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")
        with (staging / REJECTED_FILE).open("wb") as out:
            for line in rejected.lines():
                out.write(line)
        facts = CardFacts(
            schema=schema,
            features=features,
            splits=split_files,
            groups_per_split={name: len(keys) for name, keys in groups.items()},
            label_distribution=distribution,
            rejected=rejected_counts,
            balance_lines=balance.lines(),
            agreement=agreement,
            snapshot_name=snapshot_path.name,
            snapshot_sha256=file_sha256(snapshot_path),
            snapshot_header=snap.header,
            toolkit_version=__version__,
            n_annotators=len(encoder.pseudonyms),
            n_sources=first.sources.distinct(),
            with_context=options.with_context,
            keep_unresolved=options.keep_unresolved,
            keep_authors=options.keep_authors,
            annotations_creators=list(options.annotations_creators),
            near_duplicates=near_duplicates,
            selection=recorded,
            model_versions=dict(review.model_versions),
        )
        (staging / "README.md").write_text(render_card(facts), encoding="utf-8")
    lap("write")
    return BuildResult(out_path, split_files, balance, out_path / REJECTED_FILE, report,
                       distribution, timings, review,
                       [i for i in unresolved_ids if isinstance(i, int)])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _kept_fields(schema: Schema, *, with_context: bool, keep_authors: bool) -> set[str]:
    fields = set(id_columns(schema, with_context=with_context, keep_authors=keep_authors))
    fields |= {schema.dataset.group_by, "unit_id", "comment_id", "article_id", "position",
               "source"}
    return fields


def _required_questions(schema: Schema) -> list:
    """The schema's required questions, text ones included (an empty note is no answer)."""
    return [q for q in schema.questions if q.required]


def _missing_required(required: list, item: Item) -> list[str]:
    """Required questions with no usable aggregated answer. An unresolved question (None
    by design, kept only with --keep-unresolved) is not missing; a conditional one is
    required only when its condition holds on the aggregated labels."""
    missing = []
    for question in required:
        if item.provenance.get(question.name) == "unresolved":
            continue
        value = item.labels.get(question.name)
        if value is not None and value != "" and value != () and value != []:
            continue
        if question.when is not None and not _condition_holds(question.when, item.labels):
            continue
        missing.append(question.name)
    return missing


def _condition_holds(when: Any, labels: dict) -> bool:
    given = labels.get(when.question)
    if given is None:
        return False
    values = given if isinstance(given, (tuple, list)) else [given]

    def text(value: Any) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)

    wanted = {text(v) for v in when.equals}
    return any(text(v) in wanted for v in values)


def _missing_reason(schema: Schema, item: Item | Record, missing: list[str]) -> str:
    names = ", ".join(repr(name) for name in missing)
    return (f"no usable answer to required question(s) {names} from its "
            f"{item.n_annotators} annotator(s) (unanswered, or answered under a name the "
            f"schema {schema.name!r} does not have)")


def _refuse_empty_replacement(out: Path, balance: Balance, report: Report) -> None:
    """Raise EmptyDatasetRefused when ``out`` holds data files (nothing is touched); the
    error's ``findings`` are the build's so far (why the rows went)."""
    data = out / "data"
    files = sorted(p.name for p in data.iterdir() if p.is_file()) if data.is_dir() else []
    if not files:
        return
    rejected = sum(balance.rejected.values())
    why = ", ".join(f"{n} {code}" for code, n in sorted(balance.rejected.items()))
    error = EmptyDatasetRefused(
        f"{out}: this build has no rows ({balance.snapshot_tasks} snapshot tasks: "
        f"{rejected} rejected{f' ({why})' if why else ''}, {balance.not_annotated} not yet "
        f"annotated) and would replace the dataset there ({len(files)} data file(s)); "
        "nothing was changed. Check the snapshot and schema, or pass --allow-empty to "
        "replace it anyway",
        findings=report.findings,
    )
    raise error


class _Rejected:
    """Build's rejected rows as rejected.jsonl will hold them, counted by code and waiting
    on disk in a SortedSpool keyed by (corpus key, task id), the arrival number breaking
    ties as the stable sort did (a tenth of a large snapshot's tasks, some 500 bytes each)."""

    def __init__(self, folder: Path | None) -> None:
        self._spool = SortedSpool(folder)
        self.counts: Counter[str] = Counter()

    def append(self, row: dict) -> None:
        self.counts[row["code"]] += 1
        self._spool.add((row["corpus_key"], str(row["task_id"])), self._spool.size,
                        orjson.dumps(row) + b"\n")

    def lines(self) -> Iterator[bytes]:
        """The rows' lines in order; they are gone once read."""
        for _, _, line in self._spool.merged():
            yield line

    def close(self) -> None:
        self._spool.close()


def _rejected_row(record: Record, code: str, reason: str) -> dict:
    return {
        "corpus_key": record.corpus_key,
        "task_id": record.task_id,
        "article_id": record.article_id,
        "unit_id": record.unit_id,
        "code": code,
        "reason": reason,
        "n_annotators": record.n_annotators,
    }


def _item_order(item: Item) -> tuple:
    data = item.data
    position = data.get("position")
    return (str(data.get("article_id") or ""), position if isinstance(position, int) else 0,
            item.unit_id, item.corpus_key)


def _group_key(schema: Schema, item: Item) -> str:
    value = item.data.get(schema.dataset.group_by)
    return str(value) if value is not None else f"unit:{item.unit_id}"


def stratify_question(schema: Schema) -> str | None:
    """The schema's stratify_by, else its first required single-choice question."""
    if schema.dataset.stratify_by:
        return schema.dataset.stratify_by
    for question in schema.questions:
        if kind_of(question.kind).stratifiable and question.required:
            return question.name
    return None


def _text_groups(schema: Schema, expected: int | None = None) -> TextGroups | None:
    """The near-duplicate split grouping of a comment dataset (None: not asked for), for
    about ``expected`` tasks (the snapshot header's count, None when it has none)."""
    threshold = schema.dataset.split_near_duplicates
    return (TextGroups(threshold, expected) if schema.unit == "comment" and threshold
            else None)


def _split_rows(unit_ids: StringColumn | Sequence[str], groups: np.ndarray,
                group_keys: Sequence[str], labels: np.ndarray, label_values: Sequence[Any],
                rows: np.ndarray,
                near: np.ndarray | None, marks: dict[str, str] | None,
                ) -> tuple[SplitRows, Callable[[int], str]]:
    """The dataset's rows as split columns, and each row's cluster name (its corpus
    cluster's first comment, else its own unit id), from the records' columns (``groups``,
    ``labels``: ids into ``group_keys``, ``label_values``), the records that are rows
    (``rows``), each record's text group (``near``: the index of its earliest record, or
    None) and the corpus's copy marks (unit id -> duplicate_of).

    A row's cluster is its corpus cluster joined with its text group: rows with the same
    corpus cluster name, or whose text groups' earliest records have the same unit id,
    are one cluster (as unit-id strings compare; only hashes are held per row)."""
    marks = marks or {}

    def name_of(row: int) -> str:
        unit = unit_ids[rows[row]]
        return marks.get(unit, unit)

    # hashes of the rows' keys only (not of every record): a few MB less at a million
    hashes = np.fromiter(map(hash, map(name_of, range(len(rows)))), dtype=np.int64,
                         count=len(rows))
    joins = [string_codes(hashes, name_of).astype(np.int32)]  # codes below the rows
    if near is not None:
        earliest = near[rows]
        hashes = np.fromiter(map(hash, map(unit_ids.__getitem__, earliest)),
                             dtype=np.int64, count=len(rows))
        joins.append(string_codes(hashes, lambda row: unit_ids[earliest[row]]).astype(np.int32))
    del hashes
    return SplitRows(groups[rows], group_keys, labels[rows], label_values, joins), name_of


def _ints(column: array) -> np.ndarray:
    """A copy of an int ``array`` column as numpy, of the column's own width (a copy: the
    column may grow later)."""
    return np.frombuffer(column, dtype=f"i{column.itemsize}").copy()


def _count_in_splits(schema: Schema, rows: SplitRows, split_of: dict[str, str],
                     ) -> dict[str, int]:
    """Split name -> its number of rows."""
    names = list(schema.dataset.splits)
    present = np.unique(rows.groups)
    split = np.zeros(int(present.max()) + 1 if len(present) else 0, dtype=np.int64)
    for group in present.tolist():
        split[group] = names.index(split_of[rows.group_keys[group]])
    counts = np.bincount(split[rows.groups], minlength=len(names)).tolist()
    return dict(zip(names, counts, strict=True))


def _assign(schema: Schema, rows: SplitRows, name_of: Callable[[int], str],
            previous: dict[str, str], report: Report, *, marks_checked: bool,
            texts_checked: bool) -> tuple[dict[str, str], dict | None]:
    """(group key -> split, near-duplicate figures for the card or None) for ``rows``
    (:func:`_split_rows`); groups in ``previous`` (the last build's assignment) keep their
    split. The groups of one near-duplicate cluster (corpus marks, ``marks_checked``, or
    text groups at the schema's ``dataset.split_near_duplicates``, ``texts_checked``) are
    dealt as one; those joining several groups are reported (B051, the largest few), each
    cluster named by the smallest of its rows' names (``name_of``: the earliest first)."""
    clusters = row_clusters(rows)
    split_of, _ = deal_rows(rows, clusters, dict(schema.dataset.splits), schema.dataset.seed,
                            fixed=previous)
    if not (marks_checked or texts_checked):
        return split_of, None
    sizes = np.bincount(clusters)
    several = sizes[sizes > 1]
    width = len(rows.group_keys)
    pairs = np.unique(clusters * width + rows.groups)  # (cluster, group) met
    groups_of = np.bincount(pairs // width, minlength=len(sizes))
    names: dict[int, str] = {}
    for row in np.flatnonzero(groups_of[clusters] > 1).tolist():
        cluster, name = int(clusters[row]), name_of(row)
        if name < names.get(cluster, name + "\uffff"):
            names[cluster] = name
    spanning = sorted(((int(groups_of[cluster]), name) for cluster, name in names.items()),
                      key=lambda pair: (-pair[0], pair[1]))
    by_name = {name: cluster for cluster, name in names.items()}
    for count, key in spanning[:5]:
        report.info("B051", key, f"near-duplicate cluster of {sizes[by_name[key]]} items "
                    f"joins {count} `{schema.dataset.group_by}` groups",
                    "dealt as one group: all its items are in one split")
    return split_of, {
        "largest": (spanning[0][1], spanning[0][0], len(np.unique(rows.groups)))
        if spanning else None,
        "corpus": marks_checked,
        "split_threshold": schema.dataset.split_near_duplicates if texts_checked else None,
        "clusters": len(several),
        "items_in_clusters": int(several.sum()),
        "copies": int(several.sum()) - len(several),
        "joining_groups": len(spanning),
    }


def _joined_cause(schema: Schema, joined: tuple[str, int, int] | None) -> str:
    """``; near-duplicate cluster X joins N of the G groups into one ...`` for an empty
    split's finding, from (largest joining cluster, its groups, all groups), else empty."""
    if joined is None:
        return ""
    key, count, total = joined
    share = f"all {count}" if count == total else f"{count} of the {total}"
    return (f"; near-duplicate cluster {key} joins {share} `{schema.dataset.group_by}` groups "
            "into one, dealt to one split")


def _copies_skipped(schema: Schema, corpus: Path, marks: dict[str, str], *,
                    sampled: bool) -> dict[str, str]:
    """Copy comment id -> its first comment's id, for the near-duplicate copies the
    schema's policy did not push (``sampled``: pushed from a sample, which pushes no copy)."""
    if schema.unit != "comment" or not marks:
        return {}
    policy = "annotate_once" if sampled else schema.annotation.near_duplicates
    return copies_not_pushed(policy, read_corpus(corpus))


def _add_copies(schema: Schema, corpus: Path, skip: dict[str, str], seen: TaskKeys,
                keep: set[str], first: FirstPass, kept: bytearray, rejected: _Rejected,
                ) -> tuple[int, int]:
    """One row per copy in ``skip`` that is not in the snapshot and whose first comment is
    in the dataset: that comment's labels, provenance ``duplicate``, no annotations
    (spooled through ``first``, marked in ``kept``).
    Returns (copies added, copies left out because their first has no labels)."""
    todo = {copy: one for copy, one in skip.items() if corpus_key(schema, copy) not in seen}
    if not todo:
        return 0, 0
    by_unit: dict[str, Item] = {}
    for unit, entries in first.first_items.items():
        for index, item in entries:  # the last one in the dataset's items, as before
            if kept[index]:
                by_unit[unit] = item
    added = 0
    for data in tasks_from_corpus(schema, corpus):
        one = by_unit.get(todo.get(data["unit_id"], ""))
        if one is None:
            continue  # not a copy left out, or its first comment is not in the dataset (yet)
        fields = {key: value for key, value in data.items() if key in keep}
        fields["duplicate_of"] = one.unit_id
        index = first.add(replace(one, corpus_key=data["corpus_key"], unit_id=data["unit_id"],
                                  task_id=None, data=fields, annotations=[], n_annotators=0,
                                  provenance={name: "duplicate" for name in one.provenance}),
                          copy=True)
        error = first.encode_errors.get(index)
        if error is not None:
            rejected.append(_rejected_row(first.record(index), "invalid", error))
            kept.append(2)
        else:
            kept.append(1)
        added += 1
    return added, len(todo) - added


def _sample_manifest(schema: Schema, header: dict, given: str | Path | None,
                     snapshot_path: Path, report: Report) -> Recorded | None:
    """The manifest of the sample the snapshot's tasks were pushed from: ``given``, else the
    one beside the default ledger of the snapshot's server; None without one (B060 when
    the schema has a ``selection`` but no manifest is found)."""
    if given is not None:
        return read_manifest(given, schema.name)
    server = header.get("server")
    if isinstance(server, str) and server:
        found = manifest_path(ledger_path(DEFAULT_LEDGER_DIR, server, schema.name))
        if found.is_file():
            return read_manifest(found, schema.name)
    if schema.selection is not None:
        report.warning(
            "B060", str(snapshot_path), "the schema samples (selection) but no sample manifest "
            "was found beside the push ledger of the snapshot's server; inclusion_probability "
            "is null and the card does not state the sampling frame",
            "give `corpus build --selection FILE` (the .selection.json written by push)")
    return None


def _near_duplicate_marks(corpus: str | Path | None) -> dict[str, str] | None:
    """Comment id -> duplicate_of for the corpus's marked copies; None without a corpus."""
    if corpus is None:
        return None
    return {c.id: c.duplicate_of for article in read_corpus(Path(corpus))
            for c in article.comments if c.duplicate_of}


def previous_splits(folder: Path, schema: Schema) -> dict[str, str]:
    """The group -> split assignment a previous build wrote into ``folder`` (its
    splits.json); empty when there is none, or when it grouped by another field."""
    path = folder / SPLITS_FILE
    if not path.is_file():
        return {}
    try:
        saved = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the previous build's split assignment ({exc}); "
                         "delete the file to deal the splits afresh") from exc
    splits = saved.get("splits") if isinstance(saved, dict) else None
    if not isinstance(splits, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in splits.items()
    ):
        raise InputError(f"{path}: not a split assignment written by `corpus build`; delete "
                         "the file to deal the splits afresh")
    if saved.get("group_by") != schema.dataset.group_by:
        return {}  # grouped by another field: the keys mean something else
    return {key: split for key, split in splits.items() if split in schema.dataset.splits}


def _new_distribution(schema: Schema) -> dict[str, dict[str, dict[str, int]]]:
    return {q.name: {} for q in schema.questions if kind_of(q.kind).in_distribution}


def _count_labels(schema: Schema, item: Item, split: str, distribution: dict) -> None:
    for name, per_split in distribution.items():
        value = item.labels.get(name)
        counts = per_split.setdefault(split, {})
        values = value if isinstance(value, (tuple, list)) else [value]
        if not values:
            values = [None]
        for v in values:
            if isinstance(v, bool):
                key = "yes" if v else "no"
            elif v is None:
                key = "(none)"
            else:
                key = str(v)
            counts[key] = counts.get(key, 0) + 1


def _corpus_counts(keys: KeysView[str], seen: TaskKeys) -> tuple[int, int, int]:
    """Corpus units vs snapshot tasks: (corpus units, not pushed, tasks not in the corpus);
    ``keys`` come from the pass's one corpus read."""
    return (len(keys), len(keys) - seen.count_in(keys),
            sum(1 for key in seen.keys() if key not in keys))


@contextmanager
def _staged(out: Path) -> Iterator[Path]:
    """A fresh ``.<out>.building`` folder to write the dataset in; moved into place when
    the block ends, removed when it fails (a full disk, Ctrl-C): never half a dataset."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        yield staging
        _move_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_out(out: Path) -> None:
    """Refuse an output folder holding anything build did not write (it is replaced)."""
    if out.exists() and not out.is_dir():
        raise OptionError(f"{out}: is a file; --out must be a folder")
    if out.exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in _OWNED)
        if foreign:
            raise OptionError(
                f"{out}: holds files build did not write ({', '.join(foreign[:3])}); "
                "choose another --out or empty the folder"
            )


def _move_into_place(staging: Path, out: Path) -> None:
    """Swap ``staging`` in as ``out``. The previous dataset is moved aside first and
    removed only once the new one is in place (put back if the swap fails), so there is
    no moment without a dataset."""
    _check_out(out)
    if not out.exists():
        staging.rename(out)
        return
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
