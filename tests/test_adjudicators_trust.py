"""Who decides an item (issue 17, items 1-4): adjudicators matched by e-mail or user id
only, ground-truth stars counted only on an adjudicator's annotation, a blank answer of
an adjudicator never overwrites the annotators' aggregate, old snapshots say what they
cannot tell."""

from __future__ import annotations

from pathlib import Path

from annotation_builders import annotation, choice, schema, span, task

from toolkit.review import review_snapshot
from toolkit.review.aggregate import aggregate_task
from toolkit.schema import Schema
from toolkit.studio.snapshot import write_snapshot

TEXT = "محمد صلاح في ليفربول"
LEAD = "lead@example.org"
# pull's header: names are the account owner's to set (Eve set her first name to the
# lead's e-mail); e-mails are not
HEADER_NAMES = {"1": "Ann ann@example.org", "2": "Bob bob@example.org",
                "5": f"{LEAD} eve@example.org", "9": f"Lead {LEAD}"}
HEADER_EMAILS = {"1": "ann@example.org", "2": "bob@example.org", "5": "eve@example.org",
                 "9": LEAD}


def _schema(**update) -> Schema:
    s = schema()
    return s.model_copy(update={"annotation": s.annotation.model_copy(update=update)})


def _header(s: Schema, *, emails: bool = True, names: bool = True) -> dict:
    header = {"server": "http://127.0.0.1:1", "project_id": 1, "schema_name": s.name,
              "schema_hash": s.content_hash, "pulled_at": "2025-01-01T00:00:00Z"}
    if names:
        header["annotators"] = dict(HEADER_NAMES)
    if emails:
        header["annotator_emails"] = dict(HEADER_EMAILS)
    return header


def _snapshot(tmp_path: Path, s: Schema, tasks: list[dict], **header) -> Path:
    path = tmp_path / "snap.json"
    write_snapshot(path, _header(s, **header), tasks)
    return path


def _split_task(extra: list[dict]) -> dict:
    """Annotators 1 and 2 disagree on stance, agree on sentiment and the span."""
    agreed = [choice("sentiment", "negative"), span("targets", 0, 4, "محمد", "person")]
    return task(1, TEXT, [annotation(1, 1, [choice("stance", "agree"), *agreed]),
                          annotation(2, 2, [choice("stance", "disagree"), *agreed]), *extra])


# -- item 1: matched by e-mail or user id, never by a name ------------------------------

def test_a_first_name_set_to_the_leads_email_does_not_make_an_adjudicator(tmp_path):
    s = _schema(adjudicators=[LEAD])
    eve = annotation(3, 5, [choice("stance", "unrelated")])
    eve["created_username"] = f"{LEAD} eve@example.org, 5"  # what the Data Manager writes
    review = review_snapshot(_snapshot(tmp_path, s, [_split_task([eve])]), s,
                             validate=False, agreement=False)
    item = review.items[0]
    assert item.gold_by is None
    assert (item.status, item.labels["stance"]) == ("unresolved", None)


def test_the_adjudicator_is_found_by_the_recorded_email(tmp_path):
    s = _schema(adjudicators=["Lead@Example.org"])
    lead = annotation(3, 9, [choice("stance", "neutral")])
    review = review_snapshot(_snapshot(tmp_path, s, [_split_task([lead])]), s,
                             validate=False, agreement=False)
    item = review.items[0]
    assert (item.gold_by, item.status) == ("9", "ok")
    assert (item.labels["stance"], item.provenance["stance"]) == ("neutral", "ground_truth")
    assert review.findings == []


def test_an_integer_adjudicator_is_a_user_id_even_without_a_header():
    s = _schema(adjudicators=[9])
    lead = annotation(3, 9, [choice("stance", "neutral")])
    item = aggregate_task(_split_task([lead]), s)
    assert (item.gold_by, item.labels["stance"]) == ("9", "neutral")
    # the id is not a name word either: an account named "9" is nobody
    other = annotation(3, 5, [choice("stance", "neutral")])
    other["created_username"] = "9 9, 5"
    assert aggregate_task(_split_task([other]), s).gold_by is None


def test_an_exports_completed_by_email_is_matched_not_its_name():
    s = _schema(adjudicators=[LEAD])
    lead = annotation(3, {"id": 9, "email": LEAD, "first_name": "x"},
                      [choice("stance", "neutral")])
    assert aggregate_task(_split_task([lead]), s).labels["stance"] == "neutral"
    eve = annotation(3, {"id": 5, "email": "eve@example.org", "first_name": LEAD},
                     [choice("stance", "neutral")])
    assert aggregate_task(_split_task([eve]), s).gold_by is None


def test_pull_records_emails_beside_names():
    from toolkit.studio.pull import Users, _naming

    header: dict = {}
    users = Users(names={"5": f"{LEAD} eve@example.org"}, emails={"5": "eve@example.org"})
    tasks = [{"id": 1, "annotations": [{"completed_by": 5}]}]
    assert list(_naming(iter(tasks), header, users)) == tasks
    assert header == {"annotators": {"5": f"{LEAD} eve@example.org"},
                      "annotator_emails": {"5": "eve@example.org"}}


# -- item 2: a star counts on an adjudicator's annotation only ---------------------------

def test_a_star_by_a_non_adjudicator_is_ignored_with_a_warning(tmp_path):
    s = _schema(adjudicators=[LEAD])
    eve = annotation(3, 5, [choice("stance", "unrelated"), choice("sentiment", "negative")],
                     ground_truth=True)
    review = review_snapshot(_snapshot(tmp_path, s, [_split_task([eve])]), s,
                             validate=False, agreement=False)
    item = review.items[0]
    assert item.gold_by is None and item.labels["stance"] is None
    assert [(f.code, f.level, f.where) for f in review.findings] == \
        [("A060", "warning", "task 1 [comment_stance:c1]")]
    assert "annotator 5 (lead@example.org eve@example.org)" in review.findings[0].message
    assert "annotation 3" in review.findings[0].message


def test_without_adjudicators_a_star_decides_and_the_review_says_whose(tmp_path):
    s = _schema()
    eve = annotation(3, 5, [choice("stance", "unrelated")], ground_truth=True)
    review = review_snapshot(_snapshot(tmp_path, s, [_split_task([eve])]), s,
                             validate=False, agreement=True)
    assert review.items[0].labels["stance"] == "unrelated"
    stars = [f for f in review.findings if f.code == "A063"]
    assert len(stars) == 1 and stars[0].level == "info"
    assert stars[0].message.startswith("annotator 5 (lead@example.org eve@example.org) marked "
                                       "1 annotation(s) ground truth, which decided task(s) 1")


# -- item 3: an adjudicator's blank answer keeps the annotators' aggregate ----------------

def test_an_adjudicators_empty_questions_keep_the_aggregate(tmp_path):
    s = _schema(adjudicators=[LEAD])
    lead = annotation(3, 9, [choice("stance", "neutral")])  # stance only
    review = review_snapshot(_snapshot(tmp_path, s, [_split_task([lead])]), s,
                             validate=False, agreement=False)
    item = review.items[0]
    assert (item.labels["stance"], item.provenance["stance"]) == ("neutral", "ground_truth")
    assert (item.labels["sentiment"], item.provenance["sentiment"]) == ("negative", "unanimous")
    assert item.provenance["targets"] == "unanimous"
    assert [(t.start, t.end, t.label) for t in item.labels["targets"]] == [(0, 4, "person")]
    assert item.labels["sarcasm"] is None and item.provenance["sarcasm"] == "unanimous"
    assert item.status == "ok"


def test_a_question_the_adjudicator_left_that_is_still_split_stays_unresolved():
    s = _schema(adjudicators=[9])
    lead = annotation(3, 9, [choice("sentiment", "negative")])  # not the split stance
    item = aggregate_task(_split_task([lead]), s)
    assert item.provenance["sentiment"] == "ground_truth"
    assert item.status == "unresolved" and item.unresolved_questions == ["stance"]


def test_an_adjudicator_alone_decides_every_question():
    s = _schema(adjudicators=[9])
    t = task(1, TEXT, [annotation(3, 9, [choice("stance", "neutral")])])
    item = aggregate_task(t, s)
    assert item.status == "ok"
    assert item.provenance == dict.fromkeys(item.provenance, "ground_truth")


# -- item 4: old snapshots, and deciding answers that disagree ----------------------------

def test_an_old_snapshot_cannot_identify_adjudicators_by_email(tmp_path):
    s = _schema(adjudicators=[LEAD])
    lead = annotation(3, 9, [choice("stance", "neutral")], ground_truth=True)
    for header in ({"emails": False}, {"emails": False, "names": False}):
        review = review_snapshot(_snapshot(tmp_path, s, [_split_task([lead])], **header), s,
                                 validate=False, agreement=False)
        assert review.items[0].gold_by is None
        codes = [f.code for f in review.findings]
        assert codes[0] == "A061" and review.findings[0].level == "warning"
        assert LEAD in review.findings[0].message
        assert "run `corpus pull` again" in review.findings[0].action
    from toolkit.review.adjudicators import gold_policy

    policy, found = gold_policy(_schema(adjudicators=[9]), {})
    assert found == [] and policy.ids == frozenset({"9"})  # ids need no header


def test_an_adjudicators_answer_and_a_star_that_disagree_say_which_won():
    s = _schema(adjudicators=[9, 7])
    starred = annotation(3, 7, [choice("stance", "agree")], ground_truth=True)
    later = annotation(4, 9, [choice("stance", "neutral")])
    item = aggregate_task(_split_task([starred, later]), s)
    assert (item.gold_by, item.labels["stance"]) == ("7", "agree")
    [finding] = item.findings
    assert finding.code == "A062" and "disagree on stance" in finding.message
    assert finding.action.startswith("the starred one won (annotation 3)")


def test_findings_codes_are_registered():
    from toolkit.findings import CODES

    assert {code: CODES[code] for code in ("A060", "A061", "A062", "A063")} == {
        "A060": ("warning", "star-ignored"), "A061": ("warning", "adjudicators-unknown"),
        "A062": ("warning", "deciders-disagree"), "A063": ("info", "ground-truth-stars")}
