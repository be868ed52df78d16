"""Near-duplicate comments found at ingest and at sync's merge (toolkit.ingest.near_duplicates)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus import Article, Comment, read_corpus, write_corpus
from toolkit.ingest import ingest
from toolkit.ingest.merge import merge_corpus
from toolkit.ingest.near_duplicates import (
    duplicate_of,
    match_form,
    parse_threshold,
)
from toolkit.schema import load_schema
from toolkit.tasks import tasks_from_corpus

ROOT = Path(__file__).resolve().parent.parent
LONG = "الحكومة لم تفعل شيئا للمواطن البسيط منذ سنوات والاسعار ترتفع كل يوم"


def test_match_form_folds_what_copies_differ_in():
    variants = [
        "الحكومة لم تفعل شيئا للمواطن البسيط",
        "الحكومـــة لم تفعل شيئاً للمواطن البسيط!!!",  # tatweel, tanween, punctuation
        "الحكومه لم تفعل شيئا للمواطن البسيييييط 😡😡",  # ta marbuta, stretched, emoji
        "الحكومة  لم تفعل شيئا للمواطنالبسيط",  # spacing
        "الحُكومَة لم تفعل شيئا للمواطن البسيط",  # diacritics
    ]
    assert {match_form(text) for text in variants} == {"الحكومهلمتفعلشيالمواطنالبسيط"}  # لل too
    assert match_form("إلى أين؟") == match_form("الي اين")  # hamza/alef, ya/alef maqsura


def _copies(texts: list[str]) -> list[str | None]:
    return duplicate_of(texts, [f"c{i}" for i in range(len(texts))])


def test_edited_copies_point_to_the_first_comment_of_their_cluster():
    texts = [
        LONG,
        "شي ثاني تماما عن الرياضة وكرة القدم في الملاعب العربية هذا الموسم",
        "الحكـــومة لم تفعل شيئاً للمواطن البسيط منذ سنوات و الأسعار ترتفع كل يوم!!! 😡",
        "الحكومه لم تفعل شيئا للمواطن البسيط منذ سنوات والاسعار ترتفع كل يوم للاسف",  # + a word
    ]
    assert _copies(texts) == [None, None, "c0", "c0"]


def test_a_shared_long_quote_with_different_words_around_it_is_not_a_copy():
    quote = "«" + LONG + "»"
    first = f"انا اتفق تماما مع هذا الكلام {quote} ولكن المشكلة في البرلمان"
    second = f"كلام فارغ لا يصدقه احد {quote} والحل هو الانتخابات القادمة"
    assert _copies([first, second]) == [None, None]


def test_short_comments_match_only_when_their_normalized_text_is_equal():
    assert _copies(["شكراً!!", "شكرا 🌹", "شكرا جزيلا", "شكرا جزيلا لكم"]) == [
        None, "c0", None, None]


@pytest.mark.parametrize("value,expected", [
    (None, 0.75), ("0.8", 0.8), ("off", None), ("OFF", None), (0.5, 0.5)])
def test_parse_threshold(value, expected):
    assert parse_threshold(value) == expected


@pytest.mark.parametrize("value", ["1.5", "-1", "abc"])
def test_parse_threshold_rejects_bad_values(value):
    with pytest.raises(ValueError, match="--near-duplicates"):
        parse_threshold(value)


def test_samples_ingest_without_duplicates_and_task_data_unchanged(tmp_path):
    out = tmp_path / "corpus.jsonl"
    result = ingest([ROOT / "samples"], out=out)
    comments = [c for a in read_corpus(out) for c in a.comments]
    assert len(comments) == 22
    assert {c.duplicate_of for c in comments} == {None}
    assert result.report.counts["near_duplicate_clusters"] == 0
    assert '"duplicate_of":null' in out.read_text(encoding="utf-8")
    schema = load_schema(ROOT / "schemas" / "comment_stance.yaml")
    task = next(tasks_from_corpus(schema, out))
    assert "duplicate_of" not in task  # push ledger and stable keys stay as they were


def _jsonl(path: Path, articles: list[tuple[str, list[str]]]) -> Path:
    lines = [json.dumps({"id": ident, "title": f"عنوان {ident}", "body": f"نص {ident}",
                         "comments": [{"id": str(n), "text": t} for n, t in enumerate(texts)]},
                        ensure_ascii=False) for ident, texts in articles]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingest_marks_copies_under_other_articles_and_reports_clusters(tmp_path, capsys):
    source = _jsonl(tmp_path / "in.jsonl", [
        ("a1", [LONG, "تعليق اخر لا علاقة له بالموضوع ابدا ولا بغيره من المواضيع"]),
        ("a2", ["الحكومه لم تفعل شيئاً للمواطن البسيط منذ سنوات، والأسعار ترتفع كل يوم!!"]),
        ("a3", [LONG + " 👍👍"]),
    ])
    out, report = tmp_path / "corpus.jsonl", tmp_path / "report.json"
    assert main(["ingest", str(source), "--out", str(out), "--report", str(report)]) == 0
    captured = capsys.readouterr()
    assert "near-duplicate clusters 1 (3 comments, 2 marked duplicate_of)" in captured.out
    assert captured.err.startswith(
        "a1-0: info[I060 near-duplicate-cluster]: "
        "near-duplicate cluster of 3 comments under 3 article(s), e.g. ")
    marks = {c.id: c.duplicate_of for a in read_corpus(out) for c in a.comments}
    assert marks == {"a1-0": None, "a1-1": None, "a2-0": "a1-0", "a3-0": "a1-0"}
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["counts"]["near_duplicate_clusters"], data["counts"]["comments_in_clusters"]) \
        == (1, 3)

    assert main(["ingest", str(source), "--out", str(out), "--near-duplicates", "off"]) == 0
    assert {c.duplicate_of for a in read_corpus(out) for c in a.comments} == {None}
    capsys.readouterr()
    assert main(["ingest", str(source), "--out", str(out), "--near-duplicates", "2"]) == 2
    assert "--near-duplicates 2.0 is outside (0, 1]" in capsys.readouterr().err


def _article(ident: str, texts: list[str], marks: list[str | None] | None = None) -> Article:
    marks = marks or [None] * len(texts)
    return Article(id=ident, source=f"{ident}.txt", title=f"عنوان {ident}", body="نص",
                   comments=tuple(Comment(id=f"{ident}-{n}", article_id=ident, position=n + 1,
                                          text=t, duplicate_of=m)
                                  for n, (t, m) in enumerate(zip(texts, marks, strict=True))))


def test_merge_matches_new_comments_against_the_whole_corpus(tmp_path):
    corpus, batch = tmp_path / "corpus.jsonl", tmp_path / "new.jsonl"
    other = "كلام مختلف تماما عن الطقس والمطر في الشتاء هذا العام"
    # The stored mark stays as the corpus says, even where matching would not give it.
    write_corpus(corpus, [_article("a", [LONG, other], [None, "x-0"])])
    write_corpus(batch, [_article("b", ["الحكومة لم تفعل شيئاً للمواطن البسيط منذ سنوات "
                                        "والأسعار ترتفع كل يوم!!!", "جديد تماما لا يشبه شيئا"])])
    report = merge_corpus(corpus, batch, out=corpus)
    marks = {c.id: c.duplicate_of for a in read_corpus(corpus) for c in a.comments}
    assert marks == {"a-0": None, "a-1": "x-0", "b-0": "a-0", "b-1": None}
    assert report.counts["near_duplicates"] == 1


def test_a_rescraped_article_keeps_its_stored_marks(tmp_path):
    corpus, batch = tmp_path / "corpus.jsonl", tmp_path / "new.jsonl"
    write_corpus(corpus, [_article("a", [LONG]), _article("b", [LONG + "!"], ["a-0"])])
    write_corpus(batch, [_article("b", [LONG + "!", "تعليق جديد تحت المقال نفسه تماما"])])
    report = merge_corpus(corpus, batch, out=corpus)
    marks = {c.id: c.duplicate_of for a in read_corpus(corpus) for c in a.comments}
    assert marks == {"a-0": None, "b-0": "a-0", "b-1": None}
    assert report.counts["merge_updated"] == 1


def _push_dry_run(tmp_path: Path, policy: str | None):
    from toolkit.studio.push import dry_run

    text = (ROOT / "schemas" / "comment_stance.yaml").read_text(encoding="utf-8")
    if policy is not None:
        text = text.replace("annotation:\n", f"annotation:\n  near_duplicates: {policy}\n", 1)
    schema_file = tmp_path / f"schema-{policy}.yaml"
    schema_file.write_text(text, encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, [_article("a", [LONG, LONG + "!!", "شيء اخر تماما لا يشبه غيره ابدا"],
                                   [None, "a-0", None]),
                          _article("b", [LONG + " 😡"], ["a-0"])])
    out = tmp_path / f"tasks-{policy}.json"
    result = dry_run(load_schema(schema_file), corpus, out)
    return result, [task["data"]["unit_id"] for task in json.loads(out.read_text("utf-8"))]


def test_push_leaves_out_copies_under_the_same_article_by_default(tmp_path):
    result, pushed = _push_dry_run(tmp_path, None)
    assert pushed == ["a-0", "a-2", "b-0"]  # b-0 is under another article: stance may differ
    assert result.copies_not_pushed == 1
    [finding] = result.skipped
    assert finding.line() == (
        f"{tmp_path / 'corpus.jsonl'}: info[P060 copies-not-pushed]: "
        "1 near-duplicate copies under the same "
        "article as their first comment not pushed (annotation.near_duplicates: "
        "once_per_article); their answer cannot differ from their first comment's; the build "
        "gives each its first comment's labels, marked duplicate_of")


@pytest.mark.parametrize("policy,expected", [
    ("annotate_once", ["a-0", "a-2"]), ("annotate_each", ["a-0", "a-1", "a-2", "b-0"])])
def test_push_policy_annotate_once_or_each(tmp_path, policy, expected):
    result, pushed = _push_dry_run(tmp_path, policy)
    assert pushed == expected
    assert result.copies_not_pushed == 4 - len(expected)


def test_a_copy_a_sentence_longer_is_compared_on_all_its_5grams():
    # The toolkit once shingled forms of 150 characters or more by a third of their
    # 5-grams: a copy that a sentence carried over 150 was compared as a third against
    # a whole, and looked like another comment.
    base = (LONG + " ويجب على البرلمان ان يحاسب الوزراء على كل قرار اتخذوه في الميزانية العامة"
            " للدولة هذا العام وكل عام بلا استثناء")
    longer = base + " وهذا خطأ كبير"
    assert len(match_form(base)) < 150 <= len(match_form(longer))
    assert _copies([base, longer]) == [None, "c0"]
    long = " ".join([LONG, "ويجب على البرلمان ان يحاسب الوزراء على كل قرار اتخذوه", LONG[::-1]])
    copy = "مقدمة قصيرة " + long.replace("ة", "ه") + " !!! 😡"
    quoted = f"انا لا اتفق ابدا مع ما يقال هنا من كلام عن الحكومة والبرلمان «{LONG}» وهذا راي"
    assert _copies([long, copy, quoted]) == [None, "c0", None]
