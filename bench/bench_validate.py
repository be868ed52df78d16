"""Benchmark `validate` on a synthetic snapshot against a bare orjson parse of the same file.

Generates a snapshot holding N annotation results (default 1,000,000; three
annotators per task, ~6 results each, Arabic text with emoji, a few errors),
then times, each in its own child process so peak memory is measured per phase:

  parse        orjson.loads of the whole file (the fastest bare parse available)
  parse-lines  orjson.loads of each task line (the same parse, bounded memory)
  validate     toolkit.review.validate.validate_snapshot (streams the file)

and prints results/second, the ratio of validate to the faster of the two
parses (target <= 3x), and each phase's wall and CPU seconds and peak RSS (VmHWM).

Example: .venv/bin/python bench/bench_validate.py --results 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests" / "data" / "snapshots" / "schema.yaml"
TEXT = "😀 محمد صلاح لاعب رائع في ليفربول والمنتخب المصري، تحياتي 👍"


def _tasks(n_results: int, seed: int = 7):
    rng = random.Random(seed)
    made, task_id, ann_id = 0, 0, 0
    stances = ["agree", "disagree", "neutral", "unrelated"]
    while made < n_results:
        task_id += 1
        annotations = []
        for who in (1, 2, 3):
            ann_id += 1
            result = [
                {"id": f"s{ann_id}", "from_name": "stance", "to_name": "text", "type": "choices",
                 "value": {"choices": [rng.choice(stances)]}, "origin": "manual"},
                {"id": f"e{ann_id}", "from_name": "sentiment", "to_name": "text",
                 "type": "choices", "value": {"choices": ["negative"]}, "origin": "manual"},
                {"id": f"o{ann_id}", "from_name": "offensive", "to_name": "text",
                 "type": "choices", "value": {"choices": ["insult", "threat"]}, "origin": "manual"},
                {"id": f"i{ann_id}", "from_name": "intensity", "to_name": "text", "type": "rating",
                 "value": {"rating": rng.randint(1, 5)}, "origin": "manual"},
                {"id": f"p{ann_id}", "from_name": "targets", "to_name": "text", "type": "labels",
                 "value": {"start": 2, "end": 11, "text": "محمد صلاح", "labels": ["person"]},
                 "origin": "manual"},
                {"id": f"q{ann_id}", "from_name": "targets", "to_name": "text", "type": "labels",
                 "value": {"start": 25, "end": 32, "text": "ليفربول", "labels": ["place"]},
                 "origin": "manual"},
            ]
            if rng.random() < 0.01:  # a few findings, as in real data
                result[1]["value"]["choices"] = ["angry"]
            made += len(result)
            annotations.append({
                "id": ann_id, "completed_by": who, "result": result, "was_cancelled": False,
                "ground_truth": False, "created_at": "2025-01-01T00:00:00Z",
                "updated_at": "2025-01-01T00:00:00Z", "lead_time": 12.5, "task": task_id,
                "project": 1,
            })
        yield {
            "id": task_id,
            "data": {"corpus_key": f"comment_stance:c{task_id}", "unit": "comment",
                     "unit_id": f"c{task_id}", "article_id": f"a{task_id // 20}",
                     "comment_id": f"c{task_id}", "source": "bench", "position": 1,
                     "author": "x", "time_raw": "منذ سنة", "text": TEXT,
                     "article_title": "عنوان", "article_body": "نص المقال " * 20},
            "annotations": annotations, "drafts": [], "predictions": [], "meta": {},
        }


def _phase(name: str, path: str) -> None:
    """Run in a child process: time one phase, print JSON with seconds and peak RSS."""
    import orjson

    start, cpu = time.perf_counter(), time.process_time()
    if name == "parse":
        data = orjson.loads(Path(path).read_bytes())
        extra = {"tasks": len(data["tasks"])}
    elif name == "parse-lines":  # the same parse, one task line at a time (bounded memory)
        tasks = 0
        with open(path, "rb") as handle:
            handle.readline()
            handle.readline()
            for line in handle:
                line = line.rstrip().rstrip(b",")
                if line and line != b"]}":
                    orjson.loads(line)
                    tasks += 1
        extra = {"tasks": tasks}
    else:
        from toolkit.review import validate_snapshot
        from toolkit.schema import load_schema

        report = validate_snapshot(path, load_schema(SCHEMA))
        extra = {"results": report.counts["results"], "findings": len(report.findings)}
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the child's VmHWM
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, **extra}))


def _run(name: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", name, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _phase(args.phase, args.path)
        return
    sys.path.insert(0, str(ROOT))
    from toolkit.studio.snapshot import write_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-snapshot.json"
        t0 = time.perf_counter()
        write_snapshot(path, {"schema_name": "comment_stance"}, _tasks(args.results))
        size = path.stat().st_size / 1e6
        print(f"snapshot: {size:.0f} MB written in {time.perf_counter() - t0:.1f} s")
        parse = _run("parse", path)
        lines = _run("parse-lines", path)
        validate = _run("validate", path)
    results = validate["results"]
    print(f"results:              {results:,} ({parse['tasks']:,} tasks)")
    print(f"orjson parse:         {parse['seconds']:.2f} s wall {parse['cpu']:.2f} s cpu, "
          f"peak RSS {parse['peak_mb']:.0f} MB")
    print(f"orjson parse by line: {lines['seconds']:.2f} s wall {lines['cpu']:.2f} s cpu, "
          f"peak RSS {lines['peak_mb']:.0f} MB")
    print(f"validate:             {validate['seconds']:.2f} s wall {validate['cpu']:.2f} s cpu, "
          f"peak RSS {validate['peak_mb']:.0f} MB, {validate['findings']:,} findings")
    print(f"validate throughput:  {results / validate['seconds']:,.0f} results/s")
    best = min(parse["seconds"], lines["seconds"])
    print(f"ratio validate/parse: {validate['seconds'] / best:.2f}x against the faster parse "
          "(target <= 3x)")


if __name__ == "__main__":
    main()
