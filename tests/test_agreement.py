"""Agreement: known values (krippendorff docstring), hand-computed kappas and span F1."""

from __future__ import annotations

import math

import pytest
from annotation_builders import annotation, choice, rating, schema, span, task

from toolkit.columns import IntColumn
from toolkit.review.agreement import cohen_kappa, compute_agreement, fleiss_kappa, span_f1

# Krippendorff's example (the krippendorff package's docstring): 3 coders x 15 units.
NAN = math.nan
RELIABILITY = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]
LABEL = {1: "agree", 2: "disagree", 3: "neutral", 4: "unrelated"}


def _docstring_tasks():
    tasks = []
    for unit in range(15):
        annotations = []
        for coder, row in enumerate(RELIABILITY, start=1):
            value = row[unit]
            if not math.isnan(value):
                v = int(value)
                annotations.append(annotation(1000 * coder + unit, coder,
                                              [choice("stance", LABEL[v]), rating("intensity", v)]))
        tasks.append(task(unit + 1, "نص", annotations))
    return tasks


def _by_name(report):
    return {q.question: q for q in report.questions}


def test_known_value_nominal_alpha_0_691358_and_interval_0_810845():
    report = compute_agreement(_docstring_tasks(), schema())
    stance = _by_name(report)["stance"]
    assert round(stance.alpha, 6) == 0.691358
    assert round(_by_name(report)["intensity"].alpha_interval, 6) == 0.810845
    # units 1 (one coder), 2 and 14 (none) are left out and counted
    assert (report.items_total, report.items_used, report.items_left_out) == (15, 12, 3)
    assert stance.items == 12
    # Fleiss is not defined here: some units have 2 coders, some 3
    assert stance.fleiss_kappa is None
    assert any("different numbers" in note for note in stance.notes)


def test_cohen_kappa_hand_computed():
    # po = 3/4; pe = .5*.25 + .5*.75 = .5; kappa = (.75 - .5) / .5
    assert cohen_kappa(list("aabb"), list("abbb")) == pytest.approx(0.5)
    assert cohen_kappa(list("aaaa"), list("aaaa")) is None  # chance agreement 1: undefined
    assert cohen_kappa(list("ab"), list("ba")) == pytest.approx(-1.0)


def test_fleiss_kappa_hand_computed_and_wikipedia():
    # p_j = (.5, .5), Pe = .5; P_i = 1, 1, 0 -> mean 2/3; kappa = (2/3 - .5) / .5 = 1/3
    assert fleiss_kappa([[2, 0], [0, 2], [1, 1]]) == pytest.approx(1 / 3)
    wikipedia = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                 [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                 [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert fleiss_kappa(wikipedia) == pytest.approx(0.20993, abs=1e-5)
    assert fleiss_kappa([[2, 0], [1, 0]]) is None  # unequal raters


def test_span_f1_hand_computed():
    a = [(0, 4, "person"), (5, 9, "person")]
    b = [(0, 4, "person"), (6, 12, "person"), (13, 20, "place")]
    assert span_f1(a, b) == (1, 2, 3, 2, 2)
    # exact: 2*1/(2+3) = .4 ; overlap: P = 2/2, R = 2/3 -> F1 = .8
    tasks = [task(1, "محمد صلاح في ليفربول الآن", [
        annotation(1, 1, [choice("stance", "agree"),
                          span("targets", 0, 4, "محمد", "person"),
                          span("targets", 5, 9, "صلاح", "person")]),
        annotation(2, 2, [choice("stance", "agree"),
                          span("targets", 0, 4, "محمد", "person"),
                          span("targets", 6, 12, "لاح في", "person"),
                          span("targets", 13, 20, "ليفربول", "place")]),
    ])]
    targets = _by_name(compute_agreement(tasks, schema()))["targets"]
    assert targets.span_f1["1|2"] == {"exact": pytest.approx(0.4),
                                      "overlap": pytest.approx(0.8), "items": 1}
    assert targets.span_f1_exact == pytest.approx(0.4)


def test_pairwise_cohen_fleiss_full_agreement_and_annotators():
    rows = [  # (annotator 1, 2, 3) per item
        ("agree", "agree", "agree"),
        ("agree", "agree", "disagree"),
        ("disagree", "disagree", "disagree"),
        ("neutral", "agree", "neutral"),
    ]
    tasks = [task(i, "نص", [annotation(10 * i + k, k, [choice("stance", v)])
                             for k, v in enumerate(row, start=1)])
             for i, row in enumerate(rows, start=1)]
    tasks.append(task(9, "نص", [annotation(91, 1, [choice("stance", "agree")])]))  # left out
    report = compute_agreement(tasks, schema())
    stance = _by_name(report)["stance"]
    assert stance.full_agreement == pytest.approx(50.0)
    # annotators 1|2: (a,a) (a,a) (d,d) (n,a): po=3/4; p1: a .5 d .25 n .25; p2: a .75 d .25
    # pe = .5*.75 + .25*.25 = .4375; kappa = (.75-.4375)/.5625 = .5556
    assert stance.cohen_kappa["1|2"] == {"kappa": pytest.approx(0.3125 / 0.5625), "items": 4}
    # Fleiss by hand: counts (a,d,n) = [3,0,0],[2,1,0],[0,3,0],[1,0,2]; p_j = 1/2, 1/3, 1/6
    # Pe = 1/4 + 1/9 + 1/36 = 7/18; P_i = 1, 1/3, 1, 1/3 -> 2/3; kappa = (2/3-7/18)/(11/18)
    assert stance.fleiss_kappa == pytest.approx(5 / 11)
    people = {a.annotator: a for a in report.annotators}
    assert people["1"].items == 5 and people["2"].items == 4
    # majority: agree, agree, disagree, neutral -> annotator 2 misses item 4, 3 misses item 2
    assert people["1"].with_majority == 1.0
    assert people["2"].with_majority == 0.75 and people["3"].with_majority == 0.75
    assert report.items_left_out == 1


def test_multi_choice_per_label():
    tasks = [task(i, "نص", [annotation(10 * i + k, k, [choice("stance", "agree"),
                                                      *( [choice("offensive", *v)] if v else [])])
                             for k, v in enumerate(row, start=1)])
             for i, row in enumerate([(("insult",), ("insult",)), ((), ("threat",)),
                                      (("insult", "threat"), ("insult",))], start=1)]
    offensive = _by_name(compute_agreement(tasks, schema()))["offensive"]
    assert offensive.alpha_per_label["profanity"] is None  # never used
    assert set(offensive.alpha_per_label) == {"insult", "profanity", "hate_speech", "threat"}
    assert offensive.alpha == pytest.approx(
        sum(v for v in offensive.alpha_per_label.values() if v is not None)
        / sum(1 for v in offensive.alpha_per_label.values() if v is not None))
    assert offensive.alpha_per_label["insult"] == pytest.approx(1.0)
    assert offensive.full_agreement == pytest.approx(100 / 3)


def test_pairwise_figures_equal_the_plain_per_pair_computation():
    """The per-pair figures (computed in one pass over items) equal cohen_kappa and
    span_f1 applied pair by pair to the items both annotators did."""
    import itertools
    import random

    from toolkit.review.aggregate import aggregate_task

    rng = random.Random(7)
    text = "محمد صلاح في ليفربول الآن"
    offsets = [(0, 4, "محمد"), (5, 9, "صلاح"), (6, 12, "لاح في"), (13, 20, "ليفربول")]
    tasks = []
    for i in range(1, 61):
        annotations = []
        for who in rng.sample(range(1, 7), rng.choice([1, 2, 3, 4])):
            result = []
            if rng.random() < 0.9:
                result.append(choice("stance", rng.choice(["agree", "disagree", "neutral"])))
            ticked = [v for v in ("insult", "threat") if rng.random() < 0.4]
            if ticked:
                result.append(choice("offensive", *ticked))
            for start, end, marked in rng.sample(offsets, rng.choice([0, 1, 2])):
                result.append(span("targets", start, end, marked,
                                   rng.choice(["person", "place"])))
            annotations.append(annotation(100 * i + who, who, result))
        tasks.append(task(i, text, annotations))
    s = schema()
    report = _by_name(compute_agreement(tasks, s))
    answers = [dict(aggregate_task(t, s).answers) for t in tasks]
    answers = [a for a in answers if len(a) >= 2]
    people = sorted({who for a in answers for who in a})
    labels = s.questions[2].label_values
    assert s.questions[2].name == "offensive"
    checked = 0
    for first, second in itertools.combinations(people, 2):
        both = [a for a in answers if first in a and second in a]
        key = f"{first}|{second}"
        if not both:
            assert key not in report["stance"].cohen_kappa
            continue
        pairs = [(a[first].get("stance"), a[second].get("stance")) for a in both]
        pairs = [p for p in pairs if None not in p]
        if pairs:
            expected = cohen_kappa([p[0] for p in pairs], [p[1] for p in pairs])
            assert report["stance"].cohen_kappa[key] == {"kappa": expected, "items": len(pairs)}
        decisions = [(lab in a[first].get("offensive", ()), lab in a[second].get("offensive", ()))
                     for a in both for lab in labels]
        assert report["offensive"].cohen_kappa[key] == {
            "kappa": cohen_kappa([d[0] for d in decisions], [d[1] for d in decisions]),
            "items": len(both)}
        totals = [0] * 5
        for a in both:
            for k, n in enumerate(span_f1(a[first].get("targets", ()),
                                          a[second].get("targets", ()))):
                totals[k] += n
        tp, na, nb, ma, mb = totals
        got = report["targets"].span_f1[key]
        assert got["items"] == len(both)
        assert got["exact"] == (2 * tp / (na + nb) if na + nb else None)
        checked += 1
    assert checked >= 10


def test_empty_multi_choice_counts_as_agreement_and_yes_no_has_fleiss_kappa():
    """Two annotators who both tick no offence agree fully; yes/no gets Fleiss' kappa.

    sarcasm: (yes, yes), (no, no), (yes, no) -> P-bar 2/3, p_yes = p_no = 1/2,
    P_e 1/2, kappa = (2/3 - 1/2) / (1/2) = 1/3.
    """
    rows = [((), (), "yes", "yes"), (("insult",), ("insult",), "no", "no"),
            ((), ("threat",), "yes", "no")]
    tasks = []
    for i, (first, second, s1, s2) in enumerate(rows, start=1):
        annotations = []
        for k, (offensive, sarcasm) in enumerate(((first, s1), (second, s2)), start=1):
            results = [choice("stance", "agree"), choice("sarcasm", sarcasm)]
            if offensive:
                results.append(choice("offensive", *offensive))
            annotations.append(annotation(10 * i + k, k, results))
        tasks.append(task(i, "نص", annotations))
    figures = _by_name(compute_agreement(tasks, schema()))
    assert figures["offensive"].full_agreement == pytest.approx(200 / 3)
    assert figures["sarcasm"].fleiss_kappa == pytest.approx(1 / 3)
    assert figures["sarcasm"].full_agreement == pytest.approx(200 / 3)


def test_annotators_named_from_the_export_when_it_has_names():
    """Label Studio's created_username ("<first> <last> <email>, <id>") gives the readable
    name beside the id; an annotation without it keeps the bare id."""
    from toolkit.review.answers import annotator_name

    tasks = []
    for i, row in enumerate([("agree", "agree", "agree"), ("agree", "disagree", "agree")]):
        annotations = [annotation(10 * i + k, k, [choice("stance", v)])
                       for k, v in enumerate(row, start=1)]
        annotations[0]["created_username"] = " huda@example.org, 1"
        annotations[1]["created_username"] = "Omar Khalil omar@example.org, 2"
        tasks.append(task(i + 1, "نص", annotations))
    report = compute_agreement(tasks, schema())
    people = {a.annotator: a for a in report.annotators}
    assert people["1"].label == "1 (huda@example.org)"
    assert people["2"].label == "2 (Omar Khalil omar@example.org)"
    assert people["3"].label == "3" and people["3"].name is None
    assert report.to_dict()["annotators"][0]["name"] == "huda@example.org"
    assert annotator_name({"completed_by": {"id": 4, "email": "x@example.org"}}) == "x@example.org"
    assert annotator_name({"created_username": ""}) is None


def _random_tasks(n_tasks: int, seed: int, *, uniform: bool = False) -> list[dict]:
    """Tasks with 2 to 4 annotators each, or 3 each with ``uniform`` (Fleiss' kappa needs
    one number of annotators; with 4, alpha's terms are thirds: sums that round)."""
    import random

    rng = random.Random(seed)
    stances = list(LABEL.values())
    tasks = []
    for ident in range(1, n_tasks + 1):
        annotations = []
        for who in rng.sample(range(1, 8), 3 if uniform else rng.choice((2, 3, 4))):
            annotations.append(annotation(100 * ident + who, who, [
                choice("stance", rng.choice(stances)),
                choice("offensive", *rng.sample(["insult", "profanity", "threat"],
                                                rng.randint(0, 2))),
                rating("intensity", rng.randint(1, 5))]))
        tasks.append(task(ident, "نص", annotations))
    return tasks


def test_the_figures_do_not_depend_on_the_chunk_of_items(monkeypatch):
    """The report makes its per-item tables a chunk of items at a time (65,536: memory);
    alpha's coincidences carry their sums across chunks: with chunks of 7 items every
    figure is the same to the last bit as with one chunk."""
    from toolkit.review import agreement

    for tasks in (_random_tasks(400, seed=3), _random_tasks(300, seed=4, uniform=True)):
        whole = compute_agreement(tasks, schema())
        monkeypatch.setattr(agreement, "_ITEMS_AT_ONCE", 7)
        monkeypatch.setattr(agreement, "_CHUNK", 5)
        chunked = compute_agreement(tasks, schema())
        monkeypatch.undo()
        assert chunked.to_dict() == whole.to_dict()
        stance = _by_name(whole)["stance"]
        assert stance.alpha is not None and _by_name(whole)["intensity"].alpha_interval is not None
    assert _by_name(whole)["stance"].fleiss_kappa is not None  # 3 annotators everywhere
    assert _by_name(whole)["offensive"].fleiss_kappa is not None


def test_int_column_widens_as_values_grow_and_keeps_them():
    column = IntColumn()
    column.values.extend([-3, -1, 0, 127])
    assert column.values.typecode == "b" and column.numpy().dtype.itemsize == 1
    for high, code in ((128, "h"), (40_000, "i"), (2**40, "q")):
        column.fit(high)
        column.values.append(high)
        assert column.values.typecode == code
    assert column.numpy().tolist() == [-3, -1, 0, 127, 128, 40_000, 2**40]


def test_many_annotators_and_answers_past_one_byte():
    """300 annotators (their numbers past 127) on 150 items, each with its own stance
    rating pattern: the report counts every one of them."""
    stances = list(LABEL.values())
    tasks = []
    for ident in range(1, 151):
        value = stances[ident % 4]
        tasks.append(task(ident, "نص", [
            annotation(10 * ident + k, 1000 + 2 * ident + k,
                       [choice("stance", value), rating("intensity", ident % 5 + 1)])
            for k in range(2)]))
    report = compute_agreement(tasks, schema())
    stance = _by_name(report)["stance"]
    assert len(report.annotators) == 300 and stance.items == 150
    assert stance.full_agreement == 100.0 and stance.alpha == 1.0
    assert all(person.agreed == person.compared > 0 for person in report.annotators)
