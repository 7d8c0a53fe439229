"""The reading edition: notes as footnotes, tables as tables, quotation marks, dates in
words, previous/next, citation, file links, and index pages that stay small."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lhtml

from conftest import words
from tei_edition.cli import main
from tei_edition.export.common import format_date, human_date, read_tei
from tei_edition.export.html import Paging, _paginate, export_html
from tei_edition.export.text import text_of_reading
from tei_edition.validate import validate_file

DOC = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="d{stem}" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt><title type="main">{title}</title></titleStmt>
      <publicationStmt><publisher>tei-edition</publisher></publicationStmt>
      <sourceDesc><bibl><idno type="file">795.00/1–1251</idno></bibl></sourceDesc>
    </fileDesc>
    <profileDesc>
      <creation>{creation}</creation>
      <textClass><keywords><term type="kind">{kind}</term></keywords></textClass>
    </profileDesc>
  </teiHeader>
  <standOff>
    <listPerson>
      <person xml:id="hsg-1"><persName type="preferred">Rusk, Dean</persName><idno type="hsg">1</idno></person>
      <person xml:id="hsg-p{pid}"><persName type="preferred">{person}</persName></person>
    </listPerson>
  </standOff>
  <text>
    <body>
      <div type="document">
        <head>{title}</head>
        <p>The forces engaged.<note n="1">Cheju-do is an island off the coast.</note> Then
          <rs ref="#hsg-1">the Secretary</rs> said <q>we stay</q> and <q>“already quoted”</q>
          to <persName ref="#hsg-p{pid}">{person}</persName>.</p>
        <table>
          <row><cell>Division</cell><cell>Men</cell></row>
          <row><cell>First</cell><cell>12,000</cell></row>
        </table>
        <p>After the table.</p>
      </div>
    </body>
  </text>
</TEI>
"""


def write_doc(folder: Path, stem: str, *, title: str = "Memorandum",
              creation: str = '<date when="1951-01-12" type="dateline">x</date>',
              kind: str = "memorandum", person: str = "Rhee, Syngman") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.xml"
    path.write_text(DOC.format(stem=stem, title=title, creation=creation, kind=kind,
                               person=person, pid=sum(map(ord, person))),
                    encoding="utf-8")
    return path


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = write_doc(tmp_path / "tei", "a")
    assert validate_file(path) == []
    return path


def test_text_export_notes_tables_quotes(doc: Path) -> None:
    r = read_tei(doc)
    text = text_of_reading(r)
    # the note is a footnote: a marker in the text, its words at the end
    assert "The forces engaged.[1] Then the Secretary said “we stay” and “already quoted”" \
        in text
    assert text.rstrip().endswith("[1] Cheju-do is an island off the coast.")
    assert "engaged.Cheju-do" not in text
    # a table keeps its rows and cells
    assert "Division | Men\nFirst | 12,000" in text
    # nothing lost: the same words as the TEI (notes moved, not dropped)
    assert sorted(words(text)) == sorted(words("".join(
        read_tei(doc).text)))
    assert set(words("Cheju-do is an island off the coast Division Men First 12,000")) <= \
        set(words(text))


def test_json_offsets_hold_with_footnotes_and_tables(doc: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["export", str(doc), "-f", "json", "-f", "text",
                                    "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    assert data["text"] == (tmp_path / "out" / "a.txt").read_text(encoding="utf-8")
    for item in data["entities"] + data["dates"]:
        assert data["text"][item["start"]:item["end"]] == item["surface"]
    # the referring string is a mention of its entry
    rs = [e for e in data["entities"] if e["surface"] == "the Secretary"]
    assert rs and rs[0]["entity"]["id"] == "hsg-1"
    assert data["date"]["text"] == "12 January 1951"


def test_html_footnotes_tables_quotes(doc: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    export_html([read_tei(doc)], out)
    page = lhtml.fromstring((out / "a.html").read_bytes())
    article = page.find(".//article")
    assert "Cheju-do" not in article.text_content()
    ref = article.find(".//sup[@class='fnref']/a")
    assert ref.get("href") == "#fn-1" and ref.text == "1"
    note = page.get_element_by_id("fn-1")
    assert note.text_content().startswith("Cheju-do is an island off the coast.")
    assert note.find("a[@class='back']").get("href") == "#fnref-1"
    rows = [[td.text_content() for td in tr.iter("td")] for tr in article.iter("tr")]
    assert rows == [["Division", "Men"], ["First", "12,000"]]
    assert "said “we stay” and “already quoted”" in article.text_content()


@pytest.mark.parametrize("value, expected", [
    ("1951-01-12", "12 January 1951"),
    ("1951-01", "January 1951"),
    ("1951", "1951"),
    ("1953-06-02T14:30:00", "2 June 1953, 14:30"),
    ("1953-06-02T14:30:00Z", "2 June 1953, 14:30 UTC"),
    ("14:30:00", "14:30"),
    ("1951-13-01", "1951-13-01"),
    ("soon", "soon"),
])
def test_human_date(value: str, expected: str) -> None:
    assert human_date(value) == expected


def test_uncertain_dates_say_so() -> None:
    assert format_date("1951-01-12", None, None, "medium", "file-number") == \
        "probably 12 January 1951 (from the file number)"
    assert format_date(None, "1951-12-01", "1951-12-31", "medium", "file-number") == \
        "probably December 1951 (from the file number)"
    assert format_date(None, "1951-12-01", "1951-12-15") == \
        "between 1 December 1951 and 15 December 1951"
    assert format_date("1951", None, None, "low", "text") == "possibly 1951"
    assert format_date("1951-01-12", None, None, "high", "dateline") == "12 January 1951"


def test_document_page_navigation_citation_files(tmp_path: Path) -> None:
    tei = tmp_path / "tei"
    write_doc(tei, "late", title="Late", creation='<date when="1952-03-01">x</date>')
    write_doc(tei, "early", title="Early", creation='<date when="1950-03-01">x</date>')
    write_doc(tei, "guess", title="Guessed", creation='<date when="1951-01-12" '
              'type="file-number" cert="medium">795.00/1–1251</date>')
    res = CliRunner().invoke(main, ["export", str(tei), "-f", "html", "-f", "text",
                                    "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    pages = {n: lhtml.fromstring((tmp_path / "out" / f"{n}.html").read_bytes())
             for n in ("early", "guess", "late")}
    nav = {n: {a.get("rel"): a.get("href") for a in p.find_class("docnav")[0].iter("a")}
           for n, p in pages.items()}
    assert nav == {"early": {"next": "guess.html"},
                   "guess": {"prev": "early.html", "next": "late.html"},
                   "late": {"prev": "guess.html"}}
    guess = pages["guess"]
    date = guess.find(".//dl[@class='facts']/dd")
    assert date.text_content() == "probably 12 January 1951 (from the file number)"
    files = {a.text: a.get("href") for a in guess.find_class("file")}
    assert files == {"TEI": "../tei/guess.xml", "Text": "guess.txt"}
    assert (tmp_path / "out" / files["Text"]).is_file()
    cite = guess.find_class("citation")[0].text_content()
    assert cite == ("“Guessed”, probably 12 January 1951 (from the file number). file "
                    "795.00/1–1251. In tei-edition digital edition, document guess "
                    "(TEI: guess.xml).")
    assert guess.get_element_by_id("highlight").get("type") == "checkbox"


def test_index_pages_paginate_and_group(tmp_path: Path) -> None:
    """A generated corpus with a small page size: every document, entry and mention is
    reachable, and no page holds more than the bounds allow."""
    tei = tmp_path / "tei"
    people = ["Acheson, Dean", "Bradley, Omar", "Clark, Mark", "Dulles, John"]
    for i in range(23):
        write_doc(tei, f"d{i:02d}", title=f"Document {i}", person=people[i % 4],
                  creation=f'<date when="{1950 + i % 3}-0{1 + i % 9}-1{i % 10}">x</date>')
    readings = [read_tei(p) for p in sorted(tei.glob("*.xml"))]
    out = tmp_path / "html"
    paging = Paging(documents=5, entries=2, links=4, preview=2)
    export_html(readings, out, paging)
    index_pages = sorted(out.glob("index*.html"))
    assert [p.name for p in index_pages][:2] == ["index-2.html", "index-3.html"]
    assert len(index_pages) == 5  # 23 documents, 5 a page
    linked = set()
    for p in index_pages:
        doc = lhtml.fromstring(p.read_bytes())
        rows = doc.xpath("//table[@class='documents']/tbody/tr")
        assert len(rows) <= 5
        linked |= {a.get("href") for a in doc.xpath("//table//a")}
    assert linked == {f"d{i:02d}.html" for i in range(23)}
    # years as headings, with a jump list to the page of each year
    first = lhtml.fromstring((out / "index.html").read_bytes())
    jumps = [a.get("href") for a in first.find_class("jump")[0].iter("a")]
    assert jumps[0] == "#y-1950" and any(h.startswith("index-") for h in jumps)
    # persons: 5 entries (Rusk and four others), 2 a page, grouped by initial
    persons = sorted(out.glob("persons*.html"))
    assert [p.name for p in persons] == ["persons-2.html", "persons-3.html", "persons.html"]
    entries = []
    for p in persons:
        doc = lhtml.fromstring(p.read_bytes())
        sections = doc.find_class("entry")
        assert len(sections) <= 2
        entries += [s.get("id") for s in sections]
        for s in sections:
            assert re.fullmatch(r"\d+ mentions? in \d+ documents?|No mention in the text\.",
                                s.find_class("count")[0].text_content())
    assert len(entries) == 5 == len(set(entries))
    letters = [h.text for p in persons for h in lhtml.fromstring(p.read_bytes()).iter("h2")]
    assert sorted(set(letters)) == ["A", "B", "C", "D", "R"]
    # a frequent entry's own page is split too, and lists every mention once
    rusk = sorted(out.glob("person-hsg-1*.html"))
    assert len(rusk) > 1
    mentions = []
    for p in rusk:
        doc = lhtml.fromstring(p.read_bytes())
        links = [a.get("href") for a in doc.xpath("//ol[@class='mentions']//a")
                 if "#" in a.get("href")]
        assert len(links) <= 4
        mentions += links
    assert len(mentions) == 23 and len(set(mentions)) == 23


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=60), st.integers(1, 40), st.integers(1, 8))
def test_paginate_keeps_order_and_bounds(weights: list[int], limit: int, most: int) -> None:
    pages = _paginate(list(enumerate(weights)), lambda x: x[1], limit, most)
    flat = [x for page in pages for x in page]
    assert flat == list(enumerate(weights))
    for page in pages:
        assert len(page) <= most
        assert sum(w for _, w in page) <= limit or len(page) == 1


def test_parallel_document_pages_are_the_same(tmp_path: Path) -> None:
    tei = tmp_path / "tei"
    for i in range(9):
        write_doc(tei, f"p{i}", title=f"Paper {i}", creation=f'<date when="195{i}">x</date>')
    readings = [read_tei(p) for p in sorted(tei.glob("*.xml"))]
    one = export_html(readings, tmp_path / "one")
    two = export_html(readings, tmp_path / "two", jobs=2)
    assert sorted(p.name for p in one) == sorted(p.name for p in two)
    for p in one:
        assert p.read_bytes() == (tmp_path / "two" / p.name).read_bytes(), p.name


def test_page_images_from_facs(tmp_path: Path) -> None:
    path = write_doc(tmp_path / "tei", "img")
    xml = path.read_text(encoding="utf-8")
    xml = xml.replace("  <text>", """  <facsimile>
    <surface xml:id="s66"><graphic url="https://example.org/p66.jpg"/></surface>
    <graphic xml:id="g67" url="javascript:alert(1)"/>
  </facsimile>
  <text>""").replace("<p>The forces", '<p><pb n="66" facs="#s66"/>The forces').replace(
        "<p>After the table.", '<p><pb n="67" facs="#g67"/>After the table.')
    path.write_text(xml, encoding="utf-8")
    assert validate_file(path) == []
    export_html([read_tei(path)], tmp_path / "html")
    page = lhtml.fromstring((tmp_path / "html" / "img.html").read_bytes())
    p66 = page.get_element_by_id("page-66")
    assert p66.tag == "a" and p66.get("href") == "https://example.org/p66.jpg"
    p67 = page.get_element_by_id("page-67")
    assert p67.tag == "span" and p67.get("href") is None  # never a javascript: link


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r.\u00a0\u2009é")), max_size=12))
def test_white_space_collapses_as_xml_readers_do(s: str) -> None:
    """The reading text collapses white space runs to one space, whatever the mix."""
    from tei_edition.export.common import _normalise

    out = _normalise([("t", "x" + s + "y")])
    expected = "x" + re.sub(r"\s+", " ", s) + "y"
    assert "".join(ev[1] for ev in out) == expected
