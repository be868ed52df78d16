"""A small synthetic project where the comment's words carry its labels, for the model's
tests: a corpus, a schema and a snapshot of three annotators' answers (built like
tests/test_rules.py builds one).

Each stance has its own Arabic cue words, mixed among neutral words; a sarcasm cue
marks sarcastic comments, an insult cue the multi-choice label ``insult``; the
rating follows the stance. Annotators 1 and 2 always give the truth, annotator 3
is wrong on every seventh item (so some items are majority, none unresolved), and
a few items are left to one annotator (too few: not training data).
"""

from __future__ import annotations

import random
from pathlib import Path

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.schema import Schema, parse_schema
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import write_snapshot
from toolkit.tasks import iter_task_data

SCHEMA = """\
name: model_toy
version: '1'
title: A toy project for the baseline model
unit: comment
questions:
  - {name: stance, kind: single, required: true, labels: [agree, disagree, neutral]}
  - {name: offensive, kind: multi, labels: [insult, threat]}
  - {name: sarcasm, kind: yesno}
  - {name: strength, kind: rating, scale: 3}
  - {name: targets, kind: spans, labels: [person]}
  - {name: note, kind: text}
annotation: {overlap: 3, min_annotations: 2, rule: majority}
dataset: {splits: {train: 1.0}}
"""

CUES = {"agree": ["أوافق", "صحيح تماما", "أحسنت"],
        "disagree": ["أرفض", "كذب", "غير صحيح"],
        "neutral": ["ربما", "لا أعرف", "ننتظر"]}
STRENGTH = {"agree": 3, "disagree": 1, "neutral": 2}
NEUTRAL = ["الخبر", "اليوم", "في", "على", "الحكومة", "الناس", "هذا", "بعد", "المدينة",
           "الوزير", "الشارع", "الماء", "السوق", "المدرسة", "الطريق", "قال", "كان"]
SARCASM, INSULT = "يا سلام", "يا غبي"


def schema() -> Schema:
    return parse_schema(SCHEMA, "model_toy.yaml")


def comments(n: int, seed: int = 7) -> list[tuple[str, dict]]:
    """(text, true answers) of ``n`` comments."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        stance = ("agree", "disagree", "neutral")[i % 3]
        words = [rng.choice(NEUTRAL) for _ in range(rng.randint(4, 9))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(CUES[stance]))
        sarcastic = i % 4 == 0
        insult = i % 5 == 0
        if sarcastic:
            words.insert(rng.randrange(len(words) + 1), SARCASM)
        if insult:
            words.insert(rng.randrange(len(words) + 1), INSULT)
        out.append((" ".join(words), {"stance": stance, "sarcasm": sarcastic,
                                      "offensive": ["insult"] if insult else [],
                                      "strength": STRENGTH[stance]}))
    return out


def _wrong(answers: dict) -> dict:
    flip = {"agree": "disagree", "disagree": "neutral", "neutral": "agree"}
    return {**answers, "stance": flip[answers["stance"]], "sarcasm": not answers["sarcasm"]}


def project(folder: Path, n: int = 90, *, unannotated: int = 10, seed: int = 7
            ) -> tuple[Schema, Path, Path]:
    """(schema, corpus path, snapshot path): ``n`` annotated comments (the last three
    with one annotation only) and ``unannotated`` more in the corpus, never pushed."""
    toy = schema()
    made = comments(n + unannotated, seed)
    articles = []
    for a in range(0, len(made), 10):
        articles.append(Article(f"a{a // 10}", "site", f"عنوان {a // 10}", "نص المقال",
                                comments=[Comment(f"c{i}", f"a{a // 10}", i - a, text)
                                          for i, (text, _) in enumerate(made[a:a + 10], a)]))
    corpus = folder / "corpus.jsonl"
    write_corpus(corpus, articles)
    tasks = []
    for task_id, (data, (_, truth)) in enumerate(zip(iter_task_data(toy, articles), made,
                                                     strict=True), 1):
        if task_id > n:
            break
        who = (1,) if task_id > n - 3 else (1, 2, 3)
        annotations = []
        for person in who:
            given = _wrong(truth) if person == 3 and task_id % 7 == 0 else truth
            result = build_result(toy, given, texts={"text": data["text"]})
            annotations.append({"id": task_id * 10 + person, "completed_by": person,
                                "was_cancelled": False, "result": result})
        tasks.append({"id": task_id, "data": data, "drafts": [], "annotations": annotations})
    snapshot = folder / "snapshot.json"
    write_snapshot(snapshot, {"schema_name": toy.name, "schema_hash": toy.content_hash,
                              "cursor": {"max_id": len(tasks)},
                              "pulled_at": "2026-01-01T00:00:00+00:00"}, tasks)
    return toy, corpus, snapshot
