"""Structure and dates on more layouts: file references and editorial first lines are not
titles; datelines after long headings and file numbers in source notes date a document."""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import TEI, text_words, words
from tei_edition.pipeline import convert_document

BODY = "The Minister reported at length on the question before the conference. " * 3


def convert(text: str):
    doc, xml = convert_document(text.encode("utf-8"), "doc.txt")
    return doc, etree.fromstring(xml)


def x(root, path: str):
    return root.xpath(path, namespaces=TEI)


def title(root) -> str:
    return x(root, "string(//t:titleStmt/t:title[1])")


@pytest.mark.parametrize("reference,number", [
    ("Paris Peace Conf. 183.9 Persia/3: Telegram", "183.9 Persia/3"),
    ("Paris Peace Conf. 861.00/101", "861.00/101"),
    ("File No. 861.48/680", "861.48/680"),
])
def test_a_file_reference_is_not_the_title(reference, number):
    text = f"{reference}\n\nThe Acting Secretary of State to the Commission\n\n{BODY}\n\nPolk\n"
    doc, root = convert(text)
    assert title(root) == "The Acting Secretary of State to the Commission"
    assert doc.meta.file_number == number
    assert text_words(root) == words(text)


@pytest.mark.parametrize("first", ["[Extract.]", "[Extract]", "[Translation]"])
def test_a_bracketed_editorial_first_line_is_not_the_title(first):
    for rest in ("763.72119/3488\n\nThe Minister in Persia (Caldwell) to the Secretary of State",
                 "The Minister in Persia (Caldwell) to the Secretary of State"):
        text = f"{first}\n\n{rest}\n\n{BODY}\n"
        _, root = convert(text)
        assert title(root) == "The Minister in Persia (Caldwell) to the Secretary of State"
        assert text_words(root) == words(text)


def test_a_dateline_with_a_note_of_receipt():
    text = ("763.72119/3488\n\nThe Minister in Persia (Caldwell) to the Secretary of State\n\n"
            f"Teheran, November 15, 1918. [Received January 24, 1919.]\n\nNo. 464\n\n{BODY}\n")
    doc, root = convert(text)
    assert doc.meta.date.when == "1918-11-15" and doc.meta.date.evidence == "dateline"
    assert doc.meta.place == "Teheran"


def test_a_dateline_after_a_long_heading_is_found():
    heading = ("Memorandum From the Assistant Secretary of State for East Asian and Pacific "
               "Affairs (Bundy) to Secretary of State Rusk on the Question of the Ryukyus")
    assert len(heading) > 100
    doc, root = convert(f"{heading}\n\nWashington, August 7, 1967.\n\n{BODY}\n")
    assert x(root, "string(//t:creation/t:date/@when)") == "1967-08-07"
    assert title(root) == heading


@pytest.mark.parametrize("note,when", [
    ("Source: Department of State, Central Files, 611.93/9–1255. Secret.", "1955-09-12"),
    ("Source: Department of State, Central Files, 851H.49/10-2361. Confidential.", "1961-10-23"),
])
def test_a_file_number_in_the_source_note_dates_with_medium_certainty(note, when):
    doc, root = convert(f"{note}\n\nMemorandum of Conversation\n\n{BODY}\n")
    date = x(root, "//t:profileDesc/t:creation/t:date")[0]
    assert date.get("when") == when and date.get("cert") == "medium"
    assert date.get("type") == "file-number"


def test_a_dateline_beats_the_file_number_in_the_source_note():
    doc, _ = convert("Source: Department of State, Central Files, 611.93/9–1255. Secret.\n\n"
                     f"Memorandum of Conversation\n\nWashington, September 10, 1955.\n\n{BODY}\n")
    assert doc.meta.date.when == "1955-09-10" and doc.meta.date.cert == "high"
    assert doc.meta.date.file_agrees is False
