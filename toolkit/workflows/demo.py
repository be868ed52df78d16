"""The demo: the whole pipeline on samples/, with hand-labelled demo annotations.

`corpus demo` starts the local Label Studio, ingests samples/, pushes the
comment schema's tasks, has three demo annotator accounts submit the answers of
samples/demo_annotations.yaml through the API, then pulls, validates, computes
agreement, builds the dataset and loads it back. Every step is one library call
that a user could make; this module only strings them together and reads the
demo annotation file.

The demo's schema is the shipped one under the demo's name; it is written next to
the demo's outputs (``exports/demo/comment_stance_demo.yaml``) so that the stage
commands work on the demo's files, and :meth:`DemoResult.redo_commands` gives
them, as the demo prints them.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import InputError
from ..ingest import FORMATS, discover
from ..paths import DEMO_EXPORTS, replacing
from ..schema import Schema, load_schema
from ..studio import server
from ..studio.annotate import annotators_of, ensure_annotator, submit_annotation
from ..studio.connection import Studio, connect
from ..studio.credentials import read_credentials
from ..studio.ledger import server_keys
from ..studio.results import build_result
from ..studio.server import ServerStatus
from ..tasks import corpus_key, tasks_from_corpus
from .sync import SyncResult, sync

if TYPE_CHECKING:
    from datasets import DatasetDict

SAMPLES = Path("samples")
DEMO_SCHEMA = Path("schemas/comment_stance.yaml")
DEMO_ANNOTATIONS = SAMPLES / "demo_annotations.yaml"
# The demo keeps to its own project and files, apart from real work on the same schema.
DEMO_SUFFIX = "_demo"
DEMO_FEATURE = "stance"  # the question whose labels the demo shows in a few rows


@dataclass(frozen=True)
class DemoAnnotation:
    """One annotator's answers on one comment, as written in the demo file."""

    comment_id: str
    annotator: str
    answers: dict[str, Any]


@dataclass
class AnnotateResult:
    """What submitting the demo annotations did."""

    created: int = 0
    already_present: int = 0
    annotators: dict[str, int] = field(default_factory=dict)  # username -> user id


def load_demo_annotations(path: Path | str, schema: Schema) -> list[DemoAnnotation]:
    """Read the demo file; a malformed file or an unknown question is one InputError."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the demo annotations ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise InputError(f"{path}: expected a mapping with `items: {{comment id: ...}}`")
    if data.get("schema") not in (None, schema.name):
        raise InputError(
            f"{path}: written for schema {data.get('schema')!r}, not {schema.name!r}"
        )
    out: list[DemoAnnotation] = []
    for comment_id, by_annotator in data["items"].items():
        if not isinstance(by_annotator, dict):
            raise InputError(f"{path}: item {comment_id}: expected annotator -> answers")
        for annotator, answers in by_annotator.items():
            unknown = set(answers) - set(schema.question_names)
            if unknown:
                raise InputError(
                    f"{path}: item {comment_id}, {annotator}: no question named "
                    f"{', '.join(sorted(unknown))} in schema {schema.name}"
                )
            out.append(DemoAnnotation(str(comment_id), str(annotator), dict(answers)))
    return out


def demo_lead_time(text: str, annotator: str) -> float:
    """Seconds the demo records as an annotation's time (Label Studio's ``lead_time``,
    which its editor measures): a reading time estimated from the comment's length
    (about 15 characters a second, plus 6 s to answer), a little slower or faster per
    demo annotator, so the report's time section has something to show. Demo data."""
    pace = 1.0 + (sum(annotator.encode("utf-8")) % 5 - 2) / 10
    return round((6.0 + len(text) / 15.0) * pace, 1)


def submit_demo_annotations(
    studio: Studio,
    schema: Schema,
    project_id: int,
    annotations: list[DemoAnnotation],
    *,
    corpus_path: Path | str,
    say: Callable[[str], None] | None = None,
) -> AnnotateResult:
    """Submit each demo annotation as its annotator's, once: an annotator who already
    annotated a task is skipped, so running the demo again adds nothing."""
    texts = {data["unit_id"]: data["text"] for data in tasks_from_corpus(schema, corpus_path)}
    task_ids = {key: task_id for task_id, key in server_keys(studio, project_id) if key}
    result = AnnotateResult()
    owners: dict[int, set[int]] = {}
    for item in annotations:
        key = corpus_key(schema, item.comment_id)
        if key not in task_ids or item.comment_id not in texts:
            raise InputError(
                f"demo annotations: comment {item.comment_id} is not a pushed task; "
                "were samples/ ingested and pushed?"
            )
        task_id = task_ids[key]
        if item.annotator not in result.annotators:
            result.annotators[item.annotator] = ensure_annotator(studio, item.annotator)
        user_id = result.annotators[item.annotator]
        if task_id not in owners:
            owners[task_id] = annotators_of(studio, task_id)
        if user_id in owners[task_id]:
            result.already_present += 1
            continue
        text = texts[item.comment_id]
        items = build_result(schema, item.answers, texts={"text": text})
        submit_annotation(studio, task_id, items, user_id=user_id,
                          lead_time=demo_lead_time(text, item.annotator))
        owners[task_id].add(user_id)
        result.created += 1
    if say:
        say(
            f"demo annotations: {result.created} submitted, {result.already_present} already "
            f"there, by {len(result.annotators)} demo annotators"
        )
    return result


def demo_inputs(samples: Path | str) -> list[Path]:
    """The input files of the samples folder (.txt/.jsonl/.csv), in ingest's order:
    the folder also holds the demo annotations, which are not an input."""
    formats = set(FORMATS.values())
    return [path for path, fmt in discover([samples]) if fmt in formats]


def write_demo_schema(schema_path: Path | str, exports: Path | str) -> Path:
    """Write the schema under the demo's name (``<name>_demo``, title ``DEMO <title>``)
    as ``exports/<name>_demo.yaml`` and return its path; the stage commands take it.

    The file is the shipped one with its top-level ``name:`` and ``title:`` lines
    replaced, so its comments stay, and its content hash is the in-memory copy's
    (the hash earlier demo snapshots were pulled under).
    """
    schema_path = Path(schema_path)
    real = load_schema(schema_path)
    wanted = real.model_copy(
        update={"name": real.name + DEMO_SUFFIX, "title": f"DEMO {real.title}"}
    )
    text = schema_path.read_text(encoding="utf-8")
    for key, value in (("name", wanted.name), ("title", wanted.title)):
        line = f"{key}: {json.dumps(value, ensure_ascii=False)}"  # JSON strings are YAML
        text, found = re.subn(rf"^{key}:.*$", line.replace("\\", "\\\\"), text, count=1,
                              flags=re.MULTILINE)
        if not found:
            raise InputError(f"{schema_path}: no top-level `{key}:` line to rename for the demo")
    header = (f"# Written by `corpus demo` from {schema_path.as_posix()}: the same schema under "
              "the demo's name.\n# Rewritten on each run; edit the original instead.\n")
    out = Path(exports) / f"{wanted.name}.yaml"
    with replacing(out) as tmp:
        tmp.write_text(header + text, encoding="utf-8")
    written = load_schema(out)
    if (written.name, written.title, written.content_hash) != (
        wanted.name, wanted.title, wanted.content_hash
    ):
        raise InputError(f"{out}: the demo's copy of {schema_path} does not read back the same")
    return out


def comment_to_annotate(annotations: list[DemoAnnotation], schema: Schema) -> str | None:
    """The comment a user's one annotation brings to the schema's minimum: the last one
    of the demo file that is exactly one annotation short."""
    counts: dict[str, int] = {}
    for item in annotations:
        counts[item.comment_id] = counts.get(item.comment_id, 0) + 1
    short = [c for c, n in counts.items() if n == schema.annotation.min_annotations - 1]
    return short[-1] if short else None


@dataclass
class DemoResult:
    """Everything the demo did, for the CLI to print, with the demo's own strings (the
    question shown in sample rows, the comment to annotate, the commands to redo it)."""

    server_url: str
    sync: SyncResult
    annotated: AnnotateResult
    dataset: DatasetDict  # loaded back from the built folder
    login_email: str
    credentials_path: Path | None
    schema_path: Path  # the demo's schema, written next to its outputs
    inputs: list[Path]  # the sample files ingested
    corpus_path: Path
    annotations_path: Path
    feature: str = DEMO_FEATURE
    comment_to_annotate: str | None = None

    def redo_commands(self) -> list[str]:
        """The stage commands that redo the demo by hand on its files, as printed.

        Annotating is the demo's own step (Label Studio's UI, or `corpus demo`). The
        server is the local one of `corpus studio up` (or LABEL_STUDIO_URL/_API_KEY).
        """
        schema = str(self.schema_path)
        corpus = str(self.corpus_path)
        snapshot = str(self.sync.pull.path)
        folder = str(self.sync.build.folder)

        def line(*args: str) -> str:
            return " ".join(shlex.quote(a) for a in ("corpus", *args))

        return [
            line("ingest", *map(str, self.inputs), "--out", corpus),
            line("schema", "check", schema),
            line("push", "--schema", schema, "--corpus", corpus),
            line("pull", "--schema", schema, "--out-dir", str(self.sync.pull.path.parent)),
            line("adjudicate", "--schema", schema, "--snapshot-dir",
                 str(self.sync.pull.path.parent)),
            line("validate", snapshot, "--schema", schema, "--corpus", corpus),
            line("agree", snapshot, "--schema", schema),
            line("build", snapshot, "--schema", schema, "--corpus", corpus, "--out", folder),
            line("report", snapshot, "--schema", schema, "--corpus", corpus, "--dataset",
                 folder, "--out", str(Path(folder).parent / "report.html"),
                 "--models-dir", str(Path(folder).parent / "models")),
        ]

    def sample_rows(self, count: int = 3) -> list[str]:
        """A few rows of the loaded dataset with the demo question's label, one line each."""
        split = "train" if "train" in self.dataset else next(iter(self.dataset))
        rows = self.dataset[split]
        feature = rows.features[self.feature]
        lines = []
        for row in rows.select(range(min(count, len(rows)))):
            value = row[self.feature]
            label = "-" if value is None else feature.int2str(value)
            text = row["text"].replace("\n", " ")
            lines.append(
                f"  [{split}] {self.feature}={label} ({row[self.feature + '_provenance']}, "
                f"{row['n_annotators']} annotators): {text[:70]}"
            )
        return lines


def run_demo(
    *,
    port: int | None = None,
    studio: Studio | None = None,
    schema_path: Path | str = DEMO_SCHEMA,
    samples: Path | str = SAMPLES,
    annotations_path: Path | str = DEMO_ANNOTATIONS,
    exports: Path | str = DEMO_EXPORTS,
    say: Callable[[str], None] | None = None,
) -> DemoResult:
    """Start (or reuse) the local Label Studio and run the whole pipeline on samples/.

    The demo works under its own name (``<schema>_demo``: its own Label Studio
    project, ledger and files under ``exports/demo/``, its schema written there), so
    it never mixes with a real project of the same schema on the local server.
    ``studio``: an open connection to use instead of the local server (``port``).
    """
    import datasets  # heavy: imported when the demo runs, not with the CLI

    for needed in (samples, schema_path, annotations_path):
        if not Path(needed).exists():
            raise InputError(
                f"{needed} not found: run `corpus demo` from the corpus-toolkit checkout"
            )
    real = load_schema(schema_path)
    demo_annotations = load_demo_annotations(annotations_path, real)
    exports = Path(exports)
    demo_schema_path = write_demo_schema(schema_path, exports)
    schema = load_schema(demo_schema_path)
    inputs = demo_inputs(samples)
    corpus_path = exports / "corpus.jsonl"
    status: ServerStatus | None = None
    credentials = None
    own = studio is None
    if studio is None:
        status = server.up(port=port or server.DEFAULT_PORT, say=say)
        credentials = read_credentials(status.credentials_path)
        key = credentials.api_key if credentials else None
        studio = (connect(status.url, key, say=say) if say is not None
                  else connect(status.url, key))
    annotated = AnnotateResult()

    def annotate(project_id: int) -> None:
        nonlocal annotated
        annotated = submit_demo_annotations(
            studio, schema, project_id, demo_annotations, corpus_path=corpus_path, say=say
        )

    try:
        result = sync(
            schema, studio, inputs=inputs, corpus_path=corpus_path,
            snapshot_dir=exports / schema.name / "snapshots",
            dataset_dir=exports / schema.name / "dataset", annotate=annotate, say=say,
            exports_dir=exports / schema.name,  # the model and its predictions too
        )
    finally:
        if own:
            studio.close()
    datasets.disable_progress_bars()
    loaded = datasets.load_dataset(str(result.build.folder))
    return DemoResult(
        server_url=(status.url if status else None) or studio.url,
        sync=result,
        annotated=annotated,
        dataset=loaded,
        login_email=credentials.email if credentials else "",
        credentials_path=status.credentials_path if status else None,
        schema_path=demo_schema_path,
        inputs=inputs,
        corpus_path=corpus_path,
        annotations_path=Path(annotations_path),
        comment_to_annotate=comment_to_annotate(demo_annotations, schema),
    )
