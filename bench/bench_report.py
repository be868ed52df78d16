"""Benchmark `corpus report`: time to build the page and its size, on a simulated project.

Simulates a snapshot (default 100,000 comment tasks, 30 annotators, three per task;
tests/report_simulation.py) under schemas/comment_stance.yaml, then times, in this
process, one after the other:

- parse:   orjson over the snapshot's task lines, nothing else (the floor under any
           reading of the snapshot);
- agree:   toolkit.review.agreement.agreement_for_snapshot, what `corpus agree` computes
           (the baseline: the report does that and validation, plus its own tallies
           and the bootstrap);
- report:  toolkit.html_report.gather_report + write_html, what `corpus report` does.

Prints seconds (wall and CPU), the page's size, and the ratios report / agree and
report / parse; and whether the targets hold (under 30 s, under 8 MB). On a shared
machine the wall time moves with the load; the CPU seconds and the ratios less so.

    .venv/bin/python bench/bench_report.py [--tasks 100000] [--annotators 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30.0
TARGET_BYTES = 8 * 1024 * 1024


def _timed(run):
    start, cpu = time.perf_counter(), time.process_time()
    value = run()
    return value, time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="keep the snapshot and page in this folder")
    args = parser.parse_args()

    import orjson
    from report_simulation import SCHEMA, simulate_snapshot

    from toolkit.html_report import gather_report, write_html
    from toolkit.review import agreement_for_snapshot
    from toolkit.schema import load_schema
    from toolkit.studio.snapshot import open_snapshot

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        snapshot = folder / "snapshot.json"
        _, seconds, _ = _timed(lambda: simulate_snapshot(snapshot, tasks=args.tasks,
                                                         annotators=args.annotators))
        print(f"simulated {args.tasks} tasks, {args.annotators} annotators: "
              f"{snapshot.stat().st_size / 1e6:.1f} MB snapshot in {seconds:.1f} s")
        schema = load_schema(SCHEMA)

        def parse():
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

        def report():
            page = write_html(gather_report(open_snapshot(snapshot), schema),
                              folder / "report.html")
            return page.stat().st_size

        _, parse_s, parse_cpu = _timed(parse)
        _, agree_s, agree_cpu = _timed(lambda: agreement_for_snapshot(snapshot, schema))
        size, report_s, report_cpu = _timed(report)
        print(f"parse   {parse_s:7.2f} s wall {parse_cpu:7.2f} s cpu")
        print(f"agree   {agree_s:7.2f} s wall {agree_cpu:7.2f} s cpu")
        print(f"report  {report_s:7.2f} s wall {report_cpu:7.2f} s cpu, page "
              f"{size / 1e6:.2f} MB")
        print(f"ratios  report/agree {report_s / agree_s:.2f}x wall "
              f"({report_cpu / agree_cpu:.2f}x cpu), report/parse {report_s / parse_s:.2f}x")
        print(f"targets report under {TARGET_SECONDS:.0f} s: "
              f"{'yes' if report_s < TARGET_SECONDS else 'NO'} ({report_s:.1f} s wall, "
              f"{report_cpu:.1f} s cpu); page under 8 MB: "
              f"{'yes' if size < TARGET_BYTES else 'NO'} ({size / 1e6:.2f} MB)")
        return 0 if size < TARGET_BYTES else 1


if __name__ == "__main__":
    raise SystemExit(main())
