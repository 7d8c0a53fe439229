"""The built-in components, in the order of ``components.PIPELINE``."""

from __future__ import annotations

from ..model import Document
from .components import Context, component
from .dates import annotate_dates
from .entities import annotate_gazetteer, annotate_persons
from .filenumbers import annotate_file_numbers
from .pages import annotate_pages
from .resolve import resolve_document


@component("pages", adds=("pb",), sees_pages=True)
def pages(doc: Document, ctx: Context) -> None:
    """Page markers "[Page N]" as pb spans."""
    annotate_pages(doc)


@component("file-numbers", adds=("idno",))
def file_numbers(doc: Document, ctx: Context) -> None:
    """The decimal file number of a State Department document as an idno span."""
    annotate_file_numbers(doc)


@component("dates", adds=("date",))
def dates(doc: Document, ctx: Context) -> None:
    """Dates in running text with ISO values (a missing year from the document's date)."""
    annotate_dates(doc)


@component("persons", needs=("dates",), adds=("persName", "listPerson"))
def persons(doc: Document, ctx: Context) -> None:
    """Persons, linked to the person authorities and to the corpus knowledge."""
    annotate_persons(doc, ctx.auth, ctx.knowledge)


@component("places", needs=("persons",), adds=("placeName", "listPlace"))
def places(doc: Document, ctx: Context) -> None:
    """Places of the gazetteer, linked to GeoNames where known."""
    annotate_gazetteer(doc, ctx.auth, "place")


@component("orgs", needs=("persons",), adds=("orgName", "listOrg"))
def orgs(doc: Document, ctx: Context) -> None:
    """Organisations of the packaged and user lists."""
    annotate_gazetteer(doc, ctx.auth, "org")


@component("resolve", adds=("nesting",), sees_pages=True)
def resolve(doc: Document, ctx: Context) -> None:
    """Merge the spans of all components into a set the writer can nest; drop entities
    no span refers to any more."""
    resolve_document(doc)
