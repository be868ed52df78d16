"""Relative times and matching normalization (toolkit.ingest.arabic)."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.ingest.arabic import RelativeTime, normalize, normalized_utf8, parse_relative_time


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


# --- normalize is a fast implementation of a plain definition; the two must agree ----

_FOLD_REFERENCE = {
    **{c: "ا" for c in "أإآٱ"},
    "ة": "ه",
    "ى": "ي",
    "ؤ": "و",
    "ئ": "ي",
    **{c: str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")},
    **{c: str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")},
}
_DELETE_REFERENCE = re.compile("[\u0640\u064b-\u065f\u0670\u200b-\u200f\u061c\ufeff]")


def _reference_normalize(text: str) -> str:
    """The definition (and the implementation before the speed-up), character by character."""
    text = "".join(_FOLD_REFERENCE.get(c, c) for c in text)
    text = _DELETE_REFERENCE.sub("", text)
    return " ".join(text.split()).casefold()


_WHITESPACE = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
_TRICKY = (
    "".join(_FOLD_REFERENCE)
    + "\u0640\u064b\u064e\u0650\u0651\u0652\u065f\u0670\u200b\u200c\u200d\u200e\u200f\u061c\ufeff"
    + "".join(_WHITESPACE)
    + "احمدبيتكلمنهوABCabcßİΣσςﬁµ😀🌸·.,،؟"
)


def test_normalize_handles_every_whitespace_character():
    """normalize folds whitespace without str.split(): its table must be complete."""
    from toolkit.ingest.arabic import _FORMAT, _SPACES

    assert sorted({*_SPACES, " ", "\n"}) == _WHITESPACE
    # the fast path skips these scans when the text is printable
    assert not any(c.isprintable() for c in (*_SPACES, *_FORMAT))


def test_normalize_equals_the_reference_on_the_seed_and_samples():
    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "samples").iterdir())]
    seed = (root / "samples" / "000_dab86e570d492265.txt").read_text(encoding="utf-8")
    lines = [line for text in texts for line in text.splitlines()]
    assert len(lines) > 100
    for text in [*texts, *lines, seed.replace("\n", "\r\n"), seed.replace(" ", "\u00a0\t ")]:
        assert normalize(text) == _reference_normalize(text)
    assert "  " not in normalize(seed) and "\n" not in normalize(seed)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n",
        "\u200b",
        " \u200b \n\u200f\n ",
        "a\u200b b",
        "a\n\u200b\nb",
        "ذَهَبَ  الوَلَدُ\t\tإلى\u00a0المَدْرَسَةِ\r\n",
        "ـــ\u0640\u0640",
        "  ABC ßtraße  İ ",
        "\u3000رام\u2028الله\u2029\u205f",
    ],
)
def test_normalize_equals_the_reference_on_edge_cases(text):
    assert normalize(text) == _reference_normalize(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=60) | st.text(max_size=60))
def test_normalize_equals_the_reference_on_random_text(text):
    assert normalize(text) == _reference_normalize(text)


def test_casefold_can_be_skipped_only_where_it_changes_nothing():
    """normalized_utf8 skips casefold() unless the bytes hold one of _CASED_LEADS."""
    from toolkit.ingest.arabic import _CASED_LEADS

    leads = {
        chr(code).encode("utf-8")[0]
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and chr(code).casefold() != chr(code)
    }
    assert leads <= set(_CASED_LEADS)
    assert not {0xD8, 0xD9, 0xDA, 0xDB} & set(_CASED_LEADS)  # Arabic letters


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=60) | st.text(max_size=60))
def test_normalized_utf8_is_normalize_encoded(text):
    assert normalized_utf8(text) == _reference_normalize(text).encode("utf-8")


def test_dedupe_key_is_the_hash_of_the_normalized_title_and_body():
    from hashlib import blake2b

    from toolkit.ingest._common import dedupe_key

    root = Path(__file__).resolve().parent.parent
    seed = (root / "samples" / "000_dab86e570d492265.txt").read_text(encoding="utf-8")
    title, body = seed.split("\n", 1)
    for t, b in [(title, body), ("Ahmed  أحمد", "ΣΊΣΥΦΟΣ\nمدرسةٌ"), ("", "")]:
        expected = blake2b(
            (_reference_normalize(t) + "\x00" + _reference_normalize(b)).encode("utf-8"),
            digest_size=16,
        ).digest()
        assert dedupe_key(t, b) == expected
    assert dedupe_key("أحمد", "مدرسة") == dedupe_key("احمد ", "مدرسه")
