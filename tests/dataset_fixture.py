"""A small corpus and a snapshot of it, in Label Studio 1.23.2's export shape, for build tests.

15 comments under 6 articles; 13 pushed. Of the pushed tasks: 9 resolve (so
they land in the splits), 1 has a label the schema does not have (invalid),
1 has a single annotator (too few), 1 is a three-way tie on stance
(unresolved) and 1 is not annotated yet. Three annotators (Label Studio user
ids 11, 12, 13; e-mails in `completed_by`/`created_username` as some exports
have them) so privacy tests can look for their e-mails in the built files.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.schema import load_schema
from toolkit.studio.results import build_result
from toolkit.studio.snapshot import write_snapshot
from toolkit.tasks import comment_task

SCHEMA_PATH = Path(__file__).parent / "data" / "dataset" / "schema.yaml"
EMAILS = {11: "huda.annotator@example.org", 12: "omar.k@example.org", 13: "lina-ls@example.org"}
AUTHORS = ["ابو خالد الحقيقي", "Zorro🦊 of Cairo", "محب الوطن 🇪🇬", "سالم بن سلامة"]

# article id -> comment texts
ARTICLES = {
    "a1": ["هذا كلام صحيح 👍 والوزير محمد صادق", "لا أوافق أبداً", "مقال ممتاز"],
    "a2": ["الحكومة تكذب كالعادة", "كلام فارغ يا جماعة", "ما علاقة هذا بالموضوع؟"],
    "a3": ["برافو 👏👏 على الشرطة", "أين المسؤولون في القاهرة"],
    "a4": ["شكرا للكاتب", "يا حرامية"],
    "a5": ["موضوع مهم جدا", "لا تعليق"],
    "a6": ["أول تعليق", "ثاني تعليق", "ثالث تعليق"],
}
NOT_PUSHED = {"a6-2", "a6-3"}

# comment id -> the three annotators' answers (None: that annotator did not submit)
A = {"stance": "agree", "sarcasm": False, "intensity": 3}
D = {"stance": "disagree", "sarcasm": False, "intensity": 4}
ANSWERS: dict[str, list[dict | None]] = {
    "a1-1": [
        {**A, "targets": [{"label": "person", "text": "محمد صادق"}], "note": "واضح"},
        {**A, "targets": [{"label": "person", "text": "محمد صادق"}]},
        {**A, "intensity": 2, "targets": [{"label": "person", "text": "محمد صادق"}]},
    ],
    "a1-2": [D, D, {**D, "stance": "neutral"}],
    "a1-3": [A, A, A],
    "a2-1": [
        {**D, "offensive": ["insult"], "sarcasm": True},
        {**D, "offensive": ["insult", "profanity"], "sarcasm": True},
        {**D, "offensive": ["insult"], "sarcasm": False},
    ],
    "a2-2": [{**D, "stance": "maybe"}, D, D],  # a label the schema does not have: invalid
    "a2-3": [{"stance": "unrelated"}, {"stance": "unrelated"}, None],
    "a3-1": [
        {**A, "targets": [{"label": "organization", "text": "الشرطة"}]},
        {**A, "targets": [{"label": "organization", "text": "الشرطة"}]},
        None,
    ],
    "a3-2": [{**A, "targets": [{"label": "place", "text": "القاهرة"}]}, None, None],  # too few
    "a4-1": [A, {**A, "stance": "neutral"}, {**A, "stance": "disagree"}],  # tie: unresolved
    "a4-2": [{**D, "offensive": ["insult"]}, {**D, "offensive": ["insult"]}, D],
    "a5-1": [{**A, "stance": "neutral"}, {**A, "stance": "neutral"}, A],
    "a5-2": [None, None, None],  # not annotated yet
    "a6-1": [A, {**A, "stance": "neutral"}, A],
}


def corpus_articles() -> list[Article]:
    articles = []
    n = 0
    for article_id, texts in ARTICLES.items():
        comments = []
        for position, text in enumerate(texts, start=1):
            comments.append(Comment(id=f"{article_id}-{position}", article_id=article_id,
                                    position=position, text=text,
                                    author=AUTHORS[n % len(AUTHORS)], time_raw="منذ يومين"))
            n += 1
        articles.append(Article(id=article_id, source=f"pages/{article_id}.txt",
                                title=f"عنوان المقال {article_id}",
                                body=f"نص المقال {article_id}\n\nفقرة ثانية",
                                comments=tuple(comments)))
    return articles


def tasks(schema) -> list[dict]:
    out = []
    annotation_id = 100
    task_id = 0
    for article in corpus_articles():
        for index, comment in enumerate(article.comments):
            if comment.id in NOT_PUSHED:
                continue
            task_id += 1
            annotations = []
            for who, answers in zip((11, 12, 13), ANSWERS[comment.id], strict=True):
                if answers is None:
                    continue
                annotation_id += 1
                annotations.append({
                    "id": annotation_id,
                    "completed_by": {"id": who, "email": EMAILS[who]},
                    "created_username": f" {EMAILS[who]}, {who}",
                    "result": build_result(schema, answers, texts={"text": comment.text}),
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": "2025-03-01T10:00:00.000000Z",
                    "updated_at": "2025-03-01T10:00:00.000000Z",
                    "lead_time": 12.5,
                    "task": task_id,
                    "project": 1,
                })
            out.append({
                "id": task_id,
                "data": comment_task(schema, article, index),
                "annotations": annotations,
                "drafts": [],
                "predictions": [],
                "meta": {},
                "inner_id": task_id,
                "total_annotations": len(annotations),
                "cancelled_annotations": 0,
            })
    return out


def make_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """Write corpus.jsonl and snapshot.json into ``folder``; returns (schema, corpus, snapshot)."""
    schema = load_schema(SCHEMA_PATH)
    corpus = folder / "corpus.jsonl"
    write_corpus(corpus, corpus_articles())
    snapshot = folder / "snapshot.json"
    header = {
        "server": "http://127.0.0.1:8080",
        "project_id": 1,
        "project_title": schema.name,
        "schema_name": schema.name,
        "schema_hash": schema.content_hash,
        "schema_version": schema.version,
        "pulled_at": "2025-03-02T08:00:00Z",
        "mode": "full",
    }
    write_snapshot(snapshot, header, tasks(schema))
    return SCHEMA_PATH, corpus, snapshot
