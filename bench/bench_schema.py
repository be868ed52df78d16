"""Benchmark `corpus schema check` (load_schema) against the number of labels.

Generates two schema files in the documented mapping form (``labels: {value: {text: ...}}``):
one with N labels and one with K*N labels (default N=1,250, K=8), spread over a few
questions, and times ``toolkit.schema.load_schema`` on each, plus a bare
``yaml.safe_load`` of the same text as a baseline measured in the same run. Prints the
time per label at both sizes and their ratio: near 1 means linear; a quadratic check
gives a ratio near K.

Example: .venv/bin/python bench/bench_schema.py --labels 1250 --factor 8
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.schema import load_schema  # noqa: E402

QUESTIONS = 4


def schema_text(n_labels: int) -> str:
    """A valid schema of ``n_labels`` labels over QUESTIONS single-choice questions."""
    lines = [
        "name: bench_labels", 'version: "1"', "title: Many labels", "language: ar",
        "direction: rtl", "unit: comment", "questions:",
    ]
    per = -(-n_labels // QUESTIONS)
    made = 0
    for qi in range(QUESTIONS):
        lines += [f"  - name: q{qi}", "    kind: single", f'    title: "سؤال {qi}"',
                  "    labels:"]
        for _ in range(min(per, n_labels - made)):
            lines.append(f'      l{made}: {{text: "تسمية {made}", description: "label {made}"}}')
            made += 1
    return "\n".join(lines) + "\n"


def _time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=1250, help="labels of the small schema")
    parser.add_argument("--factor", type=int, default=8, help="the large schema has this many "
                        "times more labels")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()

    sizes = (args.labels, args.labels * args.factor)
    per_label = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"s{n}.yaml"
            text = schema_text(n)
            path.write_text(text, encoding="utf-8")
            schema = load_schema(path)
            assert sum(len(q.labels) for q in schema.questions) == n
            bare = _time(lambda t=text: yaml.safe_load(t), args.repeat)
            check = _time(lambda p=path: load_schema(p), args.repeat)
            per_label[n] = check / n
            print(f"{n:>7,} labels: schema check {check:8.3f} s "
                  f"({check / n * 1e6:7.1f} us/label), yaml.safe_load {bare:7.3f} s, "
                  f"check/safe_load {check / bare:5.2f}x")
    small, large = sizes
    ratio = per_label[large] / per_label[small]
    print(f"per-label time at {large:,} / at {small:,}: {ratio:.2f} "
          f"(1 = linear, {args.factor} = quadratic)")


if __name__ == "__main__":
    main()
