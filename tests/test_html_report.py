"""`toolkit.html_report`: the figures the page shows, and the page itself (no browser here;
tests/test_html_report_browser.py opens it in Chromium)."""

from __future__ import annotations

import re

import krippendorff
import numpy as np
import orjson
import pytest
from dataset_fixture import EMAILS, make_inputs

from toolkit.dataset import build_dataset
from toolkit.html_report import gather_report, render_html, write_report
from toolkit.html_report.bootstrap import alpha_from_counts, bootstrap_alpha
from toolkit.html_report.gather import label_texts
from toolkit.review import agreement_for_snapshot
from toolkit.schema import load_schema
from toolkit.studio.snapshot import open_snapshot, write_snapshot


def _counts(matrix: np.ndarray, values: list) -> np.ndarray:
    """annotators x items reliability data (NaN = missing) -> items x values counts."""
    return np.array([[int(np.sum(matrix[:, i] == v)) for v in values]
                     for i in range(matrix.shape[1])])


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_from_counts_is_the_krippendorff_package_figure(level):
    rng = np.random.default_rng(3)
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    truth = rng.integers(1, 6, size=200)
    data = np.vstack([np.where(rng.random(200) < 0.7, truth, rng.integers(1, 6, size=200))
                      for _ in range(4)]).astype(float)
    data[rng.random(data.shape) < 0.15] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level,
                                  value_domain=values)
    got = alpha_from_counts(_counts(data, values), level, values)
    assert got == pytest.approx(expected, abs=1e-12)


def test_alpha_per_label_blocks_is_the_mean_over_labels():
    # two yes/no variables side by side: the mean of their alphas
    first = np.array([[3, 0], [0, 3], [1, 2], [3, 0], [0, 3]])
    second = np.array([[2, 1], [1, 2], [3, 0], [0, 3], [2, 1]])
    both = np.hstack([first, second])
    mean = (alpha_from_counts(first) + alpha_from_counts(second)) / 2
    assert alpha_from_counts(both, blocks=[slice(0, 2), slice(2, 4)]) == pytest.approx(mean)


def test_bootstrap_interval_holds_the_estimate_and_narrows_with_more_items():
    rng = np.random.default_rng(5)

    def table(n):
        truth = rng.integers(0, 4, size=n)
        votes = [np.where(rng.random(n) < 0.75, truth, rng.integers(0, 4, size=n))
                 for _ in range(3)]
        return np.array([[int(sum(v[i] == c for v in votes)) for c in range(4)]
                         for i in range(n)])

    small, large = table(60), table(3000)
    low_s, high_s = bootstrap_alpha(small)
    low_l, high_l = bootstrap_alpha(large)
    assert low_s <= alpha_from_counts(small) <= high_s
    assert low_l <= alpha_from_counts(large) <= high_l
    assert high_l - low_l < (high_s - low_s) / 3
    assert bootstrap_alpha(small) == (low_s, high_s)  # seeded: the same page twice


def test_bootstrap_undefined_when_one_value_only():
    assert bootstrap_alpha(np.array([[3, 0], [2, 0], [3, 0]])) is None
    assert alpha_from_counts(np.array([[3, 0], [2, 0]])) is None


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    schema_path, corpus, snapshot = make_inputs(folder)
    return load_schema(schema_path), corpus, snapshot, folder


def test_gather_counts_progress_agreement_and_annotators_as_agree_does(inputs):
    schema, corpus, snapshot, _ = inputs
    report = gather_report(snapshot, schema, corpus=corpus)
    p = report.progress
    # 13 pushed tasks: 9 with all three annotators, 3 with one or two, 1 not annotated
    assert (p.tasks, p.complete, p.partial, p.not_started) == (13, 9, 3, 1)
    assert p.submitted == 32
    agree = agreement_for_snapshot(snapshot, schema)
    figures = {q.question: q for q in agree.questions}
    for q in report.questions:
        assert q.alpha == figures[q.name].alpha
        assert q.items == figures[q.name].items
        if q.alpha is not None and q.kind != "spans":
            assert q.alpha_low is not None and q.alpha_low <= q.alpha_high
    # annotators named as `corpus agree` names them
    assert [a.label for a in report.annotators] == [a.label for a in agree.annotators]
    assert report.annotators[0].label == f"11 ({EMAILS[11]})"
    # stance labels as annotators saw them, the stored value beside
    stance = next(q for q in report.questions if q.name == "stance")
    shown = {c.value: (c.display, c.count) for c in stance.distribution}
    assert shown["agree"] == ("موافق", 4) and shown["disagree"] == ("معارض", 4)
    assert stance.unresolved == 1  # a4-1, the three-way tie
    # per day: every submitted annotation of the fixture is dated 2025-03-01
    assert {(d.day, d.count) for d in report.per_day} == {("2025-03-01", 12),
                                                          ("2025-03-01", 11),
                                                          ("2025-03-01", 9)}
    assert sum(d.count for d in report.per_day) == 32


def test_confusion_counts_each_annotators_answer_against_the_label(inputs):
    schema, corpus, snapshot, _ = inputs
    report = gather_report(snapshot, schema)
    cells = {(c.annotator, c.question, c.given, c.label): c.count for c in report.confusion}
    third = f"13 ({EMAILS[13]})"
    # annotator 13 said neutral where the majority said disagree (a1-2) and agree where it
    # said neutral (a5-1)
    assert cells[(third, "stance", "محايد (neutral)", "معارض (disagree)")] == 1
    assert cells[(third, "stance", "موافق (agree)", "محايد (neutral)")] == 1
    assert cells[(third, "sarcasm", "لا (no)", "نعم (yes)")] == 1


def test_predicted_balance_matches_what_build_writes(inputs, tmp_path):
    schema, corpus, snapshot, _ = inputs
    predicted = gather_report(snapshot, schema, corpus=corpus).balance
    built = build_dataset(snapshot, schema, out=tmp_path / "dataset", corpus=corpus).balance
    assert predicted.rejected == built.rejected
    assert predicted.not_annotated == built.not_annotated
    assert predicted.in_splits == {"in the dataset (all splits)": sum(built.in_splits.values())}
    from_folder = gather_report(snapshot, schema, dataset=tmp_path / "dataset")
    assert from_folder.balance.in_splits == {k: v for k, v in built.in_splits.items() if v}
    assert from_folder.balance.rejected == built.rejected
    reasons = {(r.code, r.name): r.count for r in from_folder.rejected_reasons}
    assert reasons[("invalid", "V002 unknown-label")] == 1
    stance = next(q for q in from_folder.questions if q.name == "stance")
    per_split = {}
    for c in stance.distribution:
        if c.split != "all":
            per_split[c.split] = per_split.get(c.split, 0) + c.count
    assert per_split == {k: v for k, v in built.in_splits.items() if v}


def test_a_fast_annotator_is_marked(inputs, tmp_path):
    schema, _, snapshot, _ = inputs
    snap = open_snapshot(snapshot)
    tasks = list(snap.tasks())
    for task in tasks:
        for annotation in task["annotations"]:
            annotation["lead_time"] = 2.0 if annotation["completed_by"]["id"] == 13 else 30.0
    fast = tmp_path / "fast.json"
    write_snapshot(fast, snap.header, tasks)
    report = gather_report(fast, schema)
    marked = {a.label: a.fast for a in report.annotators}
    assert marked == {f"11 ({EMAILS[11]})": False, f"12 ({EMAILS[12]})": False,
                      f"13 ({EMAILS[13]})": True}
    assert "suspiciously fast" in render_html(report)


def _specs(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-specs">(.*?)</script>',
                      page, re.S)
    return orjson.loads(found.group(1).replace("<\\/", "</"))


def test_page_is_self_contained_with_a_strict_policy(inputs, tmp_path):
    schema, corpus, snapshot, _ = inputs
    path = write_report(snapshot, schema, tmp_path / "report.html", corpus=corpus)
    page = path.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'unsafe-inline'" not in policy
    assert not re.search(r"<script[^>]*\ssrc=", page)
    assert not re.search(r"<link[^>]*href=", page)
    assert page.count("vega-lite") >= 1 and page.count("<script>") == 5
    specs = _specs(page)
    assert {"chart-progress", "chart-per-day", "chart-alpha", "chart-dist-stance",
            "chart-pairs", "chart-confusion", "chart-lead-time", "chart-findings",
            "chart-balance"} <= set(specs)
    labels = [row["label"] for row in specs["chart-dist-stance"]["data"]["values"]]
    assert labels[:2] == ["موافق (agree)", "معارض (disagree)"]
    # competence comes from the same read; no corpus given: no near-duplicate section
    assert 'id="competence"' in page and 'id="near-duplicates"' not in page


def test_hook_sections_appear_when_their_data_exists(inputs):
    schema, _, snapshot, _ = inputs
    report = gather_report(snapshot, schema, replicates=50)
    report.competence = [{"annotator": "11", "question": "stance", "score": 0.9, "items": 12}]
    report.near_duplicates = {"clusters": 2, "members": 5,
                              "largest": [{"size": 3, "example": "كلام فارغ يا جماعة"}],
                              "sizes": [{"size": 2, "clusters": 1}, {"size": 3, "clusters": 1}]}
    page = render_html(report)
    assert 'id="competence"' in page and 'id="near-duplicates"' in page
    assert "كلام فارغ يا جماعة" in page
    assert {"chart-competence", "chart-near-duplicates"} <= set(_specs(page))


def test_label_texts_of_yes_no_follow_the_schema_language(inputs):
    schema, _, _, _ = inputs
    assert label_texts(schema, schema.question("sarcasm")) == {"yes": "نعم", "no": "لا"}


def test_text_that_would_close_a_script_stays_data(inputs):
    schema, _, snapshot, _ = inputs
    report = gather_report(snapshot, schema, replicates=0)
    report.near_duplicates = {"clusters": 1, "members": 2, "sizes": [{"size": 2, "clusters": 1}],
                              "largest": [{"size": 2, "example": "</script><b>x"}]}
    page = render_html(report)
    assert "</script><b>x" not in page


def test_chart_data_is_bounded_by_annotators_labels_and_days_not_tasks(tmp_path):
    from report_simulation import SCHEMA, simulate_snapshot

    from toolkit.html_report.render import MAX_DAY_ANNOTATORS, MAX_PAIR_ANNOTATORS

    schema = load_schema(SCHEMA)
    snapshot = simulate_snapshot(tmp_path / "s.json", tasks=3000, annotators=50)
    report = gather_report(snapshot, schema, replicates=20)
    specs = _specs(render_html(report))
    rows = {name: len(spec["data"]["values"]) for name, spec in specs.items()
            if "data" in spec}
    pairs = specs["chart-pairs"]["data"]["values"]
    shown = {row["a"] for row in pairs}
    assert len(shown) == MAX_PAIR_ANNOTATORS < len(report.annotators) == 50
    questions = len(report.questions)
    assert rows["chart-pairs"] <= MAX_PAIR_ANNOTATORS * (MAX_PAIR_ANNOTATORS - 1) * questions
    days = {row["day"] for row in specs["chart-per-day"]["data"]["values"]}
    assert len(days) == 30 and rows["chart-per-day"] <= 30 * (MAX_DAY_ANNOTATORS + 1)
    labels = sum((len(q.distribution) + 2) ** 2 for q in report.questions)
    assert rows["chart-confusion"] <= 50 * labels


def test_annotators_named_from_the_snapshot_header_as_agree_names_them(inputs, tmp_path):
    # a snapshot as pull writes it from a Label Studio that exports bare user ids: the
    # names come from the header's `annotators` map only (review_snapshot's naming)
    schema, corpus, snapshot, _ = inputs
    snap = open_snapshot(snapshot)
    names = {"11": "Huda", "12": "Omar", "13": "Lina"}
    header = dict(snap.header, annotators=names)
    tasks = []
    for task in snap.tasks():
        for annotation in task.get("annotations") or ():
            annotation["completed_by"] = annotation["completed_by"]["id"]
            annotation.pop("created_username", None)
        tasks.append(task)
    bare = tmp_path / "bare.json"
    write_snapshot(bare, header, tasks)
    from toolkit.review import review_snapshot

    agree = review_snapshot(bare, schema, validate=False, aggregate=False).agreement
    report = gather_report(bare, schema, corpus=corpus)
    assert sorted(a.label for a in report.annotators) == sorted(a.label for a in agree.annotators)
    assert sorted(a.label for a in report.annotators) == ["11 (Huda)", "12 (Omar)", "13 (Lina)"]
    assert {d.annotator for d in report.per_day} == {"11 (Huda)", "12 (Omar)", "13 (Lina)"}
    assert {p.first for p in report.pairs} == {"11 (Huda)", "12 (Omar)", "13 (Lina)"}
    assert {c.annotator for c in report.confusion} == {"11 (Huda)", "12 (Omar)", "13 (Lina)"}


def test_comment_marker_and_line_separator_keep_the_page_data_json(inputs):
    """Issue 17 item 13: `<!--` in a name was written `<\\!--`, not JSON, and blanked every
    chart; U+2028 ended a string in the expressions Vega-Lite compiles (3 charts)."""
    schema, _, snapshot, _ = inputs
    report = gather_report(snapshot, schema, replicates=0)
    renamed = {report.annotators[0].label: "Huda <!--<script>&",
               report.annotators[1].label: "Omar\u2028Kamal"}
    for annotator in report.annotators:
        annotator.label = renamed.get(annotator.label, annotator.label)
    for day in report.per_day:
        day.annotator = renamed.get(day.annotator, day.annotator)
    page = render_html(report)
    data = re.search(r'<script type="application/json" id="report-specs">(.*?)</script>',
                     page, re.S).group(1)
    assert "<" not in data and "&" not in data and "\u2028" not in data
    specs = orjson.loads(data)
    names = {row.get("annotator") for spec in specs.values() if "data" in spec
             for row in spec["data"].get("values", ())}
    assert {"Huda <!--<script>&", "Omar Kamal"} <= names
