"""The budgeted sample (toolkit.selection): allocation within one unit of each stratum's
share, monotone in the budget, deterministic per seed, one comment per near-duplicate
cluster, units already pushed kept."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.selection import (
    Design,
    Frame,
    allocate,
    length_band,
    month_of,
    rank,
    select,
    site_of,
)


def _within_one(sizes: list[int], budget: int, got: list[int]) -> bool:
    total = sum(sizes)
    return all(abs(n - budget * size / total) < 1 for n, size in zip(got, sizes, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=15), st.data())
def test_allocation_is_within_one_unit_of_each_share_and_grows_with_the_budget(sizes, data):
    budgets = sorted(data.draw(st.lists(st.integers(1, sum(sizes)), min_size=2, max_size=6)))
    previous = [0] * len(sizes)
    for budget in budgets:
        got = allocate(sizes, budget)
        assert sum(got) == budget
        assert _within_one(sizes, budget, got), (sizes, budget, got)
        assert all(a >= b for a, b in zip(got, previous, strict=True))  # never taken back
        previous = got


def _hamilton(sizes: list[int], budget: int) -> list[int]:
    total = sum(sizes)
    shares = [budget * size / total for size in sizes]
    got = [int(share) for share in shares]
    by_remainder = sorted(range(len(sizes)), key=lambda h: got[h] - shares[h])
    for h in by_remainder[: budget - sum(got)]:
        got[h] += 1
    return got


def test_largest_remainder_takes_a_unit_back_here_and_the_quota_method_does_not():
    sizes = [6, 6, 2]  # the Alabama paradox: 10 seats -> [4, 4, 2], 11 seats -> [5, 5, 1]
    assert (_hamilton(sizes, 10), _hamilton(sizes, 11)) == ([4, 4, 2], [5, 5, 1])
    assert allocate(sizes, 10)[2] <= allocate(sizes, 11)[2]
    assert _within_one(sizes, 10, allocate(sizes, 10))
    assert _within_one(sizes, 11, allocate(sizes, 11))


def test_pushed_units_are_floors_and_the_total_is_the_budget():
    assert allocate([10, 10], 4, pushed=[3, 0]) == [3, 1]
    assert allocate([10, 10], 2, pushed=[3, 0]) == [3, 0]  # more pushed than the budget
    assert allocate([5, 5], 100) == [5, 5]


def _corpus(tmp_path, sizes: dict[str, int], *, copies: int = 0, seed: int = 1):
    """Articles on sites (urls) with the given numbers of comments; ``copies`` of the first
    comment of each article added under it, marked duplicate_of."""
    rng = random.Random(seed)
    articles = []
    for site, count in sizes.items():
        comments = [Comment(f"{site}-{i}", f"a-{site}", i, "ن" * rng.randint(1, 300))
                    for i in range(1, count + 1)]
        comments += [Comment(f"{site}-copy{j}", f"a-{site}", count + j, comments[0].text,
                             duplicate_of=comments[0].id) for j in range(1, copies + 1)]
        articles.append(Article(f"a-{site}", f"{site}.txt", "t", "b", url=f"https://www.{site}"
                                f".example/x", published="2024-05-01", comments=tuple(comments)))
    path = tmp_path / "corpus.jsonl"
    write_corpus(path, articles)
    return path


def _design(budget: int, seed: int = 0, by: tuple[str, ...] = ("site",)) -> Design:
    return Design(budget, Frame("comment", by), seed)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 40), min_size=1),
       st.data())
def test_the_sample_matches_the_strata_proportions_within_one_unit(tmp_path_factory, sizes,
                                                                   data):
    path = _corpus(tmp_path_factory.mktemp("c"), sizes)
    budget = data.draw(st.integers(1, sum(sizes.values())))
    sample = select(path, _design(budget))
    chosen = list(sample.chosen)
    assert len(chosen) == budget == sample.size
    for stratum in sample.strata:
        site = stratum.values["site"].split(".")[0]
        taken = sum(1 for uid in chosen if uid.startswith(f"{site}-"))
        assert taken == stratum.sample
        assert abs(taken - budget * sizes[site] / sum(sizes.values())) < 1
        assert stratum.population == sizes[site]


def test_never_two_members_of_a_near_duplicate_cluster(tmp_path):
    path = _corpus(tmp_path, {"a": 5, "b": 5}, copies=3)
    sample = select(path, _design(10))
    assert sample.population == 10 and sample.copies == 6
    assert not any("copy" in uid for uid in sample.chosen)  # copies are not sampling units
    assert select(path, _design(50)).size == 10


def test_a_larger_budget_gives_a_superset_and_the_same_seed_the_same_sample(tmp_path):
    path = _corpus(tmp_path, {"a": 30, "b": 17, "c": 4})
    samples = [set(select(path, _design(budget)).chosen) for budget in (3, 10, 25, 51)]
    assert all(small <= large for small, large in zip(samples, samples[1:], strict=False))
    assert [len(s) for s in samples] == [3, 10, 25, 51]
    assert set(select(path, _design(10)).chosen) == samples[1]
    assert set(select(path, _design(10, seed=1)).chosen) != samples[1]


def test_units_already_pushed_are_kept_and_a_grown_budget_adds_what_a_fresh_run_chooses(
        tmp_path):
    path = _corpus(tmp_path, {"a": 30, "b": 17, "c": 4})
    first = set(select(path, _design(8)).chosen)
    grown = select(path, _design(20), pushed=first)
    assert first <= set(grown.chosen)
    assert set(grown.chosen) == set(select(path, _design(20)).chosen)
    assert grown.pushed == 8
    # pushed by hand outside the design: kept, and the budget still counts them
    odd = {"a-1", "a-2", "a-3", "a-4", "a-5"}
    kept = select(path, _design(6), pushed=odd)
    assert odd <= set(kept.chosen) and kept.size == 6


def test_probability_is_the_strata_share(tmp_path):
    path = _corpus(tmp_path, {"a": 30, "b": 10})
    sample = select(path, _design(8))
    by_site = {s.values["site"]: (s.population, s.sample, s.probability) for s in sample.strata}
    assert by_site == {"a.example": (30, 6, 0.2), "b.example": (10, 2, 0.2)}
    assert {sample.probability(uid) for uid in sample.chosen} == {0.2}
    assert sample.probability("a-nothing") is None


def test_strata_values():
    assert site_of("https://www.Hespress.com/politics/1", "x.txt") == "hespress.com"
    assert site_of(None, "articles.jsonl:12") == "articles.jsonl"
    assert month_of("2024-03-02T08:15:00Z") == "2024-03" and month_of("2 March") is None
    assert month_of("2024-13-01") is None
    assert [length_band("comment", n) for n in (0, 39, 40, 159, 160, 399, 400, 9999)] == [
        "0-39", "0-39", "40-159", "40-159", "160-399", "160-399", "400+", "400+"]
    assert rank("c1", 0) == rank("c1", 0) != rank("c1", 1)


def test_month_falls_back_to_the_comments_estimated_date_and_filters_apply(tmp_path):
    comments = (Comment("c1", "a1", 1, "قصير", time_estimated="2024-02-11"),
                Comment("c2", "a1", 2, "ت" * 50, time_estimated="2024-03-01"),
                Comment("c3", "a1", 3, "ت" * 60))
    path = tmp_path / "corpus.jsonl"
    write_corpus(path, [Article("a1", "s.txt", "t", "b", comments=comments)])
    sample = select(path, Design(3, Frame("comment", ("month", "length")), 0))
    assert sorted((s.values["month"], s.values["length"]) for s in sample.strata) == [
        ("2024-02", "0-39"), ("2024-03", "40-159"), ("unknown", "40-159")]
    filtered = select(path, Design(3, Frame("comment", (), min_length=10)))
    assert (filtered.population, filtered.filtered, set(filtered.chosen)) == (2, 1, {"c2", "c3"})
