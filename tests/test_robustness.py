"""Awkward input that must still convert right: page markers in a row or in a postscript,
control characters, other encodings, odd file names, pathological lines."""

from __future__ import annotations

from lxml import etree

from conftest import TEI, text_words, words
from tei_edition.pipeline import convert_document


def convert(text: str | bytes, name: str = "doc.txt"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    doc, xml = convert_document(data, name)
    return doc, etree.fromstring(xml)


def x(root, path: str):
    return root.xpath(path, namespaces=TEI)


def pages_in_order(root) -> list[str]:
    return [pb.get("n") for pb in x(root, "//t:text//t:pb")]


LETTER = """Dwight D. Eisenhower
June 07, 1953
Letter to John Smith
Dear John:
First paragraph of the letter [Page 3] [Page 4]
Second paragraph.
[Page 408]
Sincerely,
DWIGHT D. EISENHOWER
[Page 409]
P.S. A postscript here.
[Page 410]
More of the postscript.
[Page 411]
The end of it.
"""


def test_two_page_markers_in_a_row_both_become_pb():
    _, root = convert("Heading\n\ntext [Page 3] [Page 4]\n\nmore [Page 5][Page 6]\n")
    assert pages_in_order(root) == ["3", "4", "5", "6"]
    assert text_words(root) == words("Heading text more")


def test_page_markers_in_a_postscript_keep_their_place():
    _, root = convert(LETTER)
    assert pages_in_order(root) == ["3", "4", "408", "409", "410", "411"]
    ps = x(root, "//t:postscript")[0]
    assert [c.tag.split("}")[1] for c in ps] == ["p", "pb", "p", "pb", "p"]
