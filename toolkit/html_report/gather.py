"""Read a snapshot once, through the library, into the report's aggregates (model.ReportPage).

One streaming pass: each task goes through validation (``toolkit.validate``),
aggregation (``toolkit.aggregate``, reusing the answers validation extracted)
and the agreement collector (``toolkit.agreement``), as build does; beside them
a tally keeps what the page plots (counts per day, per annotator, per label,
per pattern of answers, lead times) and the annotators' competence is gathered
in compact arrays (toolkit.review.quality.CompetenceCollector). No task,
aggregated item, validation finding or unresolved row is kept (the page shows their
counts): memory grows with annotators x questions x labels, and per task only by a
few small numbers (lead times as 8-byte floats, answer codes in a byte each, the
unit key's bytes and hash: toolkit.html_report.outcomes), not with task texts, about
250 bytes a task at the peak (bench/bench_report.py prints the peak at two sizes).
Under a rule that decides all items at once (dawid_skene, crowdlab) review_snapshot
still holds the aggregated items for the rule.

A built dataset folder (``dataset``), when given, adds the label distribution
per split (read from its Parquet files) and the balance of that build (its
``rejected/rejected.jsonl`` and split sizes); without one the balance is
predicted from the snapshot by build's own rules.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from .._version import __version__
from ..columns import GroupedFloats
from ..corpus import read_corpus
from ..errors import InputError
from ..kinds import kind_of
from ..kinds.base import NONE_KEY
from ..kinds.labelxml import captions
from ..model.saved import latest_meta, read_history
from ..model.votes import baseline_votes
from ..review.aggregate import (
    GROUND_TRUTH,
    MAJORITY,
    NO_ANNOTATIONS,
    OK,
    STATUS_UNRESOLVED,
    TOO_FEW,
    UNANIMOUS,
    AggregatedItem,
)
from ..review.agreement import AgreementReport, reliability
from ..review.records import Task
from ..review.run import ReviewResult, review_snapshot
from ..review.validate import CODES
from ..schema import Question, Schema
from ..studio.snapshot import OnProgress, Snapshot
from . import bootstrap
from .model import (
    AnnotatorSummary,
    BalanceView,
    CodeCount,
    ConfusionCell,
    DayCount,
    LabelCount,
    ModelView,
    PairAgreement,
    Progress,
    QuestionSummary,
    ReportPage,
)
from .outcomes import PredictedOutcomes

NONE = NONE_KEY
NO_ANSWER = "(no answer)"
# Suspiciously fast: an annotator whose median time per annotation is below this share of
# the median over every annotation (and who has at least FAST_MIN_ANNOTATIONS timed ones).
FAST_SHARE = 0.5
FAST_MIN_ANNOTATIONS = 5
_RESOLVED = (UNANIMOUS, MAJORITY, GROUND_TRUTH)


def label_texts(schema: Schema, question: Question) -> dict[str, str]:
    """Stored value -> what annotators saw: the display text of each label as the Label
    Studio config shows it (for yes/no, the config's caption in the schema's language
    unless the schema gives one)."""
    rows = kind_of(question.kind).label_rows(question, captions(schema))
    return {row[0]: row[1] for row in rows}


def _shown(texts: Mapping[str, str], key: str) -> str:
    """"موافق (agree)": the display text with the stored value beside it."""
    text = texts.get(key)
    return f"{text} ({key})" if text and text != key else key


class Tally:
    """What the page plots, counted task by task: an observer of the review pass
    (``review_snapshot(..., observers=[tally])``)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.progress = Progress(overlap=schema.annotation.overlap)
        self.submitted: Counter = Counter()
        self.cancelled: Counter = Counter()
        self.drafts: Counter = Counter()
        self.per_day: Counter = Counter()
        # annotator -> lead times, in a temporary file past a buffer (8 bytes each)
        self.lead = GroupedFloats()
        self.names: dict[str, str] = {}
        kinds = {q.name: kind_of(q.kind) for q in schema.questions}
        self.kinds = kinds
        self.labeled = [q for q in schema.questions if kinds[q.name].report_distribution]
        self.parts = [(q.name, kinds[q.name].answer_parts) for q in self.labeled]
        self.distribution: dict[str, Counter] = {q.name: Counter() for q in self.labeled}
        self.unresolved: Counter = Counter()
        # per question: pattern of answers (sparse tuple) -> items; see _pattern
        self.alpha_questions = [q for q in self.labeled if kinds[q.name].alpha_level]
        self.patterns: dict[str, Counter] = {q.name: Counter() for q in self.alpha_questions}
        self.value_index: dict[str, dict[Any, int]] = {}
        for q in self.alpha_questions:
            values = kinds[q.name].answer_values(q)
            self.value_index[q.name] = {v: i for i, v in enumerate(values)}
        self._memo: dict[str, dict[tuple, tuple]] = {q.name: {} for q in self.alpha_questions}
        self.confusion: Counter = Counter()
        # one value per answer: each annotator's answer against the aggregated label
        self.confused = [q for q in self.alpha_questions if not kinds[q.name].set_valued]
        self.confused_names = [q.name for q in self.confused]
        self._alpha_plan = [(q, q.name, kinds[q.name].set_valued, self._memo[q.name],
                             self.patterns[q.name]) for q in self.alpha_questions]
        # build's outcome per task (predicted), a unit's second task a duplicate
        self.outcomes = PredictedOutcomes()
        # (question, origin) -> results of annotations made from a suggestion: origin
        # "prediction" kept as suggested, "prediction-changed" changed (Label Studio 1.23)
        self.suggested: Counter = Counter()

    @property
    def predicted(self) -> Counter:
        """Build's outcome -> tasks (predicted), once the read is over."""
        return self.outcomes.predicted

    @property
    def rejected_detail(self) -> Counter:
        """(reason code, detail) -> tasks build would reject, once the read is over."""
        return self.outcomes.rejected_detail

    def _suggested(self, results: Any) -> None:
        for result in results if isinstance(results, list) else ():
            origin = result.get("origin") if isinstance(result, dict) else None
            if origin in ("prediction", "prediction-changed"):
                self.suggested[(str(result.get("from_name")), origin)] += 1

    def __call__(self, task: Task, item: AggregatedItem, invalid: str | None) -> None:
        # the hot loop of `corpus report` (once per task): attributes and dict methods are
        # looked up once, the records' properties read inline
        progress = self.progress
        progress.tasks += 1
        by_status = progress.by_status
        by_status[item.status] = by_status.get(item.status, 0) + 1
        n = item.n_annotators
        if n >= progress.overlap:
            progress.complete += 1
        elif n:
            progress.partial += 1
        else:
            progress.not_started += 1
        if item.names:
            self.names.update(item.names)
        lead_times = self.lead
        whos, days = [], []  # counted at the end, by Counter.update's C loop
        for record in task.annotations or ():
            if record is None:
                continue
            who = record.annotator_id or f"annotation-{record.id}"  # record.annotator
            if record.cancelled:
                self.cancelled[who] += 1
                progress.cancelled += 1
                continue
            whos.append(who)
            raw = record.raw
            if raw.get("parent_prediction") is not None:  # made from a suggestion
                self._suggested(raw.get("result"))
            created = raw.get("created_at")  # record.created_at
            if isinstance(created, str) and len(created) >= 10:
                days.append((created[:10], who))
            lead = raw.get("lead_time")  # record.lead_time
            if isinstance(lead, (int, float)) and not isinstance(lead, bool) and lead > 0:
                lead_times.append(who, float(lead))
        if whos:
            self.submitted.update(whos)
            progress.submitted += len(whos)
            self.per_day.update(days)
        for draft in task.drafts or ():
            progress.drafts += 1
            user = draft.get("user") if isinstance(draft, dict) else None
            if user is not None:
                self.drafts[str(user)] += 1
        self._outcome(item, invalid)
        if item.status not in (OK, STATUS_UNRESOLVED):
            return
        provenance, labels = item.provenance, item.labels
        for name, parts_of in self.parts:
            if provenance.get(name) not in _RESOLVED:
                self.unresolved[name] += 1
                continue
            counts = self.distribution[name]
            parts = parts_of(labels.get(name))
            for part in parts:  # raw (str, bool, int, None): keyed for the page at the end
                counts[part] += 1
            if not parts:
                counts[NONE] += 1
        if n < 2:
            return
        votes = item.votes
        for q, name, set_valued, memo, patterns in self._alpha_plan:
            given = votes.get(name) if votes is not None else None
            if given is None:
                if set_valued:
                    given = [a.get(name) or None for _, a in item.answers]
                else:
                    given = [a.get(name) for _, a in item.answers]
            key = tuple(given)
            pattern = memo.get(key)
            if pattern is None:
                pattern = memo[key] = self._pattern(q, given)
            patterns[pattern] += 1
        voters: list[str] | None = None
        for name in self.confused_names:
            if provenance.get(name) not in _RESOLVED:
                continue
            if voters is None:
                voters = [who for who, _ in item.answers]
            # raw values (one value per answer: votes are the answers as given), keyed for
            # the page at the end; counted by the C loop of Counter.update
            given = votes.get(name) if votes is not None else None
            if given is None:
                given = [answers.get(name) for _, answers in item.answers]
            self.confusion.update(zip(voters, repeat(name), given, repeat(labels.get(name))))

    def _pattern(self, q: Question, votes: list) -> tuple:
        """A sparse row of the item's value counts: ((column, count), ...). Multi choice:
        two columns per label (not ticked, ticked), as agreement's per-label decisions."""
        if self.kinds[q.name].set_valued:
            index = self.value_index[q.name]
            ticked = Counter(label for vote in votes for label in set(vote or ())
                             if label in index)
            size = len(votes)
            row = []
            for label, i in index.items():
                yes = ticked.get(label, 0)
                if size - yes:
                    row.append((2 * i, size - yes))
                if yes:
                    row.append((2 * i + 1, yes))
            return tuple(row)
        index = self.value_index[q.name]
        counts: Counter = Counter()
        for vote in votes:
            if vote is None:
                continue
            column = index.get(vote)
            if column is None:  # a value outside the schema (validate reports it)
                column = index[vote] = len(index)
            counts[column] += 1
        return tuple(sorted(counts.items()))

    def _outcome(self, item: AggregatedItem, invalid: str | None) -> None:
        """Where build would put this task (build's order of checks)."""
        key = item.corpus_key or f"task:{item.task_id}"  # a repeat: found after the read
        add = self.outcomes.add
        if invalid is not None:  # "V002 unknown-label: <message>": grouped by code
            code = invalid.split(":", 1)[0]
            add(key, "rejected: invalid", ("invalid", code))
        elif item.status == NO_ANNOTATIONS:
            add(key, "not yet annotated")
        elif item.status == TOO_FEW:
            add(key, f"rejected: {TOO_FEW}",
                (TOO_FEW, f"fewer than {self.schema.annotation.min_annotations} annotators"))
        elif item.status == STATUS_UNRESOLVED:
            add(key, f"rejected: {STATUS_UNRESOLVED}", (STATUS_UNRESOLVED, item.reason))
        else:
            add(key, "in the dataset")


def gather_report(
    snapshot: str | Path | Snapshot,
    schema: Schema,
    *,
    corpus: str | Path | None = None,
    dataset: str | Path | None = None,
    replicates: int = bootstrap.REPLICATES,
    competence: list[dict[str, Any]] | None = None,
    near_duplicates: dict[str, Any] | None = None,
    models: str | Path | None = None,
    on_progress: OnProgress | None = None,
    on_figures: OnProgress | None = None,
) -> ReportPage:
    """The report's aggregates of a snapshot (see the module docstring): the review
    pass (``review_snapshot``) with a :class:`Tally` riding on it, then
    :func:`finish_report`. SnapshotError when the snapshot cannot be read or belongs
    to another schema; InputError when ``dataset`` is not a dataset folder written by
    `corpus build`. The annotators' competence is computed from the same read unless
    given. ``on_progress(done, total)``: tasks read, for a bar; ``on_figures(done,
    total)``: the questions whose agreement and competence figures are made after it."""
    tally = Tally(schema)
    review = review_snapshot(snapshot, schema, corpus=corpus, aggregate=False,
                             observers=[tally], competence=competence is None,
                             model_votes=baseline_votes,  # rule crowdlab: the model votes
                             # the page counts unresolved items and findings, lists none
                             list_unresolved=False, keep_findings=False,
                             on_progress=on_progress, on_figures=on_figures)
    if competence is None and review.competence is not None:  # from the same read
        competence = review.competence.report_rows()
    return finish_report(review, tally, schema, corpus=corpus, dataset=dataset,
                         replicates=replicates, competence=competence,
                         near_duplicates=near_duplicates, models=models)


def finish_report(
    review: ReviewResult,
    tally: Tally,
    schema: Schema,
    *,
    corpus: str | Path | None = None,
    dataset: str | Path | None = None,
    replicates: int = bootstrap.REPLICATES,
    competence: list[dict[str, Any]] | None = None,
    near_duplicates: dict[str, Any] | None = None,
    models: str | Path | None = None,
) -> ReportPage:
    """The report from a review pass that ran with ``tally`` as an observer (with
    validation and agreement): `corpus sync` passes build's pass here. The
    near-duplicate section is read from ``corpus`` unless given; the model section from
    the schema's models folder (``models``, default exports/<schema>/models)."""
    assert review.validation is not None and review.agreement is not None
    snap = review.snapshot
    agreement = review.agreement
    if near_duplicates is None and corpus is not None:
        near_duplicates = near_duplicate_section(corpus)
        if near_duplicates is not None:
            near_duplicates["policy"] = schema.annotation.near_duplicates
    report = ReportPage(
        title=schema.title,
        schema_name=schema.name,
        schema_version=schema.version,
        snapshot=str(snap.path),
        pulled_at=snap.header.get("pulled_at") if isinstance(snap.header, dict) else None,
        generated_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        toolkit_version=__version__,
        direction=schema.direction,
        progress=tally.progress,
        items_used=agreement.items_used,
        items_left_out=agreement.items_left_out,
        bootstrap_replicates=replicates,
        competence=competence,
        near_duplicates=near_duplicates,
    )
    if review.schema_changed is not None:
        report.notes.append(f"{review.schema_changed}; answers are read with the schema given")
    # who decides items (stars, adjudicators: A060-A063) and the label model (A053, A054)
    report.notes.extend(f"{f.level}[{f.code} {f.name}] {f.where}: {f.message}; {f.action}"
                        for f in review.findings)
    labels = _annotator_labels(agreement, tally)
    if review.ratings:  # a rule with a model (crowdlab): its ratings beside the competence
        report.competence = (report.competence or []) + [
            {"annotator": (f"model {r['model']}" if r["annotator"] is None
                           else labels.get(str(r["annotator"]), str(r["annotator"]))),
             "question": f"{r['question']} (CROWDLAB)", "score": round(r["quality"], 4),
             "items": r["items"], "on_gold": None, "flags": []}
            for r in review.ratings]
    report.per_day = [DayCount(day, labels.get(who, who), n)
                      for (day, who), n in sorted(tally.per_day.items())]
    report.questions = _questions(schema, tally, agreement, replicates)
    report.annotators, report.fast_rule = _annotators(agreement, tally, labels)
    report.pairs = _pairs(agreement, labels)
    report.confusion = _confusion(schema, tally, labels)
    summary = review.validation.summary
    report.findings = [CodeCount(code, CODES[code][1], CODES[code][0], n, question or None)
                       for (code, question), n in sorted(summary.items())]
    if dataset is not None:
        _from_dataset(report, schema, Path(dataset), tally)
    else:
        report.balance = BalanceView(
            source="predicted from this snapshot by build's rules (no dataset folder given)",
            in_splits={"in the dataset (all splits)": tally.predicted["in the dataset"]},
            rejected=_by_code(tally.rejected_detail),
            not_annotated=tally.predicted["not yet annotated"],
        )
        report.rejected_reasons = [CodeCount(code, detail, "rejected", n)
                                   for (code, detail), n in sorted(tally.rejected_detail.items())]
    report.model = model_view(schema, tally, agreement, models)
    return report


def model_view(schema: Schema, tally: Tally, agreement: AgreementReport,
               models: str | Path | None = None) -> ModelView | None:
    """The model section: the newest model's cross-validated figures per question beside
    the annotators' alpha, the share of suggested answers annotators kept, and the
    learning curve over the model history. None when no model was trained."""
    meta = latest_meta(schema.name, models)
    if meta is None:
        return None
    alphas = {q.question: q.alpha for q in agreement.questions}
    rows = []
    for spec in meta.get("questions", []):
        name = str(spec.get("name"))
        kept = tally.suggested.get((name, "prediction"), 0)
        changed = tally.suggested.get((name, "prediction-changed"), 0)
        rows.append({"question": name, "accuracy": spec.get("accuracy"),
                     "macro_f1": spec.get("macro_f1"),
                     "majority_baseline": spec.get("majority_baseline"),
                     "alpha": alphas.get(name), "kept": kept, "changed": changed})
    curve = [{"items": entry.get("items"), "question": question,
              "accuracy": figures.get("accuracy"), "version": entry.get("version")}
             for entry in read_history(schema.name, models)
             for question, figures in (entry.get("questions") or {}).items()
             if isinstance(figures, dict) and figures.get("accuracy") is not None]
    return ModelView(str(meta.get("model_version")), int(meta.get("training_items") or 0),
                     rows, curve)


def _by_code(detail: Counter) -> dict[str, int]:
    out: Counter = Counter()
    for (code, _), n in detail.items():
        out[code] += n
    return dict(sorted(out.items()))


def _annotator_labels(agreement: AgreementReport, tally: Tally) -> dict[str, str]:
    """Annotator id -> the name `corpus agree` shows ("2 (huda@example.org)")."""
    labels = {person.annotator: person.label for person in agreement.annotators}
    for who in list(tally.submitted) + list(tally.cancelled) + list(tally.drafts):
        if who not in labels:
            name = tally.names.get(who)
            labels[who] = f"{who} ({name})" if name else who
    return labels


def _questions(schema: Schema, tally: Tally, agreement: AgreementReport,
               replicates: int) -> list[QuestionSummary]:
    figures = {q.question: q for q in agreement.questions}
    out = []
    for q in tally.labeled:
        kind = tally.kinds[q.name]
        texts = label_texts(schema, q)
        summary = QuestionSummary(q.name, q.kind, q.prompt, unresolved=tally.unresolved[q.name],
                                  unit=kind.report_unit, span_f1=kind.span_f1)
        counts: Counter = Counter()
        for value, n in tally.distribution[q.name].items():
            counts[kind.answer_key(value)] += n
        order = [kind.answer_key(v) for v in kind.answer_values(q)]
        for key in order + sorted(k for k in counts if k not in order):
            if key in counts or key in order:
                summary.distribution.append(LabelCount(key, texts.get(key) or key, counts[key]))
        fig = figures.get(q.name)
        if fig is not None:
            summary.items = fig.items
            summary.alpha = fig.alpha
            summary.reading = reliability(fig.alpha)
            summary.alpha_interval_level = fig.alpha_interval
            summary.alpha_per_label = dict(fig.alpha_per_label)
            summary.fleiss_kappa = fig.fleiss_kappa
            summary.cohen_kappa_mean = fig.cohen_kappa_mean
            summary.full_agreement = fig.full_agreement
            summary.span_f1_exact = fig.span_f1_exact
            summary.span_f1_overlap = fig.span_f1_overlap
            summary.method = fig.method
            summary.notes = list(fig.notes)
        if q.name in tally.patterns and summary.alpha is not None and replicates > 0:
            interval = _interval(q, tally, replicates)
            if interval is not None:
                summary.alpha_low, summary.alpha_high = interval
        out.append(summary)
    return out


def _interval(q: Question, tally: Tally, replicates: int) -> tuple[float, float] | None:
    patterns = tally.patterns[q.name]
    if not patterns:
        return None
    index = tally.value_index[q.name]
    kind = tally.kinds[q.name]
    width = 2 * len(index) if kind.set_valued else len(index)
    dense = np.zeros((len(patterns), width), dtype=np.int64)
    for row, pattern in enumerate(patterns):
        for column, count in pattern:
            dense[row, column] = count
    multiplicity = np.fromiter(patterns.values(), dtype=np.int64, count=len(patterns))
    if kind.set_valued:  # one binary variable per label: (not ticked, ticked)
        blocks = [slice(2 * i, 2 * i + 2) for i in range(len(index))]
        return bootstrap.bootstrap_patterns(dense, multiplicity, "nominal", None, blocks,
                                            replicates=replicates)
    level = kind.alpha_level or "nominal"
    domain = [float(v) for v in index] if level != "nominal" else None
    return bootstrap.bootstrap_patterns(dense, multiplicity, level, domain,
                                        replicates=replicates)


def _annotators(agreement: AgreementReport, tally: Tally,
                labels: dict[str, str]) -> tuple[list[AnnotatorSummary], str]:
    everyone = {person.annotator: person for person in agreement.annotators}
    ids = sorted(set(everyone) | set(tally.submitted) | set(tally.cancelled),
                 key=lambda who: (-tally.submitted[who], who))
    overall = tally.lead.median()
    out = []
    for who in ids:
        person = everyone.get(who)
        summary = AnnotatorSummary(
            id=who, label=labels.get(who, who), submitted=tally.submitted[who],
            cancelled=tally.cancelled[who], drafts=tally.drafts[who],
            items=person.items if person else 0,
            with_majority=person.with_majority if person else None,
        )
        if tally.lead.count(who):
            times = tally.lead.values(who)  # one annotator's at a time
            p10, q1, median, q3, p90 = np.percentile(times, [10, 25, 50, 75, 90])
            summary.lead_time_n = len(times)
            summary.lead_time_p10, summary.lead_time_q1 = float(p10), float(q1)
            summary.lead_time_median = float(median)
            summary.lead_time_q3, summary.lead_time_p90 = float(q3), float(p90)
            summary.fast = bool(overall is not None and len(times) >= FAST_MIN_ANNOTATIONS
                                and median < FAST_SHARE * overall)
        out.append(summary)
    if overall is None:
        rule = "No annotation has a recorded time (lead_time)"
    else:
        rule = (f"Marked suspiciously fast: a median time per annotation under "
                f"{FAST_SHARE:.0%} of the median over all annotations ({overall:.1f} s), "
                f"with {FAST_MIN_ANNOTATIONS} or more timed annotations")
    return out, rule


def _pairs(agreement: AgreementReport, labels: dict[str, str]) -> list[PairAgreement]:
    out = []
    for q in agreement.questions:
        if kind_of(q.kind).span_f1:
            pairs = {key: (fig["exact"], fig["items"]) for key, fig in q.span_f1.items()}
        else:
            pairs = {key: (fig["kappa"], fig["items"]) for key, fig in q.cohen_kappa.items()}
        for key, (value, items) in pairs.items():
            first, _, second = key.partition("|")
            a, b = labels.get(first, first), labels.get(second, second)
            out.append(PairAgreement(q.question, a, b, value, items))
            out.append(PairAgreement(q.question, b, a, value, items))
    return out


def _confusion(schema: Schema, tally: Tally, labels: dict[str, str]) -> list[ConfusionCell]:
    texts = {q.name: label_texts(schema, q) for q in tally.confused}
    keyed: Counter = Counter()
    for (who, name, given, label), n in tally.confusion.items():
        key = tally.kinds[name].answer_key
        keyed[(who, name, key(given), key(label))] += n
    out = []
    for (who, name, given, label), n in sorted(keyed.items()):
        shown = texts[name]
        given_text = NO_ANSWER if given == NONE else _shown(shown, given)
        out.append(ConfusionCell(labels.get(who, who), name, given_text,
                                 _shown(shown, label), n))
    return out


# --------------------------------------------------------------------- a built dataset


def _from_dataset(report: ReportPage, schema: Schema, folder: Path, tally: Tally) -> None:
    """Per split label counts, rejected reasons and the balance of a built dataset folder."""
    import pyarrow.parquet as pq

    data = folder / "data"
    files = sorted(data.glob("*.parquet")) if data.is_dir() else []
    rejected_file = folder / "rejected" / "rejected.jsonl"
    if not files and not rejected_file.is_file():
        raise InputError(f"{folder}: not a dataset folder written by `corpus build` (no "
                         "data/*.parquet, no rejected/rejected.jsonl); give the folder build "
                         "wrote, e.g. exports/<schema>/dataset")
    report.dataset = str(folder)
    in_splits: Counter = Counter()
    questions = {q.name: q for q in tally.labeled}
    per_split: dict[str, dict[str, Counter]] = {name: {} for name in questions}
    for path in files:
        split = path.name.split("-", 1)[0]
        try:
            table = pq.read_table(path, columns=[c for c in questions
                                                 if c in pq.read_schema(path).names])
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read this Parquet file ({exc})") from exc
        in_splits[split] += table.num_rows
        for name in table.column_names:
            counts = per_split[name].setdefault(split, Counter())
            _count_column(questions[name], tally.kinds[name], table.column(name).to_pylist(),
                          counts)
    for summary in report.questions:
        texts = label_texts(schema, questions[summary.name])
        for split, counts in per_split.get(summary.name, {}).items():
            for entry in list(summary.distribution):
                if entry.split == "all":
                    summary.distribution.append(LabelCount(entry.value, entry.display,
                                                           counts.get(entry.value, 0), split))
            known = {e.value for e in summary.distribution}
            for key in sorted(set(counts) - known):
                summary.distribution.append(LabelCount(key, texts.get(key, key), counts[key],
                                                       split))
    detail: Counter = Counter()
    if rejected_file.is_file():
        for number, line in enumerate(rejected_file.read_bytes().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{rejected_file}:{number}: not JSON ({exc})") from exc
            code = str(row.get("code", "?"))
            reason = str(row.get("reason", ""))
            if code == "invalid":
                reason = " ".join(reason.split(":", 1)[0].split()[:2])
            elif code == TOO_FEW:
                reason = (f"fewer than {schema.annotation.min_annotations} annotators")
            elif code == "duplicate_task":
                reason = "a second task for a unit already seen"
            detail[(code, reason)] += 1
    report.rejected_reasons = [CodeCount(code, reason, "rejected", n)
                               for (code, reason), n in sorted(detail.items())]
    report.balance = BalanceView(
        source=f"dataset {folder}",
        in_splits=dict(in_splits),
        rejected=_by_code(detail),
        not_annotated=tally.predicted["not yet annotated"],
    )


def _count_column(question: Question, kind: Any, values: list, counts: Counter) -> None:
    for value in values:
        parts = kind.stored_parts(question, value)
        for part in parts:
            counts[kind.answer_key(part)] += 1
        if not parts:
            counts[NONE] += 1


# --------------------------------------------------------------------- near-duplicates


def near_duplicate_section(corpus: str | Path, largest: int = 10) -> dict[str, Any] | None:
    """The near-duplicate section from a corpus's ``duplicate_of`` marks (see
    toolkit.ingest.near_duplicates): clusters, comments in them, cluster sizes, the
    largest clusters with their first comment, and how many clusters join comments
    of several articles. None when the corpus has no copies (the section is left
    out); InputError when the corpus cannot be read."""
    first_text: dict[str, str] = {}  # comment id -> text, of comments that start a cluster
    first_article: dict[str, str] = {}
    members: Counter = Counter()  # cluster (its first comment's id) -> copies
    articles: dict[str, set[str]] = defaultdict(set)
    for article in read_corpus(Path(corpus)):
        for comment in article.comments:
            head = comment.duplicate_of
            if head is None:
                first_text[comment.id] = comment.text
                first_article[comment.id] = article.id
            else:
                members[head] += 1
                articles[head].add(article.id)
    if not members:
        return None
    sizes: Counter = Counter()
    cross = 0
    for head, copies in members.items():
        sizes[copies + 1] += 1
        joined = articles[head] | ({first_article[head]} if head in first_article else set())
        if len(joined) > 1:
            cross += 1
    top = sorted(members.items(), key=lambda pair: (-pair[1], pair[0]))[:largest]
    return {
        "clusters": len(members),
        "members": sum(members.values()) + len(members),
        "copies": sum(members.values()),
        "across_articles": cross,
        "largest": [{"size": copies + 1, "example": first_text.get(head, head),
                     "articles": len(articles[head] | ({first_article[head]}
                                                       if head in first_article else set()))}
                    for head, copies in top],
        "sizes": [{"size": size, "clusters": n} for size, n in sorted(sizes.items())],
    }
