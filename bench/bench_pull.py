"""Bench `corpus pull` against Label Studio's own synchronous export, in the same run.

    python bench/bench_pull.py [--tasks 100000] [--workers 2] [--server-workers 2]
                               [--source export|pages]
                               [--data-dir DIR | --url URL --api-key KEY]

Prepares (or reuses, by title) two projects of annotated tasks -- N and N/4 --
on a local server (started through toolkit.studio.server.up, the code path of
`corpus studio up`; ``--data-dir`` keeps its data between runs), then measures, each
in a child process so that its peak memory (ru_maxrss) is its own:

1. full pull of N tasks: seconds, peak RSS;
2. ``projects.exports.as_json`` of the same project: seconds, peak RSS, and the
   ratio full pull / export (target: < 1, aim for 0.5);
3. 1% of the tasks get a new annotation, then an incremental pull: seconds and
   the ratio to the full pull (target < 0.1);
4. full pull of the N/4 project: peak RSS compared with N's (memory must not
   grow with the project).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCHEMA = ROOT / "schemas" / "comment_stance.yaml"
CONFIG = (
    '<View><Text name="text" value="$text"/><Choices name="stance" toName="text">'
    '<Choice value="agree"/><Choice value="disagree"/><Choice value="neutral"/></Choices>'
    '<Labels name="targets" toName="text"><Label value="person"/></Labels></View>'
)


def stance(choice: str) -> list[dict]:
    return [{"from_name": "stance", "to_name": "text", "type": "choices",
             "value": {"choices": [choice]}}]


def ensure_project(http: httpx.Client, title: str, n: int, user: int) -> int:
    """A project of n tasks, each with one annotation (inline import); reused by title."""
    projects = http.get("/api/projects/", params={"page_size": 1000}).json()
    for project in projects.get("results", projects if isinstance(projects, list) else []):
        if project["title"] == title and project.get("task_number") == n:
            return project["id"]
    project = http.post("/api/projects/", json={"title": title, "label_config": CONFIG}).json()
    rng = random.Random(n)
    started = time.perf_counter()
    for low in range(0, n, 5000):
        batch = []
        for i in range(low, min(n, low + 5000)):
            text = f"تعليق رقم {i} " + "كلام " * 40
            result = stance(rng.choice(["agree", "disagree"])) + [{
                "from_name": "targets", "to_name": "text", "type": "labels",
                "value": {"start": 0, "end": 5, "text": text[:5], "labels": ["person"]},
            }]
            batch.append({
                "data": {"corpus_key": f"bench:{i}", "text": text, "article_title": "عنوان",
                         "article_body": "نص " * 100},
                "annotations": [{"completed_by": user, "result": result}],
            })
        response = http.post(f"/api/projects/{project['id']}/import", content=orjson.dumps(batch),
                             headers={"Content-Type": "application/json"})
        response.raise_for_status()
    print(f"  prepared project {project['id']} ({n} annotated tasks) in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return project["id"]


def child(phase: str, args: argparse.Namespace, *extra: str) -> tuple[float, float, str]:
    """Run one phase in a child process: (seconds, peak RSS MiB, its stdout)."""
    command = [sys.executable, __file__, "--phase", phase, "--url", args.url,
               "--api-key", args.api_key, "--workers", str(args.workers),
               "--source", args.source, *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    out = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"phase {phase} failed (status {status})")
    return seconds, usage.ru_maxrss / 1024, out.strip()


def run_phase(args: argparse.Namespace) -> None:
    from toolkit.schema import load_schema
    from toolkit.studio.connection import connect
    from toolkit.studio.pull import pull

    studio = connect(args.url, args.api_key)
    if args.phase == "export":
        count = 0
        for chunk in studio.client.projects.exports.as_json(args.project):
            count += len(chunk)
        print(f"{count} bytes")
        return
    result = pull(load_schema(SCHEMA), studio, project_id=args.project, out_dir=args.out,
                  full=args.phase == "full", workers=args.workers, source=args.source)
    print(f"{result.mode} {result.fetched} read, {result.counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="pull's parallel pages")
    parser.add_argument("--server-workers", type=int, default=2,
                        help="gunicorn workers of the local server (1: label-studio start)")
    parser.add_argument("--source", default="export", choices=("export", "pages"),
                        help="pull's source: export chunks (default) or Data Manager pages")
    parser.add_argument("--data-dir", type=Path, help="keep/reuse the local server's data here")
    parser.add_argument("--url")
    parser.add_argument("--api-key")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return

    from toolkit.studio import server

    started_here = None
    if not args.url:
        home = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-pull-"))
        status = server.up(port=server.free_port(), data_dir=home / "label-studio",
                           credentials_path=home / "credentials", workers=args.server_workers,
                           say=lambda line: print(" ", line, flush=True))
        creds = server.read_credentials(home / "credentials")
        args.url, args.api_key, started_here = status.url, creds.api_key, home
    http = httpx.Client(base_url=args.url, headers={"Authorization": f"Token {args.api_key}"},
                        timeout=3600)
    try:
        user = http.get("/api/current-user/whoami").json()["id"]
        n, quarter = args.tasks, args.tasks // 4
        big = ensure_project(http, f"bench pull {n}", n, user)
        small = ensure_project(http, f"bench pull {quarter}", quarter, user)
        snaps = Path(tempfile.mkdtemp(prefix="bench-pull-snaps-"))
        print(f"server {args.url} (server workers: {args.server_workers if started_here else '?'})"
              f"; pull workers {args.workers}; source {args.source}; N={n}", flush=True)

        full_s, full_mb, info = child("full", args, "--project", str(big), "--out",
                                      str(snaps / "big"))
        print(f"full pull, {n} tasks:      {full_s:7.1f} s  peak {full_mb:6.0f} MiB  "
              f"({n / full_s:.0f} tasks/s)  {info}", flush=True)
        if not args.skip_export:
            exp_s, exp_mb, info = child("export", args, "--project", str(big))
            print(f"exports.as_json, {n} tasks: {exp_s:7.1f} s  peak {exp_mb:6.0f} MiB")
            print(f"  ratio full pull / export: {full_s / exp_s:.2f}  (target < 1, aim 0.5)",
                  flush=True)

        from toolkit.studio.snapshot import open_snapshot

        base = max((snaps / "big").glob("*.json"))
        ids = [task["id"] for task in open_snapshot(base).tasks()]
        changed = random.Random(1).sample(ids, max(1, n // 100))
        t0 = time.perf_counter()
        for task_id in changed:
            http.post(f"/api/tasks/{task_id}/annotations/",
                      json={"result": stance("neutral"), "completed_by": user}).raise_for_status()
        print(f"  changed {len(changed)} tasks (1%) in {time.perf_counter() - t0:.0f} s")
        inc_s, inc_mb, info = child("incremental", args, "--project", str(big), "--out",
                                    str(snaps / "big"))
        print(f"incremental pull after 1%:  {inc_s:7.1f} s  peak {inc_mb:6.0f} MiB  {info}")
        print(f"  ratio incremental / full: {inc_s / full_s:.3f}  (target < 0.1)", flush=True)

        q_s, q_mb, info = child("full", args, "--project", str(small), "--out",
                                str(snaps / "small"))
        print(f"full pull, {quarter} tasks:     {q_s:7.1f} s  peak {q_mb:6.0f} MiB  {info}")
        print(f"  peak memory N / (N/4): {full_mb / q_mb:.2f}  (bounded memory: ~1)")
    finally:
        http.close()
        if started_here is not None:  # --data-dir keeps the data; the server never outlives us
            server.down(data_dir=started_here / "label-studio")


if __name__ == "__main__":
    main()
