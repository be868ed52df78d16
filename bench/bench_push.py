"""Push speed: `corpus push` vs a bare `projects.import_tasks` of the same payloads.

    .venv/bin/python bench/bench_push.py [--tasks 100000] [--batch-size 1000]
        [--url URL --api-key KEY | --data-dir DIR]

Writes a synthetic corpus (10 comments per article, seed-sized texts, Arabic and
emoji) and, in the same run and against the same server, imports its tasks three
times, each into a fresh project with the comment_stance label config:

- sdk:     bare ``client.projects.import_tasks(id, request=batch)`` per batch
           (the issue's baseline; payloads built before the clock starts);
- raw:     bare ``POST /api/projects/<id>/import`` with an orjson body per batch
           (the same transport push uses, so push / raw isolates the bookkeeping);
- push:    ``toolkit.studio.push.push``: reading the corpus, building tasks,
           project lookup/creation and config, ledger (pending marker, fsynced
           appends), and the imports.

Prints seconds per run and the ratios of the medians push/sdk and push/raw
(target: bookkeeping <= 15%). The server's database grows with each run, which
slows later runs, so ``--rounds`` repeats ``--order`` with every other round
reversed (A B B A ...): each side gets early and late slots alike.
Without --url, starts a local Label Studio (``server.up``) on a free port with its
data in --data-dir (default: a temporary folder) and stops it at the end.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.corpus import Article, Comment, write_corpus  # noqa: E402
from toolkit.schema import parse_schema  # noqa: E402
from toolkit.studio import server  # noqa: E402
from toolkit.studio.connection import connect  # noqa: E402
from toolkit.studio.labelconfig import label_config  # noqa: E402
from toolkit.studio.push import push  # noqa: E402
from toolkit.tasks import tasks_from_corpus  # noqa: E402

WORDS = ("الحكومة القرار الشعب المدينة الوزير الاقتصاد الناس اليوم الخبر الحقيقة "
         "لا نعم والله كلام صحيح 😂 👍 🇪🇬 مصر العالم").split()


LABELS = {"sdk": "sdk  import_tasks", "raw": "raw  POST import ", "push": "corpus push      "}


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def synthetic_corpus(path: Path, tasks: int, per_article: int = 10) -> None:
    rng = random.Random(7)

    def articles():
        made = 0
        number = 0
        while made < tasks:
            number += 1
            aid = f"bench{number:07d}"
            count = min(per_article, tasks - made)
            comments = tuple(
                Comment(id=f"{aid}-{i:02d}", article_id=aid, position=i + 1,
                        text=sentence(rng, rng.randint(5, 40)), author=sentence(rng, 2),
                        time_raw="منذ 7 سنوات 8 أشهر", age_days=2800)
                for i in range(count)
            )
            made += count
            yield Article(id=aid, source=f"bench/{aid}.txt", title=sentence(rng, 8),
                          body="\n\n".join(sentence(rng, 60) for _ in range(6)),
                          comment_count_declared=count, comments=comments)

    write_corpus(path, articles())


def bench_schema(tag: str):
    text = (ROOT / "schemas" / "comment_stance.yaml").read_text(encoding="utf-8")
    text = text.replace("name: comment_stance", f"name: bench_{tag}", 1)
    text = text.replace('title: "Reader comments: stance, tone and targets"',
                        f'title: "bench push {tag}"', 1)
    return parse_schema(text, "bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--url")
    parser.add_argument("--api-key")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument(
        "--order", default="sdk,raw,push",
        help="run order within a round; the server's database grows with each run, "
        "slowing later ones, so every other round runs in reverse",
    )
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of --order (medians are compared)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_push_"))
    started = None
    if args.url:
        studio = connect(args.url, args.api_key)
    else:
        home = args.data_dir or work
        st = server.up(port=server.free_port(), data_dir=home / "label-studio",
                       credentials_path=home / "credentials",
                       say=lambda line: print(line, file=sys.stderr))
        started = home / "label-studio"
        studio = connect(credentials_path=home / "credentials", url=st.url)
    try:
        corpus = work / "corpus.jsonl"
        synthetic_corpus(corpus, args.tasks)
        tag = secrets.token_hex(3)
        schema = bench_schema(tag)
        payloads = [{"data": d} for d in tasks_from_corpus(schema, corpus)]
        batches = [payloads[i:i + args.batch_size]
                   for i in range(0, len(payloads), args.batch_size)]
        config = label_config(schema)
        print(f"{len(payloads)} tasks in {len(batches)} batches of {args.batch_size}; "
              f"server {studio.url}; {args.rounds} round(s) of {args.order}, every other "
              "round in reverse order", flush=True)

        timings: dict[str, list[float]] = {}
        last_push = None
        # Push's own cost, measured directly: its time outside the import requests
        # (project lookup, config, reading the corpus, building tasks, the ledger).
        in_imports: list[float] = []
        outside: list[float] = []
        post = studio.http.post

        def timed_post(url, *a, **kw):
            t = time.perf_counter()
            try:
                return post(url, *a, **kw)
            finally:
                if str(url).endswith("/import"):
                    in_imports.append(time.perf_counter() - t)

        studio.http.post = timed_post
        for round_number in range(args.rounds):
            names = args.order.split(",")
            if round_number % 2:
                names.reverse()  # ABBA: the database's growth weighs on both sides alike
            for name in names:
                run_tag = f"{tag}{round_number}{name}"
                if name == "push":
                    run_schema = bench_schema(run_tag)  # a fresh project and ledger per run
                    in_imports.clear()
                    t0 = time.perf_counter()
                    result = push(run_schema, corpus, studio, batch_size=args.batch_size,
                                  ledger_dir=work / f"ledger-{run_tag}")
                    assert result.created == args.tasks, result
                    last_push = (run_schema, work / f"ledger-{run_tag}")
                    outside.append(time.perf_counter() - t0 - sum(in_imports))
                else:
                    project = studio.client.projects.create(title=f"bench {run_tag}",
                                                            label_config=config)
                    t0 = time.perf_counter()
                    for batch in batches:
                        if name == "sdk":
                            studio.client.projects.import_tasks(id=project.id, request=batch)
                        else:
                            studio.http.post(
                                f"/api/projects/{project.id}/import",
                                content=orjson.dumps(batch),
                                headers={"Content-Type": "application/json"},
                            ).raise_for_status()
                seconds = time.perf_counter() - t0
                timings.setdefault(name, []).append(seconds)
                print(f"round {round_number + 1} {LABELS[name]}: {seconds:8.1f} s", flush=True)

        assert last_push is not None
        t0 = time.perf_counter()
        again = push(last_push[0], corpus, studio, batch_size=args.batch_size,
                     ledger_dir=last_push[1])
        second = time.perf_counter() - t0
        assert again.created == 0 and again.already_present == args.tasks
        print(f"corpus push again: {second:8.1f} s  (0 created, {again.already_present} present)")
        median = {name: statistics.median(values) for name, values in timings.items()}
        for name, value in median.items():
            print(f"median {LABELS[name]}: {value:8.1f} s  (runs: "
                  + ", ".join(f"{v:.1f}" for v in timings[name]) + ")")
        own = statistics.median(outside)
        print(f"push outside its import requests (median): {own:.2f} s = "
              f"{own / median.get('sdk', median['push']) * 100:.1f}% of the bare import "
              "time (the bookkeeping the server's noise cannot hide)")
        pushed = median["push"]
        for name in ("sdk", "raw"):
            if name in median:
                print(f"ratio push / {LABELS[name].strip()} (medians): {pushed / median[name]:.3f}"
                      f"  (bookkeeping: {(pushed / median[name] - 1) * 100:+.1f}%)")
    finally:
        studio.close()
        if started is not None:
            server.down(data_dir=started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
