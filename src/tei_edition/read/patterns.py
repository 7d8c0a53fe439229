"""Shape tests for single lines, shared by the layout readers."""

from __future__ import annotations

import re

from ..annotate.dates import DATE_RE
from ..annotate.pages import PAGE

CLASSIFICATION = re.compile(
    r"^(?:top secret|secret|confidential|restricted|unclassified|limited official use"
    r"|official use only)(?:\b[\w ;,/—–-]{0,40})?$",
    re.IGNORECASE,
)
# Possessive quantifiers keep these linear: "123 a:" + 64,000 spaces + "!" took a minute.
FILE_NUMBER = re.compile(r"^(?P<number>\d{3}[A-Z]?(?:\.\w++)?(?:[ /][\w.,–— -]*+)?)(?::\s*+(?P<kind>[\w ]+))?$")
# A file reference with a series before the number: "Paris Peace Conf. 183.9 Persia/3:
# Telegram", "File No. 861.48/680", "Paris Peace Conf. 861.00/101".
FILE_REFERENCE = re.compile(
    r"^(?P<series>(?:[A-Z][A-Za-z.]*+\s++){1,4}?)(?P<number>\d{3}[A-Z]?(?:\.[\dA-Za-z]++)?"
    r"(?:\s[A-Z][a-z]++)?/[\dA-Za-z–-]++)(?::\s*+(?P<kind>[\w ]+))?$")
# A decimal file number inside a source note: "Central Files, 611.93/9–1255.", "851H.49/10-2361"
FILE_NUMBER_IN_NOTE = re.compile(r"(?<![\w./])\d{3}[A-Z]?\.[\dA-Za-z]++/\d{1,2}[–-]\d{3,4}(?![\w–-])")
DECIMAL_FILE = re.compile(r"^\d{3}[A-Z]?(?:\.[\dA-Za-z]+)?(?:\s[A-Z]+)?/[\d–-]+")
SOURCE_NOTE = re.compile(r"^(?:[\w/–—&. -]{1,40}\bFiles\b|Source):", re.IGNORECASE)
SUBJECT = re.compile(r"^(?:subject|subj|re)\s*[:.]", re.IGNORECASE)
SUBJECT_ALONE = re.compile(r"^subject$", re.IGNORECASE)
PARTICIPANTS = re.compile(r"^(?:participants|present)\s*:", re.IGNORECASE)
PARTICIPANTS_ALONE = re.compile(r"^(?:participants|present|persons present)\s*:?$", re.IGNORECASE)
PAGE_ALONE = re.compile(rf"^(?:{PAGE.pattern})$", re.IGNORECASE)
EDITORIAL = re.compile(r"^\[[^\[\]]*\]$")
ATTACHMENT = re.compile(r"^\[(?:Attachment|Enclosure|Inclosure|Annex|Tab)\b[^\[\]]{0,40}\]$",
                        re.IGNORECASE)
# "1. The United States …", "1) The United States …", "(1) The United States …"
NUMBERED = re.compile(r"^(?P<label>(?P<open>\()?(?P<n>\d{1,2})(?(open)\)|[.)]))\s+\S")
# A numbered point inside a paragraph: "… these points: 1. Violent … 2. Communists …"
INLINE_POINT = re.compile(r"(?:(?<=[:.;!?”\"’)])\s+|^)(?P<n>\d{1,2})\.\s+(?=[A-Z“\"‘(])")
# Titles that open a name in a list of participants ("General Bradley Admiral Lalor").
TITLE_WORDS = frozenset((
    "General", "Admiral", "Colonel", "Col.", "Captain", "Capt.", "Commander", "Cdr.",
    "Major", "Maj.", "Lieutenant", "Lt.", "Mr.", "Mrs.", "Miss", "Ms.", "Dr.",
    "Ambassador", "Secretary", "Senator", "Governor", "Judge", "Sir", "Lord", "Professor",
    "Prof.", "Father", "Bishop", "Marshal", "Minister", "Vice", "Under", "Assistant",
    "Deputy", "President", "Chairman",
))
SALUTE = re.compile(r"^(?:-\s+)?(?:(?:my\s+)?dear|sir|gentlemen|excellency)\b.{0,60}[:,]$", re.IGNORECASE)
CLOSING = re.compile(
    r"^(?:(?:very\s+)?(?:sincerely|faithfully|respectfully|cordially|truly)(?:\s+yours)?"
    r"|yours\s+(?:sincerely|faithfully|truly|very truly)|with (?:warm |kind )?regards"
    r"|best wishes)\s*[,.]?$",
    re.IGNORECASE,
)
NOTE = re.compile(r"^(?:note|editor'?s note|editorial note)\s*:", re.IGNORECASE)
NAME_WORD = re.compile(r"^(?:[A-Z][a-zA-Z'’-]+|[A-Z]\.|Jr\.|Sr\.|[IVX]+|de|van|von|la|del)$")


_DIGIT = re.compile(r"\d")


def looks_like_name(text: str, max_words: int = 5) -> bool:
    """'Dwight D. Eisenhower', 'DWIGHT D. EISENHOWER', 'McConaughy', 'Richard Nixon'."""
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= max_words or _DIGIT.search(text):
        return False
    if text.endswith((".", ":", ";", "?", "!")) and not re.search(r"\b[A-Z]\.$|Jr\.$", text):
        return False
    return all(NAME_WORD.match(w) for w in words) and any(len(w) > 2 for w in words)


RECEIVED = re.compile(r"\[Received\b[^\[\]]{0,60}\]\.?$", re.IGNORECASE)


def dateline_match(text: str):
    """A dateline: an optional place, a full date, optional time; nothing else of weight
    but a note of receipt ("Teheran, November 15, 1918. [Received January 24, 1919.]")."""
    received = RECEIVED.search(text)
    if received and received.start() > 0:
        text = text[: received.start()].rstrip()
    if len(text) > 90:
        return None
    for m in DATE_RE.finditer(text):
        if not (m.group("y1") or m.group("y3")):
            continue
        place = text[: m.start()].strip(" ,[]")
        rest = text[m.end():].strip(" .,[]")
        if rest or len(place.split()) > 5 or any(ch.isdigit() for ch in place):
            return None
        if place and not all(w[:1].isupper() for w in place.replace(",", " ").split()):
            return None
        return m
    return None
