"""Validation stays linear in the size of a file, and huge text nodes are well-formed."""

from __future__ import annotations

import time

from tei_edition.pipeline import convert_document
from tei_edition.validate import validate_file


def _tei(tmp_path, body: str, name: str = "big.xml"):
    _, xml = convert_document(b"Heading\n\nthe marker line, not a name.\n", "big.txt")
    assert b"<p>the marker line, not a name.</p>" in xml
    path = tmp_path / name
    path.write_bytes(xml.replace(b"<p>the marker line, not a name.</p>", body.encode("utf-8")))
    return path


def test_schematron_is_linear_in_the_names_of_a_file(tmp_path):
    validate_file(_tei(tmp_path, "<p>warm up</p>", "warm.xml"))  # compile outside the timing
    body = "".join(f"<p>Met them in <placeName>Place {i}</placeName>.</p>" for i in range(20_000))
    path = _tei(tmp_path, body)
    start = time.perf_counter()
    assert validate_file(path) == []
    assert time.perf_counter() - start < 5  # was ~25 s (the square of the siblings)


def test_many_failures_are_reported_fast_with_their_lines(tmp_path):
    validate_file(_tei(tmp_path, "<p>warm up</p>", "warm.xml"))
    body = "".join('<p>Met <persName ref="#nobody">X</persName>.</p>' for _ in range(10_000))
    path = _tei(tmp_path, body)
    start = time.perf_counter()
    problems = validate_file(path)
    assert time.perf_counter() - start < 5
    assert len(problems) == 10_000
    assert all(p.line is not None and "does not resolve" in p.message for p in problems)


def test_a_text_node_over_ten_megabytes_is_well_formed(tmp_path):
    path = _tei(tmp_path, "<p>" + "word " * 2_200_000 + "</p>")
    assert path.stat().st_size > 10_000_000
    assert validate_file(path) == []


def test_a_duplicate_id_is_still_named_on_its_line(tmp_path):
    path = _tei(tmp_path, '<p xml:id="a">one</p>\n<p xml:id="a">two</p>')
    problems = [p for p in validate_file(path) if p.source == "schematron"]
    assert len(problems) == 2 and all("used 2 times" in p.message for p in problems)
    assert len({p.line for p in problems}) == 2
