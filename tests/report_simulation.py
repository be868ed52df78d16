"""A simulated project snapshot for the report's tests and bench (bench/bench_report.py).

``simulate_snapshot(path, tasks=..., annotators=...)`` writes a snapshot in Label
Studio 1.23's export shape under schemas/comment_stance.yaml: each annotated task
has a hidden true answer and three annotators (drawn from ``annotators``), each
right with their own accuracy; annotations are spread over 30 days; lead times
are log-normal around each annotator's pace, and the last two annotators are
about five times faster than the rest (what the report should mark). About 10%
of the tasks are not annotated yet and 1% of the annotations are cancelled.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "comment_stance.yaml"
WORDS = ["الحكومة", "الوزير", "القاهرة", "الشعب", "كلام", "صحيح", "والله", "مقال", "ممتاز",
         "أبدا", "😂", "👍", "الشرطة", "جماعة", "يا", "هذا", "في", "على", "من", "لا"]


def simulate_snapshot(path: Path, *, tasks: int = 2000, annotators: int = 30,
                      per_task: int = 3, seed: int = 1, schema_path: Path = SCHEMA) -> Path:
    from toolkit.schema import load_schema
    from toolkit.studio.results import build_result
    from toolkit.studio.snapshot import write_snapshot

    schema = load_schema(schema_path)
    rng = random.Random(seed)
    questions = {q.name: q for q in schema.questions}
    people = list(range(1, annotators + 1))
    accuracy = {who: rng.uniform(0.6, 0.95) for who in people}
    pace = {who: rng.uniform(15.0, 40.0) for who in people}
    for fast in people[-2:]:
        pace[fast] = 4.0
    per_result: dict[tuple, list] = {}  # answers are few: build each result list once

    def answers(who: int, truth: dict, word: str) -> dict:
        right = accuracy[who]
        given: dict = {}
        for name, question in questions.items():
            if question.kind == "single":
                given[name] = (truth[name] if rng.random() < right
                               else rng.choice(question.label_values))
            elif question.kind == "multi":
                given[name] = [v for v in question.label_values if rng.random() < 0.05]
            elif question.kind == "yesno":
                given[name] = truth["_sarcasm"] if rng.random() < right else rng.random() < 0.5
            elif question.kind == "spans":
                given[name] = ([{"label": question.label_values[0], "text": word}]
                               if rng.random() < 0.3 else [])
        if given.get("sarcasm") is not True:  # keep `when` conditions true
            for name, question in questions.items():
                if question.when is not None:
                    given.pop(name, None)
        return given

    def result(given: dict, text: str) -> list:
        if given.get("targets"):  # offsets into this text: built for it
            return build_result(schema, given, texts={"text": text})
        key = repr(sorted(given.items()))
        found = per_result.get(key)
        if found is None:
            found = per_result[key] = build_result(schema, given, texts={"text": text})
        return found

    def stream():
        annotation_id = 0
        for task_id in range(1, tasks + 1):
            article = f"art{task_id // 8:06d}"
            words = [rng.choice(WORDS) for _ in range(rng.randint(5, 30))]
            text = " ".join(words)
            truth = {n: rng.choice(q.label_values) for n, q in questions.items()
                     if q.kind == "single"}
            truth["_sarcasm"] = rng.random() < 0.2
            annotations = []
            if rng.random() >= 0.1:
                for who in rng.sample(people, per_task):
                    annotation_id += 1
                    day = 1 + min(29, int(rng.random() * 30))
                    lead = round(rng.lognormvariate(0, 0.4) * pace[who], 1)
                    annotations.append({
                        "id": annotation_id, "completed_by": who,
                        "result": result(answers(who, truth, words[0]), text),
                        "was_cancelled": rng.random() < 0.01, "ground_truth": False,
                        "created_at": f"2025-01-{day:02d}T10:00:00Z",
                        "updated_at": f"2025-01-{day:02d}T10:00:00Z",
                        "lead_time": lead, "task": task_id, "project": 1,
                    })
            yield {
                "id": task_id,
                "data": {
                    "corpus_key": f"{schema.name}:c{task_id}", "unit": "comment",
                    "unit_id": f"c{task_id}", "article_id": article, "comment_id": f"c{task_id}",
                    "source": f"pages/{article}.txt", "position": task_id % 8 + 1,
                    "author": f"user {task_id}", "time_raw": "منذ يومين", "text": text,
                    "article_title": f"عنوان {article}", "article_body": "نص المقال",
                },
                "annotations": annotations, "drafts": [], "predictions": [], "meta": {},
            }

    header = {"server": "http://127.0.0.1:8080", "project_id": 1, "schema_name": schema.name,
              "schema_hash": schema.content_hash, "schema_version": schema.version,
              "pulled_at": "2025-02-01T00:00:00Z", "mode": "full"}
    write_snapshot(path, header, stream())
    return path
