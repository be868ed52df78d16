"""Benchmark `corpus report`: time, page size and peak memory, on a simulated project.

Simulates a snapshot (default 100,000 comment tasks, 30 annotators, three per task;
tests/report_simulation.py, written as it is generated) under
schemas/comment_stance.yaml, then runs, each in its own child process so that peak
memory (VmHWM) is measured per phase:

- parse:   orjson over the snapshot's task lines, nothing else (the floor under any
           reading of the snapshot);
- agree:   toolkit.review.agreement.agreement_for_snapshot, the agreement figures alone
           (the report does that and validation, plus its own tallies, the
           annotators' competence and the bootstrap);
- agree-cmd: what `corpus agree` computes since it shows competence (review_snapshot
           with competence=True, as toolkit/cli/agree.py calls it without --json or
           --unresolved, which list the unresolved items; printing aside):
           the agreement figures and the competence figures (Dawid-Skene fits);
- report:  toolkit.html_report.gather_report + write_html, what `corpus report` does;
- validate, adjudicate: `corpus validate`'s read (review_snapshot as the command calls
           it without --json: the 200 findings it prints kept, the others counted) and
           `corpus adjudicate`'s (workflows.adjudicate.tasks_to_decide, the Label Studio
           call aside), for their time and peak memory (no target).

Each phase runs with the allocator setting the `corpus` CLI makes at start
(toolkit.runtime: freed arrays go back to the system at once).

Prints seconds (wall and CPU), the page's size, each phase's peak memory (and the
child's memory after its imports, before reading), and the ratios report / agree and
report / parse; and whether the targets hold (report / `corpus agree` <= 2x, page
under 8 MB; report / agreement alone is printed beside it).
Several --tasks sizes run one after the other and the growth of each phase's peak
memory is printed between the smallest and the largest, per task and as a ratio
(target: at most 1.3x from 100,000 to 1,000,000 tasks, issue 21). On a shared machine
the wall time moves with the load; the CPU seconds and the ratios less so.

    .venv/bin/python bench/bench_report.py [--tasks 100000 [1000000 ...]] [--annotators 30]
                                           [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_build import parse_tasks  # noqa: E402  (the same floor as bench_build's)
from report_simulation import SCHEMA, simulate_snapshot  # noqa: E402

from toolkit.html_report import gather_report, write_html  # noqa: E402
from toolkit.model.votes import baseline_votes  # noqa: E402
from toolkit.review import FINDINGS_SHOWN, agreement_for_snapshot, review_snapshot  # noqa: E402
from toolkit.runtime import give_back_freed_memory  # noqa: E402
from toolkit.schema import load_schema  # noqa: E402
from toolkit.studio.snapshot import open_snapshot  # noqa: E402
from toolkit.workflows.adjudicate import tasks_to_decide  # noqa: E402

TARGET_RATIO = 2.0
MEMORY_GROWTH = 1.3  # peak memory, largest --tasks over smallest
TARGET_BYTES = 8 * 1024 * 1024


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, snapshot: Path, page: Path) -> None:
    """In a child process: one phase, timed; prints JSON (wall, cpu, peak MB, ...)."""
    schema = load_schema(SCHEMA)
    before = _peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    extra: dict = {}
    if name == "parse":
        extra["tasks"] = parse_tasks(snapshot)
    elif name == "agree":
        extra["items"] = agreement_for_snapshot(snapshot, schema).items_total
    elif name == "agree-cmd":
        review = review_snapshot(snapshot, schema, validate=False, aggregate=False,
                                 competence=True, model_votes=baseline_votes,
                                 list_unresolved=False)  # as without --json, --unresolved
        extra["items"] = review.agreement.items_total if review.agreement else 0
    elif name == "validate":
        # as `corpus validate` without --json: the findings it prints kept, the rest counted
        validation = review_snapshot(snapshot, schema, aggregate=False, agreement=False,
                                     keep_findings=FINDINGS_SHOWN).validation
        extra["findings"] = sum(validation.summary.values()) if validation else 0
    elif name == "adjudicate":
        extra["to_decide"] = len(tasks_to_decide(snapshot, schema)[0])
    else:
        written = write_html(gather_report(open_snapshot(snapshot), schema), page)
        extra["page_bytes"] = written.stat().st_size
    print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                      "peak_mb": _peak_mb(), "imports_mb": before, **extra}))


def _run(name: str, snapshot: Path, page: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", name, "--snapshot", str(snapshot),
                          "--page", str(page)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _one_size(tasks: int, annotators: int, folder: Path) -> dict:
    snapshot = folder / f"snapshot-{tasks}.json"
    start, cpu = time.perf_counter(), time.process_time()
    simulate_snapshot(snapshot, tasks=tasks, annotators=annotators)
    print(f"simulated {tasks:,} tasks, {annotators} annotators: "
          f"{snapshot.stat().st_size / 1e6:.1f} MB snapshot in "
          f"{time.perf_counter() - start:.1f} s wall {time.process_time() - cpu:.1f} s cpu "
          f"(this process's peak so far {_peak_mb():.0f} MB)", flush=True)
    page = folder / f"report-{tasks}.html"
    phases = {name: _run(name, snapshot, page)
              for name in ("parse", "agree", "agree-cmd", "report", "validate", "adjudicate")}
    for name, got in phases.items():
        size = f", page {got['page_bytes'] / 1e6:.2f} MB" if "page_bytes" in got else ""
        print(f"  {name:9s} {got['wall']:7.2f} s wall {got['cpu']:7.2f} s cpu, peak "
              f"{got['peak_mb']:6.0f} MB ({got['imports_mb']:.0f} MB after imports){size}",
              flush=True)
    agree, command = phases["agree"], phases["agree-cmd"]
    report, parse = phases["report"], phases["parse"]
    ratio = report["wall"] / command["wall"]
    print(f"  ratios  report/`corpus agree` {ratio:.2f}x wall "
          f"({report['cpu'] / command['cpu']:.2f}x cpu); report/agreement alone "
          f"{report['wall'] / agree['wall']:.2f}x wall ({report['cpu'] / agree['cpu']:.2f}x "
          f"cpu); report/parse {report['wall'] / parse['wall']:.2f}x wall")
    ok = ratio <= TARGET_RATIO and report["page_bytes"] < TARGET_BYTES
    print(f"  targets report/`corpus agree` <= {TARGET_RATIO:g}x: "
          f"{'yes' if ratio <= TARGET_RATIO else 'NO'}; page under 8 MB: "
          f"{'yes' if report['page_bytes'] < TARGET_BYTES else 'NO'}", flush=True)
    return {"tasks": tasks, "ok": ok, **{f"{n}_peak": p["peak_mb"] for n, p in phases.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[100_000])
    parser.add_argument("--annotators", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="keep the snapshots and pages in this folder")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--page", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        give_back_freed_memory()  # as the `corpus` process does at start (every phase)
        _phase(args.phase, args.snapshot, args.page)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        for tasks in sorted(args.tasks):
            results.append(_one_size(tasks, args.annotators, folder))
            if not args.keep:
                for leftover in folder.glob(f"*-{tasks}.*"):
                    leftover.unlink()
    if len(results) > 1:
        small, large = results[0], results[-1]
        for name in ("agree", "agree-cmd", "report", "validate", "adjudicate"):
            per_task = ((large[f"{name}_peak"] - small[f"{name}_peak"]) * 1024 * 1024
                        / (large["tasks"] - small["tasks"]))
            growth = large[f"{name}_peak"] / small[f"{name}_peak"]
            print(f"{name} peak memory: {small[f'{name}_peak']:.0f} MB at {small['tasks']:,} "
                  f"tasks, {large[f'{name}_peak']:.0f} MB at {large['tasks']:,}: "
                  f"{per_task:.0f} bytes per task more, {growth:.2f}x (target <= "
                  f"{MEMORY_GROWTH:g}x: {'yes' if growth <= MEMORY_GROWTH else 'NO'})")
    return 0 if all(r["ok"] for r in results) else 1

if __name__ == "__main__":
    raise SystemExit(main())
