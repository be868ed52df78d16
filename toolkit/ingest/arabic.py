"""Arabic text helpers: relative times ("منذ 7 سنوات 8 أشهر") and normalization for matching.

Normalization (:func:`normalize`) folds spelling variants so that two copies of
the same text compare equal; it is for keys and matching only and never
overwrites stored text (annotation offsets point into the stored strings).

Relative times (:func:`parse_relative_time`) cover منذ followed by one or more
components, each a number and a unit (سنة/سنوات، شهر/أشهر/شهور، أسبوع/أسابيع،
يوم/أيام، ساعة/ساعات، دقيقة/دقائق، ثانية/ثوان), a dual (سنتين، شهرين، ...), or a bare
singular (منذ سنة = one year), joined by spaces and an optional و; numbers may
be written in Western, Arabic-Indic or Persian digits.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

__all__ = [
    "RelativeTime",
    "normalize",
    "normalized_utf8",
    "parse_relative_time",
    "to_western_digits",
]

# --- normalization -----------------------------------------------------------------

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})

# Normalization is a handful of whole-string passes, each done in C: one ``in``
# scan per character that folds (a memchr-speed search), a replace only for the
# characters actually present, and whitespace folded without splitting the text
# into words. Measured on seed-sized article bodies this is about twice as fast
# as a regex for the deletions plus " ".join(text.split()), and several times
# faster than str.translate with a mapping (which looks every character up in a
# dict). The result is identical to the straightforward definition
#     text = <fold _FOLD>; text = re.sub("[<_MARKS><_FORMAT>]", "", text)
#     " ".join(text.split()).casefold()
# (tests/test_arabic.py checks that against a reference implementation).
_FOLD = (
    *((c, "ا") for c in "أإآٱ"),
    ("ة", "ه"),
    ("ى", "ي"),
    ("ؤ", "و"),
    ("ئ", "ي"),
    *((c, str(i)) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")),
    *((c, str(i)) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")),
)
# Deleted: tatweel; harakat, tanween, shadda, sukun, Quranic marks; superscript alef.
_MARKS = ("\u0640", *map(chr, range(0x064B, 0x0660)), "\u0670")
# Deleted: zero-width and direction marks. Like every whitespace character but the
# plain space, they are not printable, so one str.isprintable() pass rules them
# all out for ordinary text.
_FORMAT = ("\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff")
# Every character str.split() splits on, except " " and "\n" (handled first).
_SPACES = (
    "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
    *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
)
# The first UTF-8 byte of every character that str.casefold() changes (A-Z, Latin,
# Greek, Cyrillic, Armenian, Georgian, Cherokee, letterlike symbols, fullwidth
# letters, ...; tests/test_arabic.py checks this over all of Unicode). Arabic
# letters (0xD8-0xDB) are not among them, so most Arabic keys skip casefold().
_CASED_LEADS = bytes(
    [*range(0x41, 0x5B), *range(0xC2, 0xCA), *range(0xCD, 0xD7), 0xE1, 0xE2, 0xEA, 0xEF, 0xF0]
)


def to_western_digits(text: str) -> str:
    """Arabic-Indic and Persian digits -> 0-9; everything else unchanged."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """A matching key for Arabic text: alef/hamza forms, ta marbuta, alef maqsura,
    tatweel, diacritics and digits folded, case folded, whitespace collapsed.

    For comparing and deduplicating only: never store the result in place of the
    source text.
    """
    return _fold(text).casefold()


def normalized_utf8(text: str) -> bytes:
    """``normalize(text).encode("utf-8")``, faster: for hashing a key (the ingest dedupe).

    casefold() is skipped when the UTF-8 bytes hold no character it could change.
    """
    folded = _fold(text)
    data = folded.encode("utf-8")
    if len(data.translate(None, _CASED_LEADS)) != len(data):
        data = folded.casefold().encode("utf-8")
    return data


def _fold(text: str) -> str:
    """Everything :func:`normalize` does except casefold()."""
    for old, new in _FOLD:
        if old in text:
            text = text.replace(old, new)
    for mark in _MARKS:
        if mark in text:
            text = text.replace(mark, "")
    if "\n" in text:  # line breaks and paragraph breaks: no word list, few pieces
        text = " ".join(filter(None, text.split("\n")))
    if not text.isprintable():  # rare: tabs, exotic spaces, zero-width or direction marks
        for mark in _FORMAT:
            if mark in text:
                text = text.replace(mark, "")
        for space in _SPACES:
            if space in text:
                text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


# --- relative times ----------------------------------------------------------------

_DAYS_PER_YEAR = 365.2425
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12

# Unit forms, written already normalized (see normalize). Each entry: form -> (unit, count
# implied by the word alone: 1 for a singular, 2 for a dual, 0 for a plural, which
# needs a number). A singular's tanween alef (يوماً -> يوما) is accepted too.
_UNIT_FORMS: dict[str, tuple[str, int]] = {}


def _forms(unit: str, singular: tuple[str, ...], plural: tuple[str, ...], dual: tuple[str, ...]):
    for word in singular:
        _UNIT_FORMS[word] = (unit, 1)
        _UNIT_FORMS[word + "ا"] = (unit, 1)
    for word in plural:
        _UNIT_FORMS.setdefault(word, (unit, 0))
    for word in dual:
        _UNIT_FORMS[word] = (unit, 2)


_forms("years", ("سنه", "عام"), ("سنوات", "سنين", "اعوام"), ("سنتين", "سنتان", "عامين", "عامان"))
_forms("months", ("شهر",), ("اشهر", "شهور"), ("شهرين", "شهران"))
_forms("weeks", ("اسبوع",), ("اسابيع",), ("اسبوعين", "اسبوعان"))
_forms("days", ("يوم",), ("ايام",), ("يومين", "يومان"))
_forms("hours", ("ساعه",), ("ساعات",), ("ساعتين", "ساعتان"))
_forms("minutes", ("دقيقه",), ("دقايق", "دقائق"), ("دقيقتين", "دقيقتان"))
_forms("seconds", ("ثانيه",), ("ثوان", "ثواني"), ("ثانيتين", "ثانيتان"))

_NUMBER = re.compile(r"^\d+$")
_TOKEN = re.compile(r"\d+|[^\s\d]+")
_MUNDH = "منذ"


@dataclass(frozen=True)
class RelativeTime:
    """An age such as "7 years 8 months", parsed from a relative time phrase."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @property
    def age_days(self) -> int:
        """Approximate age in whole days (a year is 365.2425 days, a month a twelfth of it)."""
        total = (
            self.years * _DAYS_PER_YEAR
            + self.months * _DAYS_PER_MONTH
            + self.weeks * 7
            + self.days
            + self.hours / 24
            + self.minutes / 1440
            + self.seconds / 86400
        )
        return round(total)

    def before(self, moment: date) -> date:
        """The calendar date this age reaches back to from ``moment`` (e.g. the crawl date).

        Years and months step back on the calendar (the day clamped to the month's
        length); weeks, days and smaller units are subtracted as a duration rounded
        to whole days (``moment`` has no time of day).
        """
        month_index = moment.year * 12 + (moment.month - 1) - (self.years * 12 + self.months)
        year, month = divmod(month_index, 12)
        month += 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        back = date(year, month, day)
        rest = timedelta(
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )
        return back - timedelta(days=round(rest.total_seconds() / 86400))


@lru_cache(maxsize=4096)  # pages repeat the same few phrases; bounded memory
def parse_relative_time(text: str) -> RelativeTime | None:
    """Parse "منذ 7 سنوات 8 أشهر" (or any phrase of the grammar above) into its age.

    Returns None when the whole phrase is not a relative time, so a comment that
    merely starts with منذ ("منذ سنوات ونحن ...") is not taken for one; a plural
    without its number ("منذ ساعات", "منذ ثوانٍ") is vague and also gives None. A
    leading middle dot (the page layout's "·منذ ...") is ignored.
    """
    key = normalize(text).lstrip("·•- ")
    if not key.startswith(_MUNDH):
        return None
    tokens = _TOKEN.findall(key[len(_MUNDH) :])
    if not tokens:
        return None
    parts: dict[str, int] = {}
    number: int | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == "و":  # a detached "و" between components
            if number is not None or not parts:
                return None
            continue
        if token.startswith("و") and parts and number is None and token[1:] in _UNIT_FORMS:
            token = token[1:]  # "وشهرين": the attached conjunction
        if _NUMBER.match(token):
            if number is not None:
                return None
            number = int(token)
            continue
        unit_form = _UNIT_FORMS.get(token)
        if unit_form is None:
            return None
        unit, implied = unit_form
        if number is None:
            if implied == 0:  # a plural needs its number: "منذ سنوات" is not an age
                return None
            count = implied
        else:
            if implied == 2:  # "منذ 2 سنتين" is not a phrase
                return None
            count = number
        if unit in parts:
            return None
        parts[unit] = count
        number = None
    if number is not None or not parts:
        return None
    return RelativeTime(**parts)
