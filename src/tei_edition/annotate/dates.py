"""Dates in running text: find them, give them ISO values, and nothing else.

A date needs a month name and a day (or a day and a year): "June 2", "February 1, 1951",
"6:40 p. m., February 1, 1951", "Jan 21-Apr 6, 1969". A bare year, a month alone, a
telegram or file number is not a date. A missing year is taken from the document's own
date, and only when the result lies close to it; otherwise the date is left untagged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..model import DateValue, Document, Span

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)(?!\d)"
_TIME = (
    r"(?:(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:a\.\s?m\.|p\.\s?m\.|a\.m\.?|p\.m\.?|AM|PM)"
    r"|noon|midnight)"
)
_DASH = r"\s?[-–—]\s?"

DATE_RE = re.compile(
    rf"""
    \b(?=[0-9JFMASONDnm])                              # cheap first-character filter
    (?:(?P<tbefore>{_TIME}),\s)?                       # 6:40 p. m., February 1, 1951
    (?:
      (?P<m1>{_MONTH})\s(?P<d1>{_DAY})                 # June 2 / Jan 21-Apr 6, 1969 / June 2-5, 1953
      (?:{_DASH}(?:(?P<m2>{_MONTH})\s)?(?P<d2>{_DAY}))?
      (?:,?\s(?P<y1>{_YEAR}))?
    |
      (?P<d3>{_DAY})\s(?P<m3>{_MONTH}),?\s(?P<y3>{_YEAR})   # 1 February 1951
    )
    (?:(?:,\s|{_DASH})(?P<tafter>{_TIME}))?             # July 29, 1969, 4 p.m. / 1951—3 p. m.
    """,
    re.VERBOSE,
)


def _month(name: str) -> int:
    return MONTHS[name.rstrip(".").lower()]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())


def parse_time(text: str | None) -> str | None:
    """'6:40 p. m.' -> '18:40:00'; None when there is no time."""
    if not text:
        return None
    t = text.lower().replace(" ", "")
    if t == "noon":
        return "12:00:00"
    if t == "midnight":
        return "00:00:00"
    m = re.match(r"(\d{1,2})(?::(\d\d))?(a|p)", t)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 12:
        return None
    if m.group(3) == "p" and hour != 12:
        hour += 12
    if m.group(3) == "a" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}:00"


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


@dataclass
class DateMatch:
    start: int
    end: int
    attrs: dict[str, str]  # when | from+to
    has_year: bool


def _infer_year(month: int, day: int, ref: dt.date | None) -> int | None:
    """The year of a month-day mention, from the document's own date, or None.

    Letters and memoranda refer mostly to the recent past and the near future; a
    mention that would lie more than four months after the document is read as last
    year's ("December 20" in a January memorandum), and one that fits neither is left
    without a year.
    """
    if ref is None:
        return None
    for year in (ref.year, ref.year - 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        delta = (cand - ref).days
        if -245 <= delta <= 120:
            return year
    return None


def find_dates(text: str, ref: dt.date | None = None) -> list[DateMatch]:
    """Every date in ``text`` that can be given an ISO value."""
    found = []
    for m in DATE_RE.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum()):
            continue
        g = m.groupdict()
        if g["m3"]:
            month, day, year = _month(g["m3"]), _day(g["d3"]), int(g["y3"])
            start = _iso(year, month, day)
            end = None
        else:
            month, day = _month(g["m1"]), _day(g["d1"])
            has_year = bool(g["y1"])
            year = int(g["y1"]) if has_year else _infer_year(month, day, ref)
            if year is None:
                continue
            start = _iso(year, month, day)
            end = None
            if g["d2"]:
                month2 = _month(g["m2"]) if g["m2"] else month
                end = _iso(year, month2, _day(g["d2"]))
                if end is None or start is None or end <= start:
                    continue
        if start is None:
            continue
        time = parse_time(g["tbefore"] or g["tafter"])
        if end:
            attrs = {"from": start, "to": end}
        else:
            attrs = {"when": f"{start}T{time}" if time else start}
        found.append(DateMatch(m.start(), m.end(), attrs, bool(g["y1"] or g["y3"])))
    return found


def full_date(text: str) -> DateValue | None:
    """The first date with a year in ``text`` (time of day kept), as document-date evidence."""
    for match in find_dates(text):
        if match.has_year and "when" in match.attrs:
            return DateValue(when=match.attrs["when"], text=text[match.start:match.end].strip())
    return None


_FILE_DATE = re.compile(r"/(?P<m>\d{1,2})[–-](?P<dy>\d{3,4})(?![\d–-])|/(?P<my>\d{3,4})(?![\d–-])")


def file_number_date(file_number: str) -> DateValue | None:
    """The date in a State Department decimal file number.

    ``795.00/1–1251``: month 1, day 12, year (19)51 -> 1951-01-12. ``/9–551``: 5 September
    1951. ``/251`` gives a month only (February 1951), so the date is a range with
    notBefore/notAfter and no @when. Malformed numbers give None. The file date is usually,
    not always, the day the document was written, hence cert="medium".
    """
    m = _FILE_DATE.search(file_number)
    if not m:
        return None
    if m.group("m"):
        month, rest = int(m.group("m")), m.group("dy")
        day, year = int(rest[:-2]), 1900 + int(rest[-2:])
        when = _iso(year, month, day) if 1 <= month <= 12 else None
        if when is None:
            return None
        return DateValue(when=when, text=file_number, evidence="file-number", cert="medium")
    digits = m.group("my")
    month, year = int(digits[:-2]), 1900 + int(digits[-2:])
    if not 1 <= month <= 12:
        return None
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return DateValue(
        not_before=f"{year}-{month:02d}-01",
        not_after=f"{year}-{month:02d}-{last:02d}",
        text=file_number,
        evidence="file-number",
        cert="medium",
    )


def _ref_date(doc: Document) -> dt.date | None:
    date = doc.meta.date
    if date and date.when:
        try:
            return dt.date.fromisoformat(date.when[:10])
        except ValueError:
            return None
    return None


def annotate_dates(doc: Document) -> None:
    """Add a ``date`` span for every date in every block (file numbers excepted)."""
    ref = _ref_date(doc)
    for block in doc.blocks:
        if block.role in ("file-number", "page"):
            continue
        for match in find_dates(block.text, ref):
            block.spans.append(Span(match.start, match.end, "date", match.attrs, priority=1))
