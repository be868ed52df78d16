"""Two `corpus push` at once (issue 13, item 1): tasks on the server for N keys.

    .venv/bin/python bench/repro_push_overlap.py --url URL --api-key KEY
        [--comments 3000] [--batch-size 50] [--root TREE] [--delay SECONDS]

Writes a synthetic corpus of ``--comments`` comments (and its first tenth as
``small.jsonl``), then for four scenarios runs two `corpus push` processes of the
same schema started together, and prints, per scenario, the tasks the project
holds, the distinct keys among them, and how many projects carry the schema's marker:

- existing/1 machine:  `push small.jsonl` once, then two pushes of the whole corpus
                       sharing one ledger folder (the issue's repro);
- existing/2 machines: the same, each push with its own ledger folder (as two
                       machines against one server);
- new/1 machine, new/2 machines: the same without the first push (a new schema).

``--root`` is the source tree whose CLI is run (default: this one), so that the same
script measures an older checkout. ``--delay`` sets CORPUS_PUSH_TEST_DELAY (the test
hook that slows imports so the pushes surely overlap; older trees ignore it).

Measured on 2026-12-03 (2 loaded cores, local gunicorn Label Studio, --comments 600,
--batch-size 50): main at 246da9e left 1090 / 1140 / 1100 / 1150 tasks for the 600 keys
(existing/1, existing/2, new/1, new/2 machines); with the lock and the repair, 600 in
each, one project each.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_push import synthetic_corpus  # noqa: E402

from toolkit.studio.connection import connect  # noqa: E402
from toolkit.studio.ledger import server_keys  # noqa: E402


def schema_file(folder: Path, name: str) -> Path:
    text = (ROOT / "schemas" / "comment_stance.yaml").read_text(encoding="utf-8")
    text = text.replace("name: comment_stance", f"name: {name}", 1)
    text = text.replace('title: "Reader comments: stance, tone and targets"',
                        f'title: "overlap {name}"', 1)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--comments", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    args = parser.parse_args()

    studio = connect(args.url, args.api_key)
    work = Path(tempfile.mkdtemp(prefix="overlap-"))
    full, small = work / "corpus.jsonl", work / "small.jsonl"
    synthetic_corpus(full, args.comments)
    synthetic_corpus(small, max(args.comments // 10, 1))
    env = {**os.environ, "PYTHONPATH": str(args.root), "LABEL_STUDIO_URL": args.url,
           "LABEL_STUDIO_API_KEY": args.api_key, "CORPUS_PUSH_TEST_DELAY": str(args.delay)}
    run = secrets.token_hex(2)
    print(f"tree {args.root}; {args.comments} comments; --batch-size {args.batch_size}; "
          f"delay {args.delay} s")
    for existing in (True, False):
        for machines in (1, 2):
            name = f"ov_{run}_{'old' if existing else 'new'}{machines}"
            label = f"{'existing' if existing else 'new'}/{machines} machine" + (
                "s" if machines > 1 else "")
            if args.only and args.only not in label:
                continue
            schema = schema_file(work, name)

            def cmd(corpus: Path, ledger: str, schema: Path = schema, name: str = name) -> list:
                return [sys.executable, "-c", "from toolkit.cli import main; main()", "push",
                        "--schema", str(schema), "--corpus", str(corpus),
                        "--batch-size", str(args.batch_size),
                        "--ledger-dir", str(work / ledger / name)]

            if existing:
                subprocess.run(cmd(small, "A"), env=env, check=True, capture_output=True,
                               cwd=work)
            started = time.perf_counter()
            ledgers = ("A", "A") if machines == 1 else ("A", "B")
            procs = [subprocess.Popen(cmd(full, ledger), env=env, cwd=work, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for ledger in ledgers]
            outs = [p.communicate() for p in procs]
            seconds = time.perf_counter() - started
            marker = f"[corpus-toolkit:{name}]"
            projects = [p["id"] for p in studio.http.get(
                "/api/projects/", params={"page_size": 1000, "include": "id,description"}
            ).json()["results"] if marker in (p.get("description") or "")]
            tasks = Counter()
            for project in projects:
                tasks.update(key for _, key in server_keys(studio, project))
            codes = [p.returncode for p in procs]
            print(f"{label:22s} exit {codes}; projects {len(projects)}; tasks "
                  f"{sum(tasks.values())} for {len(tasks)} keys (want {args.comments}); "
                  f"{seconds:.1f} s")
            for out, err in outs:
                lines = [line for line in (out + err).splitlines() if line.strip()]
                warned = sum("warning" in line for line in lines)
                print("    " + " | ".join(line for line in lines if "warning" not in line)[:400]
                      + (f" | ({warned} warning lines)" if warned else ""))
    studio.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
