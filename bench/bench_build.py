"""Benchmark `corpus build` against a plain `datasets.Dataset.from_list(rows).to_parquet()`.

Generates a synthetic snapshot (default 100,000 comment tasks, three submitted
annotations each, under schemas/comment_stance.yaml) in Label Studio's export
shape, then times, each in its own process so peak memory is its own:

- build:    toolkit.dataset.build_dataset (validate + agreement + aggregate +
            splits + Parquet + card), the whole of `corpus build`;
- baseline: Dataset.from_list(rows, features=F) + to_parquet of the very rows
            build wrote (read back before the clock starts), with the same declared
            Features F that build writes (ClassLabel, span structs, ...), no
            validation or aggregation;
- inferred: the same without features= (datasets infers int64 for ClassLabel
            columns: a different, less informative file; printed for transparency:
            with declared features datasets encodes every value in Python, slower);
- review:   the review's read alone (validate + aggregate + agreement, nothing kept
            per item by build): how much of build's peak memory is the review's own
            (it grows with the tasks: toolkit/review, not build);
- parse:    orjson over the snapshot's task lines, nothing else: the floor under
            any build, which must read the snapshot. The baseline starts from
            ready rows and reads no snapshot at all, so the ratio is also printed
            against baseline + parse.

Each phase runs with the allocator setting the `corpus` CLI makes at start
(toolkit.runtime: freed arrays go back to the system at once).

Prints seconds, CPU seconds (build's near-duplicate worker's apart), peak RSS and the
ratios (target: build / baseline <= 2x; peak memory at 1,000,000 tasks within 1.3x of
100,000: issue 21), and build's CPU spread over every core: the fastest it could be on
this machine without doing less work (docs/scale.md, "Why build is not within 2x").
``--no-baseline`` skips the baselines (at 1,000,000 tasks they hold every row: many GB).

    .venv/bin/python bench/bench_build.py [--tasks 100000] [--keep DIR] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the toolkit beside this bench, not the one installed in the venv: a bench run from another
# checkout (a git worktree of an older commit) measures that checkout's code, as the other
# benches do
sys.path.insert(0, str(ROOT))

from toolkit.runtime import give_back_freed_memory  # noqa: E402

SCHEMA = ROOT / "schemas" / "comment_stance.yaml"
WORDS = ["الحكومة", "الوزير", "القاهرة", "الشعب", "كلام", "صحيح", "والله", "مقال", "ممتاز",
         "أبدا", "😂", "👍", "الشرطة", "جماعة", "يا", "هذا", "في", "على", "من", "لا"]


def generate(path: Path, tasks: int, seed: int = 1) -> None:
    from toolkit.schema import load_schema
    from toolkit.studio.results import build_result
    from toolkit.studio.snapshot import write_snapshot

    schema = load_schema(SCHEMA)
    rng = random.Random(seed)
    questions = {q.name: q for q in schema.questions}

    def answers(text: str, base: dict) -> dict:
        given: dict = {}
        for name, question in questions.items():
            if question.kind == "single":
                labels = question.label_values
                given[name] = base[name] if rng.random() < 0.8 else rng.choice(labels)
            elif question.kind == "multi":
                given[name] = [v for v in question.label_values if rng.random() < 0.05]
            elif question.kind == "yesno":
                given[name] = rng.random() < 0.15
            elif question.kind == "spans":
                word = base["_word"]
                given[name] = ([{"label": question.label_values[0], "text": word}]
                               if rng.random() < 0.7 else [])
            elif question.kind == "text":
                given[name] = "ملاحظة" if rng.random() < 0.05 else None
        if given.get("sarcasm") is not True:  # keep `when` conditions true
            for name, question in questions.items():
                if question.when is not None:
                    given.pop(name, None)
        return given

    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 7)))
                  for _ in range(5000)]

    def stream():
        annotation_id = 0
        for task_id in range(1, tasks + 1):
            article = f"art{task_id // 8:06d}"
            # common words among a vocabulary of 5,000: texts that are not all alike (with
            # 20 words only, the split grouping of near-duplicates joined every row)
            words = [rng.choice(WORDS) if rng.random() < 0.3 else rng.choice(vocabulary)
                     for _ in range(rng.randint(5, 30))]
            text = " ".join(words)
            base = {n: rng.choice(q.label_values) for n, q in questions.items()
                    if q.kind == "single"}
            base["_word"] = words[0]
            annotations = []
            for who in rng.sample(range(1, 31), 3):
                annotation_id += 1
                result = build_result(schema, answers(text, base), texts={"text": text})
                annotations.append({
                    "id": annotation_id, "completed_by": who, "result": result,
                    "was_cancelled": False, "ground_truth": False,
                    "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
                    "lead_time": 10.0, "task": task_id, "project": 1,
                })
            yield {
                "id": task_id,
                "data": {
                    "corpus_key": f"{schema.name}:c{task_id}", "unit": "comment",
                    "unit_id": f"c{task_id}", "article_id": article, "comment_id": f"c{task_id}",
                    "source": f"pages/{article}.txt", "position": task_id % 8 + 1,
                    "author": f"user {task_id}", "time_raw": "منذ يومين", "text": text,
                    "article_title": f"عنوان {article}", "article_body": "نص المقال " * 40,
                },
                "annotations": annotations, "drafts": [], "predictions": [], "meta": {},
            }

    header = {"server": "http://127.0.0.1:8080", "project_id": 1, "schema_name": schema.name,
              "schema_hash": schema.content_hash, "schema_version": schema.version,
              "pulled_at": "2025-01-02T00:00:00Z", "mode": "full"}
    write_snapshot(path, header, stream())


def phase_build(snapshot: Path, out: Path) -> dict:
    from toolkit.dataset import build_dataset

    start, cpu = time.perf_counter(), time.process_time()
    workers = _children_cpu()
    result = build_dataset(snapshot, SCHEMA, out=out)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu": time.process_time() - cpu,
            "workers_cpu": _children_cpu() - workers,
            "rows": sum(s.num_examples for s in result.splits),
            "balance": result.balance.lines(), "stages": result.timings}


def _children_cpu() -> float:
    """CPU seconds of this process's finished child processes (build's near-duplicate
    sketching worker): the other core's share of the work, which process_time misses."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def phase_baseline(dataset: Path, out: Path, declared: bool = True) -> dict:
    import datasets
    import pyarrow.parquet as pq
    from datasets import Dataset, Features

    datasets.disable_progress_bars()
    rows = []
    features = None
    for path in sorted((dataset / "data").glob("*.parquet")):
        table = pq.read_table(path)
        rows.extend(table.to_pylist())
        features = Features.from_arrow_schema(table.schema)  # the build's declared features
    start, cpu = time.perf_counter(), time.process_time()
    written = Dataset.from_list(rows, features=features if declared else None)
    written.to_parquet(str(out))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu": time.process_time() - cpu, "rows": len(rows),
            "same_features": written.features == features}


def phase_inferred(dataset: Path, out: Path) -> dict:
    return phase_baseline(dataset, out, declared=False)


def phase_review(snapshot: Path) -> dict:
    """The review's one read as build makes it, keeping nothing per item."""
    import toolkit.dataset  # noqa: F401  (build's imports, datasets's memory included)
    from toolkit.review import review_snapshot
    from toolkit.schema import load_schema

    schema = load_schema(SCHEMA)
    start, cpu = time.perf_counter(), time.process_time()
    review_snapshot(snapshot, schema, item=lambda agg: None)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def parse_tasks(snapshot: Path) -> int:
    """Parse the snapshot's task lines with orjson, nothing else (the floor under any reading
    of a snapshot; bench_report uses it too); returns how many there were."""
    import orjson

    tasks = 0
    with snapshot.open("rb") as handle:
        handle.readline()  # the opening and the header
        handle.readline()  # "tasks": [
        for line in handle:
            line = line.strip()
            if line == b"]}":
                break
            orjson.loads(line[:-1] if line.endswith(b",") else line)
            tasks += 1
    return tasks


def phase_parse(snapshot: Path) -> dict:
    """The floor under any build: parsing the snapshot's tasks, line by line, with orjson."""
    start, cpu = time.perf_counter(), time.process_time()
    tasks = parse_tasks(snapshot)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "tasks": tasks}


def run_phase(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--phase", *args], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: reuse the snapshot generated there before")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the baseline and inferred phases (they hold every row)")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        give_back_freed_memory()  # as the `corpus` process does at start (every phase)
        name, *paths = args.phase
        phase = {"build": phase_build, "baseline": phase_baseline, "inferred": phase_inferred,
                 "parse": phase_parse, "review": phase_review}[name]
        figures = phase(*map(Path, paths))
        figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    snapshot = work / "snapshot.json"
    start = time.perf_counter()
    if args.reuse and snapshot.is_file():
        how = "reused"
    else:
        generate(snapshot, args.tasks)
        how = f"generated in {time.perf_counter() - start:.1f} s"
    print(f"snapshot: {args.tasks:,} tasks, {snapshot.stat().st_size / 1e6:.1f} MB, {how}")
    build = run_phase("build", str(snapshot), str(work / "dataset"))
    review = run_phase("review", str(snapshot))
    parse = run_phase("parse", str(snapshot))
    for line in build["balance"]:
        print(f"  {line}")
    print(f"build:    {build['seconds']:8.2f} s  {build['cpu']:6.2f} s CPU  "
          f"peak {build['peak_mb']:5.0f} MB  ({build['rows']:,} rows; "
          f"+ {build['workers_cpu']:.2f} s CPU in its near-duplicate worker)")
    print(f"review:   {review['seconds']:8.2f} s  {review['cpu']:6.2f} s CPU  "
          f"peak {review['peak_mb']:5.0f} MB  (the review's read alone, nothing kept per "
          "item: build's peak less this is build's own)")
    if args.no_baseline:
        stages = ", ".join(f"{name} {sec:.2f}" for name, sec in build["stages"].items())
        print(f"parse:    {parse['seconds']:8.2f} s  {parse['cpu']:6.2f} s CPU")
        print(f"  build stages (s): {stages}")
        return
    baseline = run_phase("baseline", str(work / "dataset"), str(work / "baseline.parquet"))
    inferred = run_phase("inferred", str(work / "dataset"), str(work / "inferred.parquet"))
    print(f"baseline: {baseline['seconds']:8.2f} s  {baseline['cpu']:6.2f} s CPU  "
          f"peak {baseline['peak_mb']:5.0f} MB  (Dataset.from_list(rows, features=declared) "
          f"+ to_parquet, {baseline['rows']:,} rows; same features: "
          f"{baseline['same_features']})")
    print(f"inferred: {inferred['seconds']:8.2f} s  {inferred['cpu']:6.2f} s CPU  "
          f"peak {inferred['peak_mb']:5.0f} MB  (the same without features=: types inferred, "
          f"ClassLabel columns become int64)")
    print(f"parse:    {parse['seconds']:8.2f} s  {parse['cpu']:6.2f} s CPU  "
          f"(orjson over the snapshot's task lines; the baseline reads no snapshot)")
    stages = ", ".join(f"{name} {sec:.2f}" for name, sec in build["stages"].items())
    print(f"  build stages (s): {stages}")
    # The work itself, spread perfectly over every core: how fast build could ever be here
    # without doing less (its own process's CPU includes threads; its worker is a process).
    cores = os.cpu_count() or 1
    work = build["cpu"] + build["workers_cpu"]
    print(f"all cores: build's CPU {work:.2f} s (process {build['cpu']:.2f} + worker "
          f"{build['workers_cpu']:.2f}) / {cores} cores = {work / cores:.2f} s at best: "
          f"{work / cores / baseline['seconds']:.2f}x the baseline's wall time")
    # The machine may be shared: CPU seconds are steadier than wall time under load.
    for label, key in (("wall", "seconds"), ("CPU", "cpu")):
        b, base, inf, par = build[key], baseline[key], inferred[key], parse[key]
        print(f"ratio ({label}): build/baseline {b / base:.2f}x (target <= 2x); "
              f"build/(baseline + parse) {b / (base + par):.2f}x; "
              f"build/inferred {b / inf:.2f}x; build/(inferred + parse) {b / (inf + par):.2f}x")


if __name__ == "__main__":
    main()
