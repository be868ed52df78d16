"""Relative times and matching normalization (toolkit.arabic)."""

from __future__ import annotations

from datetime import date

import pytest

from toolkit.arabic import RelativeTime, normalize, parse_relative_time


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("منذ 7 سنوات 8 أشهر", RelativeTime(years=7, months=8)),
        ("·منذ 7 سنوات 8 أشهر", RelativeTime(years=7, months=8)),
        ("منذ ٧ سنوات و٨ أشهر", RelativeTime(years=7, months=8)),
        ("منذ سنة", RelativeTime(years=1)),
        ("منذ شهر", RelativeTime(months=1)),
        ("منذ سنتين", RelativeTime(years=2)),
        ("منذ شهرين", RelativeTime(months=2)),
        ("منذ أسبوعين", RelativeTime(weeks=2)),
        ("منذ يومين", RelativeTime(days=2)),
        ("منذ ساعتين", RelativeTime(hours=2)),
        ("منذ دقيقتين", RelativeTime(minutes=2)),
        ("منذ 3 أسابيع", RelativeTime(weeks=3)),
        ("منذ ١١ يوماً", RelativeTime(days=11)),
        ("منذ ۵ ساعات", RelativeTime(hours=5)),
        ("منذ 10 دقائق", RelativeTime(minutes=10)),
        ("منذ 30 ثانية", RelativeTime(seconds=30)),
        ("منذ 4 شهور", RelativeTime(months=4)),
        ("منذ شهر وأسبوعين", RelativeTime(months=1, weeks=2)),
        ("منذ سنة و 3 أشهر", RelativeTime(years=1, months=3)),
    ],
)
def test_relative_times(phrase, expected):
    assert parse_relative_time(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "منذ سنوات ونحن ننتظر",
        "منذ",
        "منذ 3",
        "منذ 2 سنتين",
        "منذ سنة سنة",
        "قبل يومين",
        "منذ ساعات",
    ],
)
def test_not_relative_times(phrase):
    assert parse_relative_time(phrase) is None


def test_age_days_of_the_seed_time_is_about_7_years_8_months():
    age = parse_relative_time("منذ 7 سنوات 8 أشهر").age_days
    assert age == 2800
    assert 7 * 365 + 8 * 30 <= age <= 7 * 366 + 8 * 31


def test_before_steps_back_on_the_calendar():
    assert RelativeTime(years=7, months=8).before(date(2024, 3, 1)) == date(2016, 7, 1)
    assert RelativeTime(months=1).before(date(2024, 3, 31)) == date(2024, 2, 29)
    assert RelativeTime(days=2).before(date(2024, 3, 1)) == date(2024, 2, 28)
    assert RelativeTime(hours=2).before(date(2024, 3, 1)) == date(2024, 3, 1)


def test_normalize_folds_variants_for_matching_only():
    assert normalize("أحمد  إبراهيم") == normalize("احمد ابراهيم") == "احمد ابراهيم"
    assert normalize("مدرسةٌ") == "مدرسه"
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("جـــميل") == "جميل"
    assert normalize("عام ٢٠١٦") == "عام 2016"
    assert normalize("مؤتمر") == "موتمر"
