"""The one document model every stage shares (pandoc-style: readers -> model -> writers).

Readers fill ``Document.blocks`` (text kept exactly as in the source, one block per
structural unit, each with a role) and ``Document.meta``. Annotators add standoff
``Span``s over a block's text and never edit the text; the TEI writer emits exactly
the block text, cut at span edges. That is what makes "nothing lost" easy to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Block roles a reader may assign (DESIGN.md §1).
ROLES = {
    "author-line",      # "Dwight D. Eisenhower" above a presidential paper
    "date-line",        # "June 07, 1953" under the author line
    "title",            # the document's own heading
    "release-note",     # "[Released June 7, 1953. Dated June 6, 1953]"
    "file-number",      # "795.00/1–1251", "611.94A/2–251: Telegram"
    "source-note",      # "CA Files: Lot 56 D 625", "Source: National Archives, ..."
    "classification",   # "top secret", "secret", "confidential", ...
    "despatch-number",  # "No. 187.]" under the heading of a 19th-century despatch
    "dateline",         # "[Washington,] February 1, 1951."
    "subject",          # "Subject: ..."
    "participants",     # "Participants: ...", "PARTICIPANTS", "Present"
    "participant",      # one line of a participants list
    "salute",           # "Dear Mr. President:"
    "paragraph",
    "list-item",        # "1. The United States ..."
    "closing",          # "Sincerely,"
    "signature",        # "DWIGHT D. EISENHOWER"
    "note",             # "Note: ..." editorial note
    "editorial",        # "[Here follows a discussion ...]", "[Omitted here ...]"
    "page",             # a "[Page 84]" marker standing alone between blocks
    "subheading",       # "Blockade": a short heading between paragraphs (a section's head)
    "attachment",       # "[Attachment]": what follows is a document attached to this one
}


@dataclass
class Span:
    """A standoff annotation over ``Block.text[start:end]``.

    ``kind`` is the TEI element to write (``pb``, ``date``, ``persName``, ``placeName``,
    ``orgName``, ``idno``, ``label``, ...). ``attrs`` are its attributes. A ``pb`` span
    covers the marker text it replaces; every other span keeps its text.
    """

    start: int
    end: int
    kind: str
    attrs: dict[str, str] = field(default_factory=dict)
    entity: str | None = None  # key into Document.entities for persName/placeName/orgName
    priority: int = 0  # higher wins when the resolver must drop one of two overlapping spans


@dataclass
class Block:
    role: str
    text: str
    line: int = 0  # 1-based line of the source where the block starts
    n: str | None = None  # list-item number
    spans: list[Span] = field(default_factory=list)


@dataclass
class DateValue:
    """A date with the evidence it rests on, so an editor can check it."""

    when: str | None = None  # ISO 8601: 1951-01-12 or 1951-02-01T18:40:00
    not_before: str | None = None
    not_after: str | None = None
    text: str = ""  # the words it was read from
    evidence: str = ""  # dateline | release-note | date-line | file-number | text
    cert: str = "high"  # high | medium | low
    file_agrees: bool | None = None  # does the decimal file number give the same day?


@dataclass
class Entity:
    """One person, place or organisation of the standOff index."""

    key: str  # xml:id, stable across a corpus (derived from the authority id)
    kind: str  # person | place | org
    name: str  # preferred name
    forms: list[str] = field(default_factory=list)  # forms met in the text
    type: str | None = None  # country, city, region, government, agency, ...
    idnos: list[tuple[str, str]] = field(default_factory=list)  # (type, value)
    note: str | None = None
    birth: str | None = None
    death: str | None = None


@dataclass
class Meta:
    title: str | None = None
    author: str | None = None
    addressee: str | None = None
    file_number: str | None = None
    source_note: str | None = None
    classification: str | None = None
    release_note: str | None = None
    release_date: DateValue | None = None
    date: DateValue | None = None  # the creation date of the document
    place: str | None = None  # place of the dateline
    kind: str = "document"  # letter | memorandum | telegram | document ...
    # Entity keys (Document.entities) for correspDesc, set by the entity annotators.
    sender: str | None = None
    recipient: str | None = None


@dataclass
class Document:
    stem: str  # the source file's stem, used for file names and ids
    source_name: str  # the source file's name as given
    layout: str  # presidential | state-department | generic
    blocks: list[Block] = field(default_factory=list)
    meta: Meta = field(default_factory=Meta)
    normalisations: list[str] = field(default_factory=list)  # recorded in editorialDecl
    warnings: list[str] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    encoding: str = "utf-8"
    # working state of the annotators that a second pass may reuse; never written out
    scratch: dict = field(default_factory=dict, repr=False, compare=False)
