"""What a sampling unit is, and which stratum it falls in: from one raw corpus record.

The frame is read from the corpus's JSON records as parsed (dicts), not through
:class:`~toolkit.corpus.Article`: building a dataclass per comment would double the
time of a pass over ten million comments, and only a few fields are read here.

- The units that may be sampled: the schema's units (comments or articles), minus
  near-duplicate copies (``duplicate_of`` set: they are labelled through their
  cluster's first comment, so a sample holds at most one comment per cluster) and
  minus those the design's length filters leave out.
- A stratum is one value per ``stratify_by`` dimension:

  ``site``     the host of the article's URL (``www.`` dropped), else its input file
               (the article's ``source`` without a ``:line`` suffix)
  ``article``  the article's id (comment units only)
  ``month``    ``YYYY-MM`` of the article's ``published`` date when it starts with
               one, else of the comment's ``time_estimated`` date (ingest with
               ``--crawled-at``), else ``unknown``
  ``length``   a band of the unit's text length in characters (comment text, article
               body): :data:`LENGTH_BANDS`
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

DIMENSIONS = ("site", "article", "month", "length")
UNKNOWN = "unknown"

#: unit -> the lower bounds (characters) of its length bands, ascending; a band is named
#: ``<lower>-<next lower - 1>``, the last ``<lower>+``
LENGTH_BANDS: dict[str, tuple[int, ...]] = {
    "comment": (0, 40, 160, 400),
    "article": (0, 1000, 3000),
}

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_LINE_SUFFIX = re.compile(r":\d+$")


def band_names(unit: str) -> list[str]:
    """The names of a unit's length bands, in order (``0-39``, ``40-159``, ..., ``400+``)."""
    lows = LENGTH_BANDS[unit]
    names = [f"{low}-{high - 1}" for low, high in zip(lows[:-1], lows[1:], strict=True)]
    return names + [f"{lows[-1]}+"]


def _band_table(unit: str) -> list[str]:
    """Band name by length, for every length below the last band's lower bound."""
    lows, names = LENGTH_BANDS[unit], band_names(unit)
    return [names[sum(1 for low in lows if length >= low) - 1] for length in range(lows[-1])]


_BANDS = {unit: (_band_table(unit), band_names(unit)[-1]) for unit in LENGTH_BANDS}


def length_band(unit: str, length: int) -> str:
    """The band of a text of ``length`` characters."""
    table, last = _BANDS[unit]
    return table[length] if length < len(table) else last


def site_of(url: object, source: object) -> str:
    """The host of ``url`` (lowercase, without ``www.``), else the input file of ``source``."""
    if isinstance(url, str) and url:
        try:
            host = urlsplit(url.strip()).hostname
        except ValueError:
            host = None
        if host:
            return host[4:] if host.startswith("www.") else host
    if isinstance(source, str) and source:
        return _LINE_SUFFIX.sub("", source)
    return UNKNOWN


@lru_cache(maxsize=4096)  # estimated dates repeat (one per crawl day and age)
def _month(date: str) -> str | None:
    found = _MONTH.match(date.strip())
    if found and 1 <= int(found.group(2)) <= 12:
        return f"{found.group(1)}-{found.group(2)}"
    return None


def month_of(date: object) -> str | None:
    """``YYYY-MM`` of a date that starts with one (``2024-03-02``, ``2024-03-02T08:15Z``)."""
    return _month(date) if isinstance(date, str) else None


@dataclass(frozen=True)
class Frame:
    """What may be sampled: the unit, the stratification and the length filters."""

    unit: str  # comment | article
    stratify_by: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None


class Tally:
    """Units met that are not in the frame, by why."""

    def __init__(self) -> None:
        self.copies = 0  # near-duplicate copies (labelled through their first)
        self.filtered = 0  # left out by min_length / max_length


def frame_units(record: dict, frame: Frame, tally: Tally) -> list[tuple[str, tuple]]:
    """(unit id, stratum) of each unit of one corpus record that may be sampled, in corpus
    order; units left out are counted in ``tally``. Raises KeyError/TypeError on a record
    that is not a corpus article (the caller names the line)."""
    dims = frame.stratify_by
    low = frame.min_length
    high = frame.max_length
    site = site_of(record.get("url"), record.get("source")) if "site" in dims else ""
    month = month_of(record.get("published")) if "month" in dims else None
    if frame.unit == "article":
        body = record["body"]
        length = len(body)
        if (low is not None and length < low) or (high is not None and length > high):
            tally.filtered += 1
            return []
        values = {"site": site, "month": month or UNKNOWN,
                  "length": length_band("article", length) if "length" in dims else ""}
        return [(record["id"], tuple(values[d] for d in dims))]
    fixed = {"site": site, "article": record["id"], "month": month or UNKNOWN, "length": ""}
    base = [fixed[d] for d in dims]
    # the dimensions that vary from comment to comment: the length band, and the month
    # when the article has no date
    at_length = dims.index("length") if "length" in dims else -1
    at_month = dims.index("month") if "month" in dims and month is None else -1
    key = tuple(base)
    table, last = _BANDS["comment"]
    longest = len(table)
    filters = low is not None or high is not None
    out = []
    for comment in record["comments"]:
        if comment.get("duplicate_of"):
            tally.copies += 1
            continue
        if filters or at_length >= 0:
            length = len(comment["text"])
            if filters and ((low is not None and length < low)
                            or (high is not None and length > high)):
                tally.filtered += 1
                continue
        else:
            comment["text"]  # noqa: B018  (a comment without text is not a corpus comment)
        if at_length >= 0 or at_month >= 0:
            varied = base.copy()
            if at_length >= 0:
                varied[at_length] = table[length] if length < longest else last
            if at_month >= 0:
                varied[at_month] = month_of(comment.get("time_estimated")) or UNKNOWN
            key = tuple(varied)
        out.append((comment["id"], key))
    return out
