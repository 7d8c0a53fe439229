"""Exports read TEI from disk: HTML reading edition, text, JSON, CSV, teiCorpus, BagIt."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
from dataclasses import astuple
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lhtml

from conftest import DEVSET, SEEDS, TEI, tei_all_errors, words
from tei_edition.cli import main as cli_main
from tei_edition.export import export, export_all, make_bag, package, search, verify_bag
from tei_edition.export.common import read_tei
from tei_edition.export.text import text_of_reading
from tei_edition.pipeline import convert_document

T = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

# A hand-written file in the project's profile: entities with authority ids, a pb inside a
# paragraph and one between paragraphs, a date, an unlinked name, white space and a
# comment inside a paragraph, characters that need escaping.
FXA = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="fxa" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title type="main">Letter from Rusk to Rhee</title>
        <author><persName ref="#hsg-1234">Dean Rusk</persName></author>
      </titleStmt>
      <publicationStmt><publisher>tei-edition</publisher><idno type="edition">fxa</idno>
      </publicationStmt>
      <sourceDesc>
        <bibl>
          <title>Letter from Rusk to Rhee</title>
          <idno type="file">795.00/1–1251</idno>
          <note type="source">CA Files: Lot 56 D 625</note>
          <note type="classification">secret</note>
        </bibl>
      </sourceDesc>
    </fileDesc>
    <profileDesc>
      <creation><date when="1951-01-12">January 12, 1951</date></creation>
      <textClass><keywords><term type="kind">letter</term></keywords></textClass>
      <correspDesc>
        <correspAction type="sent"><persName ref="#hsg-1234">Dean Rusk</persName></correspAction>
        <correspAction type="received"><persName ref="#hsg-999">Syngman Rhee</persName></correspAction>
      </correspDesc>
    </profileDesc>
  </teiHeader>
  <standOff>
    <listPerson>
      <person xml:id="hsg-1234">
        <persName type="preferred">Rusk, David Dean</persName>
        <persName type="variant">Rusk</persName>
        <idno type="hsg">1234</idno>
        <idno type="URI">https://history.state.gov/departmenthistory/people/rusk-david-dean</idno>
      </person>
      <person xml:id="hsg-999">
        <persName type="preferred">Rhee, Syngman</persName>
        <idno type="hsg">999</idno>
      </person>
    </listPerson>
    <listPlace>
      <place xml:id="geo-1835841" type="country">
        <placeName type="preferred">Korea</placeName>
        <idno type="geonames">1835841</idno>
      </place>
    </listPlace>
    <listOrg>
      <org xml:id="org-un" type="international">
        <orgName type="preferred">United Nations</orgName>
        <idno type="wikidata">Q1065</idno>
      </org>
    </listOrg>
  </standOff>
  <text>
    <body>
      <div type="letter">
        <head>Letter from <persName ref="#hsg-1234">Rusk</persName> to <persName ref="#hsg-999">Rhee</persName></head>
        <opener>
          <dateline><placeName ref="#geo-1835841">Korea</placeName>, <date when="1951-01-12">January 12, 1951</date>.</dateline>
          <salute>Dear Mr. President:</salute>
        </opener>
        <p>The <orgName ref="#org-un">United
            Nations</orgName>   will   stay in <placeName ref="#geo-1835841">Korea</placeName>; <!-- a comment -->
          so says <persName ref="#hsg-1234">Rusk</persName> on <date when="1951-01-12">January 12</date>.</p>
        <p>Before the break <pb n="67"/>and after it, <persName ref="#hsg-999">Rhee</persName> agrees. A <persName>Smith</persName> without a ref.</p>
        <pb n="68"/>
        <p>Cost: 5 &lt; 6 &amp; 7 &gt; 3, said <persName ref="#hsg-1234">Dean Rusk</persName>.</p>
        <list type="ordered">
          <label>1.</label>
          <item n="1">First point about <placeName ref="#geo-1835841">Korea</placeName>.</item>
          <label>2.</label>
          <item n="2">Second point.</item>
        </list>
        <closer>
          <salute>Sincerely,</salute>
          <signed><persName ref="#hsg-1234">Dean Rusk</persName></signed>
        </closer>
      </div>
    </body>
  </text>
</TEI>
"""

# Shares hsg-1234 with FXA (other name forms, another authority id); no dates, no pb,
# an xml:id that FXC repeats (ids must become unique in the corpus).
FXB = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="fxb" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt><title type="main">Note by Rusk</title></titleStmt>
      <publicationStmt><publisher>tei-edition</publisher></publicationStmt>
      <sourceDesc><bibl><title>Note by Rusk</title></bibl></sourceDesc>
    </fileDesc>
  </teiHeader>
  <standOff>
    <listPerson>
      <person xml:id="hsg-1234">
        <persName type="preferred">Rusk, Dean</persName>
        <persName type="variant">Secretary Rusk</persName>
        <idno type="hsg">1234</idno>
        <idno type="viaf">12345678</idno>
      </person>
    </listPerson>
  </standOff>
  <text>
    <body>
      <div type="document">
        <p xml:id="para1">Secretary <hi rend="italic">Rusk</hi> wrote to <persName ref="#hsg-1234">Secretary Rusk</persName>; see <ref target="#para1">above</ref>.</p>
      </div>
    </body>
  </text>
</TEI>
"""
FXC = FXB.replace('xml:id="fxb"', 'xml:id="fxc"').replace("Note by Rusk", "Note by nobody")

# The least a valid TEI file needs: no standOff, no dates, no page breaks, no profileDesc.
MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader><fileDesc><titleStmt><title>Bare</title></titleStmt>
    <publicationStmt><p>Unpublished</p></publicationStmt>
    <sourceDesc><p>Typed in.</p></sourceDesc></fileDesc></teiHeader>
  <text><body><p>Only one paragraph.</p></body></text>
</TEI>
"""


def run(command, *args: str):
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("fx")
    for name, data in (("fxa", FXA), ("fxb", FXB), ("fxc", FXC), ("minimal", MINIMAL)):
        (d / f"{name}.xml").write_text(data, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    """The seeds (and the dev set when ../shared is there) converted by the real pipeline."""
    d = tmp_path_factory.mktemp("tei")
    srcs = [str(SEEDS)] + ([str(DEVSET)] if DEVSET.is_dir() else [])
    result = CliRunner().invoke(cli_main, ["convert", *srcs, "-o", str(d), "-q"])
    assert result.exit_code == 0, result.output
    return d


@pytest.fixture(scope="module")
def build(tmp_path_factory, converted, fixtures) -> Path:
    b = tmp_path_factory.mktemp("build")
    shutil.copytree(converted, b / "tei")
    for name in ("fxa", "fxb", "fxc", "minimal"):
        shutil.copy(fixtures / f"{name}.xml", b / "tei")
    summary = export_all([b / "tei"], b)
    assert summary["failed"] == []
    return b


# --- reading model and plain text -----------------------------------------------------------


def test_text_blocks_and_page_markers(fixtures):
    r = read_tei(fixtures / "fxa.xml")
    plain = text_of_reading(r)
    marked = text_of_reading(r, page_markers=True)
    assert plain.split("\n\n")[0] == "Letter from Rusk to Rhee"
    assert "The United Nations will stay in Korea; so says Rusk on January 12." in plain
    assert "1. First point about Korea." in plain
    assert "[Page" not in plain
    assert "Before the break and after it" in plain
    assert "Before the break [Page 67] and after it" in marked
    assert "\n\n[Page 68]\n\n" in marked
    assert "Cost: 5 < 6 & 7 > 3" in plain
    assert words(plain) == words(marked)


def test_minimal_file_exports_everywhere(fixtures, tmp_path):
    result = run(export, str(fixtures / "minimal.xml"), "-o", str(tmp_path),
                 "-f", "html", "-f", "text", "-f", "json", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "minimal.txt").read_text() == "Only one paragraph.\n"
    data = json.loads((tmp_path / "minimal.json").read_text())
    assert data["title"] == "Bare" and data["entities"] == [] and data["date"]["when"] is None
    assert "Only one paragraph." in (tmp_path / "minimal.html").read_text()
    assert (tmp_path / "persons.csv").read_text().count("\n") == 1  # the header only


def test_round_trip_gives_same_words(converted):
    """Converting the exported text again yields the TEI's word sequence."""
    files = sorted(converted.glob("*.xml"))
    assert files
    for path in files:
        r = read_tei(path)
        original = words(text_of_reading(r, page_markers=True))
        for markers in (False, True):
            text = text_of_reading(r, page_markers=markers)
            assert words(text) == original, path.name
            _doc, xml = convert_document(text.encode("utf-8"), path.stem + ".txt")
            again = etree.fromstring(xml)
            assert words(text_of_reading(_reading_of(again, path.stem))) == original, path.name
            if markers:  # the same page breaks come back
                pbs = [pb.get("n") for pb in again.iter(T + "pb")]
                assert pbs == [n for n, _ in r.pages], path.name


def _reading_of(root, stem):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"{stem}.xml"
        p.write_bytes(etree.tostring(root))
        return read_tei(p)


# --- JSON and CSV ---------------------------------------------------------------------------


def test_json_offsets_point_into_the_text(build):
    files = sorted((build / "json").glob("*.json"))
    assert len(files) == len(list((build / "tei").glob("*.xml")))
    n = 0
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        text = (build / "text" / (f.stem + ".txt")).read_text(encoding="utf-8")
        assert data["text"] == text
        for item in data["entities"] + data["dates"]:
            assert text[item["start"]:item["end"]] == item["surface"] != ""
            n += 1
    assert n > 10


def test_json_metadata_and_authorities(build):
    data = json.loads((build / "json" / "fxa.json").read_text(encoding="utf-8"))
    assert data["title"] == "Letter from Rusk to Rhee"
    assert data["date"]["when"] == "1951-01-12"
    assert data["addressees"] == ["Syngman Rhee"]
    assert data["file_numbers"] == ["795.00/1–1251"]
    assert data["classification"] == ["secret"] and data["kind"] == "letter"
    assert data["pages"] == ["67", "68"]
    rhee = [e for e in data["entities"] if e["surface"] == "Rhee"]
    # text before the first pb is on the page before it
    assert [e["page"] for e in rhee] == ["66", "67"]
    rusk = next(e for e in data["entities"] if e["ref"] == "#hsg-1234")
    # the corpus-wide entry: name forms and ids from fxa and fxb
    assert {"type": "viaf", "value": "12345678"} in rusk["entity"]["idnos"]
    assert "Secretary Rusk" in rusk["entity"]["names"]
    smith = next(e for e in data["entities"] if e["surface"] == "Smith")
    assert smith["entity"] is None and smith["ref"] == ""
    assert [d["value"] for d in data["dates"]] == ["1951-01-12", "1951-01-12"]


def test_csv_one_row_per_mention(build):
    rows = list(csv.DictReader(io.StringIO((build / "index" / "persons.csv").read_text())))
    fxa = [r for r in rows if r["document"] == "fxa"]
    assert [r["surface"] for r in fxa] == ["Rusk", "Rhee", "Rusk", "Rhee", "Smith",
                                           "Dean Rusk", "Dean Rusk"]
    assert fxa[0]["ref"] == "#hsg-1234" and fxa[0]["authority_ids"] == "hsg:1234 viaf:12345678"
    assert [r["page"] for r in fxa] == ["66", "66", "66", "67", "67", "68", "68"]
    places = list(csv.DictReader(io.StringIO((build / "index" / "places.csv").read_text())))
    assert [r["authority_ids"] for r in places if r["document"] == "fxa"] == \
        ["geonames:1835841"] * 3
    orgs = (build / "index" / "orgs.csv").read_text()
    assert "fxa,org,United Nations,#org-un,wikidata:Q1065" in orgs
    dates = list(csv.DictReader(io.StringIO((build / "index" / "dates.csv").read_text())))
    assert any(r["document"] == "fxa" and r["value"] == "1951-01-12" for r in dates)
    total = sum(len(read_tei(p).mentions) for p in (build / "tei").glob("*.xml"))
    n_rows = sum(len(list(csv.DictReader(io.StringIO(f.read_text()))))
                 for f in (build / "index").glob("*.csv"))
    assert n_rows == total


# --- HTML -----------------------------------------------------------------------------------


def _page(path: Path):
    data = path.read_bytes()
    assert data.startswith(b"<!DOCTYPE html>\n<html lang=\"en\">")
    return lhtml.fromstring(data)


def test_html_pages_are_sound(build):
    pages = sorted((build / "html").glob("*.html"))
    assert {"index.html", "persons.html", "places.html", "orgs.html"} <= {p.name for p in pages}
    assert "@media print" in (build / "html" / "edition.css").read_text(encoding="utf-8")
    for p in pages:
        doc = _page(p)
        assert b"<!--" not in p.read_bytes(), p.name  # every slot filled, no comment left
        assert doc.find("head/meta[@charset='utf-8']") is not None, p.name
        assert len(doc.findall(".//h1")) == 1, p.name
        levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (p.name, levels)
        assert doc.find("head/link[@rel='stylesheet']").get("href") == "edition.css"
        scripts = [s.get("src") for s in doc.iter("script")]
        assert set(scripts) <= {"edition.js", "search.js"}, p.name  # no inline script
        assert all(not (s.text or "").strip() for s in doc.iter("script")), p.name
        ids = [e.get("id") for e in doc.iter() if e.get("id")]
        assert len(ids) == len(set(ids)), p.name


def test_html_links_resolve(build):
    html = build / "html"
    anchors = {p.name: {e.get("id") for e in _page(p).iter() if e.get("id")}
               for p in html.glob("*.html")}
    checked = 0
    for name in anchors:
        for a in _page(html / name).iter("a"):
            href = a.get("href")
            if href.startswith(("http://", "https://")):
                continue
            target, _, frag = href.partition("#")
            target = target or name
            if target.startswith("../"):  # the TEI, text and JSON files of the build
                assert (html / target).resolve().is_file(), (name, href)
                continue
            assert target in anchors, (name, href)
            if frag:
                assert frag in anchors[target], (name, href)
            checked += 1
    assert checked > 50


def test_html_document_page(build):
    doc = _page(build / "html" / "fxa.html")
    facts = dict(zip([dt.text for dt in doc.iter("dt")],
                     [dd.text_content() for dd in doc.iter("dd")], strict=True))
    assert facts["Date"] == "12 January 1951" and facts["Addressee"] == "Syngman Rhee"
    files = {a.text: a.get("href") for a in doc.find_class("file")}
    assert files == {"TEI": "../tei/fxa.xml", "Text": "../text/fxa.txt",
                     "JSON": "../json/fxa.json"}
    assert facts["File number"] == "795.00/1–1251" and facts["Classification"] == "secret"
    assert facts["Source"] == "CA Files: Lot 56 D 625" and facts["Author"] == "Dean Rusk"
    markers = [(s.get("id"), s.text) for s in doc.find_class("pb")]
    assert markers == [("page-67", "[p. 67]"), ("page-68", "[p. 68]")]
    links = {(a.text, a.get("href")) for a in doc.iter("a") if a.get("class") == "person"}
    assert ("Rhee", "person-hsg-999.html") in links
    assert ("Dean Rusk", "person-hsg-1234.html") in links
    assert doc.xpath("//span[@class='person' and text()='Smith']")  # unlinked, highlighted
    assert "Cost: 5 < 6 & 7 > 3" in doc.text_content()
    # back-links: Rhee's page links to every mention of Rhee in fxa
    rhee = _page(build / "html" / "person-hsg-999.html")
    back = [a.get("href") for a in rhee.iter("a") if a.get("href").startswith("fxa.html#")]
    mention_ids = [a.get("id") for a in doc.xpath("//article//a[@href='person-hsg-999.html']")]
    assert back == [f"fxa.html#{i}" for i in mention_ids] and len(back) == 2
    # the index entry: a count and the documents
    persons = _page(build / "html" / "persons.html")
    entry = persons.get_element_by_id("hsg-999")
    assert entry.find_class("count")[0].text_content() == "2 mentions in 1 document"
    assert [a.get("href") for a in entry.iter("a")] == ["person-hsg-999.html", "fxa.html"]
    rusk = _page(build / "html" / "person-hsg-1234.html")
    hrefs = [a.get("href") for a in rusk.iter("a")]
    assert "https://history.state.gov/departmenthistory/people/rusk-david-dean" in hrefs
    assert "https://viaf.org/viaf/12345678" in hrefs
    # the pop-up content: the entry with its authority links, in the page itself
    popup = doc.get_element_by_id("entity-hsg-1234")
    assert "https://history.state.gov/departmenthistory/people/rusk-david-dean" in [
        a.get("href") for a in popup.iter("a")]
    places = _page(build / "html" / "place-geo-1835841.html")
    assert "https://www.geonames.org/1835841" in [a.get("href") for a in places.iter("a")]


def test_html_index_in_date_order(build):
    doc = _page(build / "html" / "index.html")
    rows = doc.xpath("//table[@class='documents']/tbody/tr")
    dates = [r[0].text for r in rows]
    assert len(rows) == len(list((build / "tei").glob("*.xml")))
    dated = [d for d in dates if d != "undated"]
    assert dates[:len(dated)] == dated  # undated last
    assert "undated" in dates
    keys = [r.get("data-date") for r in rows[:len(dated)]]
    assert keys == sorted(keys) and None not in keys
    assert not any(r.get("data-date") for r in rows[len(dated):])


def test_html_escapes_the_source(tmp_path):
    src = ("<script>alert(1)</script> Memorandum\n\n"
           "Text with <b onmouseover=\"alert(2)\">bold</b> & <img src=x onerror=alert(3)>.\n\n"
           "</p><script>alert(4)</script>\n")
    _doc, xml = convert_document(src.encode("utf-8"), "evil.txt")
    (tmp_path / "tei").mkdir()
    (tmp_path / "tei" / "evil.xml").write_bytes(xml)
    result = run(export, str(tmp_path / "tei"), "-o", str(tmp_path / "html"), "-f", "html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "html" / "evil.html").read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    assert [s.get("src") for s in doc.iter("script")] == ["edition.js"]  # ours only
    assert not doc.findall(".//script")[0].text and not doc.findall(".//img")
    assert not doc.findall(".//b")
    assert not [e for e in doc.iter() if any(k.startswith("on") for k in e.attrib)]
    text = doc.find("body").text_content()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(3)>" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    index = lhtml.fromstring((tmp_path / "html" / "index.html").read_bytes())
    assert not index.findall(".//script")


# --- robustness, exit codes, determinism ----------------------------------------------------


def test_export_bad_file_named_rest_done(fixtures, tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(fixtures / "fxa.xml", tmp_path / "in")
    (tmp_path / "in" / "broken.xml").write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'>")
    (tmp_path / "in" / "notei.xml").write_text("<html/>")
    result = CliRunner().invoke(export, [str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                                         "-f", "text"])
    assert result.exit_code == 1
    assert "broken.xml" in result.output and "notei.xml" in result.output
    assert (tmp_path / "out" / "fxa.txt").exists()
    assert not (tmp_path / "out" / "broken.txt").exists()


def test_export_usage_errors(tmp_path):
    assert CliRunner().invoke(export, [str(tmp_path), "-o", str(tmp_path / "o"),
                                       "-f", "text"]).exit_code == 2  # no xml files
    assert CliRunner().invoke(export, [str(tmp_path), "-o", str(tmp_path / "o"),
                                       "-f", "pdf"]).exit_code == 2
    assert CliRunner().invoke(package, []).exit_code == 2
    assert CliRunner().invoke(package, [str(tmp_path)]).exit_code == 2


def test_rebuild_is_byte_identical(build, tmp_path):
    shutil.copytree(build / "tei", tmp_path / "tei")
    export_all([tmp_path / "tei"], tmp_path)
    for sub in ("html", "text", "json", "index"):
        for f in (build / sub).rglob("*"):
            if f.is_file() and "pagefind" not in f.parts:  # Pagefind's order varies
                rel = f.relative_to(build)
                assert f.read_bytes() == (tmp_path / rel).read_bytes(), rel
    assert (build / "corpus.xml").read_bytes() == (tmp_path / "corpus.xml").read_bytes()


def test_export_all_drops_stale_pages(build, tmp_path):
    shutil.copytree(build / "tei", tmp_path / "tei")
    export_all([tmp_path / "tei"], tmp_path)
    (tmp_path / "tei" / "fxc.xml").unlink()
    summary = export_all([tmp_path / "tei"], tmp_path)
    assert summary["documents"] == len(list((tmp_path / "tei").glob("*.xml")))
    assert not (tmp_path / "html" / "fxc.html").exists()
    assert not (tmp_path / "json" / "fxc.json").exists()


# --- teiCorpus ------------------------------------------------------------------------------


def test_corpus_merges_the_index(build):
    root = etree.parse(str(build / "corpus.xml")).getroot()
    assert root.tag == T + "teiCorpus"
    assert root[0].tag == T + "teiHeader"
    assert root.find("t:teiHeader/t:fileDesc/t:publicationStmt/t:availability/t:licence",
                     TEI) is not None
    docs = root.findall("t:TEI", TEI)
    assert len(docs) == len(list((build / "tei").glob("*.xml")))
    assert len(root.findall("t:standOff", TEI)) == 1
    assert not root.findall("t:TEI/t:standOff", TEI)  # the documents' own are merged
    ids = [e.get(XML_ID) for e in root.iter() if e.get(XML_ID)]
    assert len(ids) == len(set(ids))
    rusk = root.xpath("//t:standOff//t:person[@xml:id='hsg-1234']", namespaces=TEI)
    assert len(rusk) == 1
    assert [(i.get("type"), i.text) for i in rusk[0].findall("t:idno", TEI)] == [
        ("hsg", "1234"),
        ("URI", "https://history.state.gov/departmenthistory/people/rusk-david-dean"),
        ("viaf", "12345678")]
    names = [(n.get("type"), n.text) for n in rusk[0].findall("t:persName", TEI)]
    assert names[0] == ("preferred", "Rusk, David Dean")
    assert ("variant", "Secretary Rusk") in names and ("variant", "Rusk, Dean") in names
    # every @ref="#id" of the documents points into the merged index
    index = {e.get(XML_ID) for e in root.find("t:standOff", TEI).iter() if e.get(XML_ID)}
    refs = {r[1:] for e in root.iter() for r in (e.get("ref") or "").split()
            if r.startswith("#")}
    assert refs and refs <= index
    # a repeated xml:id is prefixed with the document stem, its pointer follows it
    fxc = next(d for d in docs if d.get(XML_ID) == "fxc")
    assert fxc.xpath(".//t:p/@xml:id", namespaces=TEI) == ["fxc-para1"]
    assert fxc.xpath(".//t:ref/@target", namespaces=TEI) == ["#fxc-para1"]


def test_corpus_valid_against_tei_all_and_project_schema(fixtures, tmp_path):
    """Built from valid files only, so any error is the corpus's own."""
    paths = [fixtures / f"{n}.xml" for n in ("fxa", "fxb", "fxc")]
    summary = export_all(paths, tmp_path)
    assert summary["failed"] == []
    corpus = tmp_path / "corpus.xml"
    assert tei_all_errors(paths) == ""
    assert tei_all_errors([corpus]) == ""
    try:
        from tei_edition.validate import validate_file
    except ImportError:  # pragma: no cover
        pytest.skip("tei_edition.validate is not there yet")
    for p in paths:
        assert validate_file(p) == [], p
    assert validate_file(corpus) == []


def test_corpus_of_converted_files_adds_no_error(build):
    """Whatever the converter's files are, assembling them adds no tei_all error."""
    import re

    def messages(report: str) -> set[str]:
        return {re.sub(r"^.*?:\d+:\d+: ", "", line) for line in report.splitlines() if line}

    docs = messages(tei_all_errors(sorted((build / "tei").glob("*.xml"))))
    corpus = messages(tei_all_errors([build / "corpus.xml"]))
    assert corpus <= docs


# --- BagIt ----------------------------------------------------------------------------------


def test_bag_made_and_verified(build, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dest = tmp_path / "bag"
    result = run(package, str(build), "--bag", str(dest), "--source-organization", "Archive",
                 "--contact-name", "Ada Archivist", "--contact-email", "ada@example.org",
                 "--description", "Test deposit")
    assert result.exit_code == 0, result.output
    info = dict(line.split(": ", 1) for line in
                (dest / "bag-info.txt").read_text().splitlines())
    assert info["Source-Organization"] == "Archive"
    assert info["Contact-Name"] == "Ada Archivist"
    assert info["Contact-Email"] == "ada@example.org"
    assert info["External-Description"] == "Test deposit"
    assert info["Bagging-Date"] == "2023-11-14"
    assert info["Bag-Size"].endswith(("KB", "MB"))
    files = [p for p in (dest / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in files)}.{len(files)}"
    assert (dest / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")
    manifest = (dest / "manifest-sha512.txt").read_text()
    assert "data/corpus.xml" in manifest and "data/tei/fxa.xml" in manifest
    assert (dest / "tagmanifest-sha512.txt").exists()
    assert not (dest / "manifest-sha256.txt").exists()  # SHA-512, as bagit recommends
    for sub in ("tei", "html", "text", "json", "index", "schema"):
        assert any((dest / "data" / sub).iterdir()), sub
    assert list((dest / "data" / "schema").glob("*.rng"))
    verify_bag(dest)
    assert run(package, "--verify", str(dest)).exit_code == 0
    # rebuilt with the same epoch: the same bag, byte for byte
    again = make_bag(build, tmp_path / "bag2", {"Source-Organization": "Archive",
                                                "Contact-Name": "Ada Archivist",
                                                "Contact-Email": "ada@example.org",
                                                "External-Description": "Test deposit"})
    for name in ("bag-info.txt", "manifest-sha512.txt", "tagmanifest-sha512.txt"):
        assert (dest / name).read_bytes() == (again / name).read_bytes()


def test_bag_verify_names_changed_and_missing(build, tmp_path):
    dest = make_bag(build, tmp_path / "bag", {})
    (dest / "data" / "tei" / "fxa.xml").write_text("tampered")
    (dest / "data" / "html" / "index.html").unlink()
    (dest / "data" / "extra.txt").write_text("new")
    result = CliRunner().invoke(package, ["--verify", str(dest)])
    assert result.exit_code == 1
    assert "changed: data/tei/fxa.xml" in result.output
    assert "missing: data/html/index.html" in result.output
    assert "unexpected: data/extra.txt" in result.output
    # an existing bag is replaced, any other folder is not touched
    made = make_bag(build, dest, {})
    assert run(package, "--verify", str(made)).exit_code == 0
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(package, [str(build), "--bag", str(tmp_path / "precious")])
    assert result.exit_code == 1 and "not a bag" in result.output
    assert (tmp_path / "precious" / "keep.txt").read_text() == "mine"


# --- streaming (build) ----------------------------------------------------------------------


def test_build_exports_are_those_of_the_exporters(build, tmp_path):
    """The build's text, JSON and CSV files are those of ``tei-edition export``, and its
    corpus.xml, written a document at a time, is the teiCorpus made in one go.  (The HTML
    pages differ on purpose: a build links each page to its TEI, text and JSON files.)"""
    from tei_edition.export.corpus import build_corpus

    out = tmp_path / "x"
    result = run(export, str(build / "tei"), "-o", str(out), "-f", "text", "-f", "json",
                 "-f", "csv", "-q")
    assert result.exit_code == 0, result.output
    mine = [p for sub in ("text", "json", "index") for p in (build / sub).iterdir()]
    theirs = [p for p in out.iterdir() if p.name != ".tei-edition-manifest.json"]
    assert sorted(p.name for p in mine) == sorted(p.name for p in theirs)
    for p in mine:
        assert p.read_bytes() == (out / p.name).read_bytes(), p
    corpus, failed = build_corpus(sorted((build / "tei").glob("*.xml")))
    assert not failed and corpus == (build / "corpus.xml").read_bytes()


def test_streamed_corpus_goes_through_the_output_session(build, tmp_path):
    """corpus.xml is streamed, yet like every other write: a file tei-edition did not
    write is kept and named (one line), --force replaces it, an unwritable folder is one
    line naming the file."""
    from tei_edition import outputs
    from tei_edition.export.corpus import write_corpus

    tei = sorted((build / "tei").glob("*.xml"))
    target = tmp_path / "corpus.xml"
    target.write_text("mine", encoding="utf-8")
    with outputs.session(tmp_path) as made:
        assert write_corpus(tei, target) == []
    assert target.read_text(encoding="utf-8") == "mine"
    assert made.problems == [f"{target}: not written by tei-edition; kept (--force replaces it)"]
    with outputs.session(tmp_path, force=True) as made:
        write_corpus(tei, target)
    assert not made.problems and target.read_bytes() == (build / "corpus.xml").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with outputs.session(tmp_path) as made:  # ours and unchanged: left alone
        write_corpus(tei, target)
    assert not made.problems
    (tmp_path / "plain").write_text("a file, not a folder", encoding="utf-8")
    with outputs.session(tmp_path) as made:
        write_corpus(tei, tmp_path / "plain" / "corpus.xml")
    assert made.problems == [f"{tmp_path / 'plain' / 'corpus.xml'}: cannot write: a folder "
                             "on its path is a file"]


# What a reading's JSON holds: objects with string keys, lists, strings, 64-bit integers,
# booleans and null (no floats: orjson writes 1e-07 as 1e-7)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_fast_json_writes_what_json_dumps_writes(value):
    from tei_edition.export.jsonx import dumps

    expected = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    assert dumps(value) == expected.encode("utf-8")


def test_exports_on_two_workers_are_the_same_bytes(build, tmp_path):
    """With a local engine of two workers the document pages are rendered by two forked
    processes: the files are those of the one-process export, and each page the workers
    wrote is in the build's manifest (it is the build's own: a rebuild may replace it)."""
    from tei_edition.engine import LocalEngine

    shutil.copytree(build / "tei", tmp_path / "tei")
    with LocalEngine(2) as engine:
        summary = export_all([tmp_path / "tei"], tmp_path, engine=engine)
    assert not summary["failed"]
    for sub in ("html", "text", "json", "index"):
        mine = sorted(p.name for p in (tmp_path / sub).iterdir() if p.is_file())
        assert mine == sorted(p.name for p in (build / sub).iterdir() if p.is_file())
        for name in mine:
            assert (tmp_path / sub / name).read_bytes() == (build / sub / name).read_bytes()
    assert (tmp_path / "corpus.xml").read_bytes() == (build / "corpus.xml").read_bytes()
    record = json.loads((tmp_path / ".tei-edition-manifest.json").read_text())["files"]
    pages = [p for p in (tmp_path / "html").glob("*.html")]
    assert len(pages) > 20 and not [p for p in pages if f"html/{p.name}" not in record]


def test_validate_bytes_is_validate_file(fixtures, tmp_path):
    from tei_edition.validate import validate_bytes, validate_file

    cases = {"good": FXA, "not-tei": FXA.replace("<standOff>", "<standOff><bogus/>"),
             "broken": FXA[:400], "empty": ""}
    for name, text in cases.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(text, encoding="utf-8")
        assert validate_bytes(path.read_bytes(), str(path)) == validate_file(path)
    assert validate_file(tmp_path / "not-tei.xml") and validate_file(tmp_path / "broken.xml")


def test_streamed_bag_is_the_bag_bagit_makes(build, tmp_path, monkeypatch):
    """The bag is copied and hashed in one pass; its manifest and bag-info are those the
    bagit library writes for the same payload (sources and manifest.csv included)."""
    import bagit

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sources = sorted(SEEDS.glob("*.txt"))
    dest = make_bag(build, tmp_path / "bag", {"Contact-Name": "A. Archivist"}, sources=sources)
    verify_bag(dest)
    assert (dest / "data" / "source" / sources[0].name).read_bytes() == sources[0].read_bytes()
    assert (dest / "data" / "manifest.csv").read_text().count("\n") == 1 + len(
        list((build / "tei").glob("*.xml")))
    ref = tmp_path / "ref"
    shutil.copytree(dest / "data", ref)
    info = {k: v for k, v in bagit.Bag(str(dest)).info.items() if k != "Payload-Oxum"}
    bagit.make_bag(str(ref), info, processes=1, checksums=["sha512"])
    for name in ("manifest-sha512.txt", "bag-info.txt"):
        assert (ref / name).read_bytes() == (dest / name).read_bytes(), name


@pytest.mark.parametrize("jobs", [1, 2])
def test_export_all_names_a_broken_file_and_exports_the_rest(fixtures, tmp_path, jobs):
    from tei_edition.engine import LocalEngine

    tei = tmp_path / "tei"
    tei.mkdir()
    for name in ("fxa", "fxb", "minimal"):
        shutil.copy(fixtures / f"{name}.xml", tei)
    (tei / "broken.xml").write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'><text>",
                                    encoding="utf-8")
    with LocalEngine(jobs) as engine:
        summary = export_all([tei], tmp_path, engine=engine)
    assert [Path(p).name for p, _ in summary["failed"]] == ["broken.xml"]
    assert "not well-formed" in summary["failed"][0][1]
    assert summary["documents"] == 3
    assert sorted(p.name for p in (tmp_path / "json").iterdir()) == [
        "fxa.json", "fxb.json", "minimal.json"]
    corpus = etree.parse(str(tmp_path / "corpus.xml")).getroot()
    assert [d.get(XML_ID) for d in corpus.findall("t:TEI", TEI)] == ["fxa", "fxb", None]


def _fails_on_fxb(path):
    from tei_edition.export.common import read_tei

    if Path(path).stem == "fxb":
        raise ValueError("a reading that fails after its header and standOff read well")
    return read_tei(path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_build_pages_a_document_at_a_time_are_those_of_the_exporters(build, tmp_path,
                                                                       jobs, monkeypatch):
    """export/build.py (index pass, then a document at a time, slim readings kept) writes
    the pages, text and JSON that html.py, text.py and jsonx.py write from the whole
    corpus; so does its fallback, when a file fails in the document pass only."""
    from tei_edition import outputs
    from tei_edition.export import build as B
    from tei_edition.export.common import merged_entries, read_many
    from tei_edition.export.html import export_html, sibling_files
    from tei_edition.export.jsonx import export_json
    from tei_edition.export.text import export_text

    def links(root: Path):
        return sibling_files(root / "html", {"TEI": (root / "tei", ".xml"),
                                             "Text": (root / "text", ".txt"),
                                             "JSON": (root / "json", ".json")})

    ref = tmp_path / "ref"
    shutil.copytree(build / "tei", ref / "tei")
    readings, failed = read_many(sorted((ref / "tei").glob("*.xml")))
    assert not failed
    with outputs.session(ref):
        export_html(readings, ref / "html", files=links(ref))
        export_text(readings, ref / "text")
        export_json(readings, ref / "json")
    for case in ("streamed", "fallback"):
        mine = tmp_path / case
        shutil.copytree(build / "tei", mine / "tei")
        if case == "fallback":  # the document pass cannot read a file the index pass read
            monkeypatch.setattr(B, "read_tei", _fails_on_fxb)
        with outputs.session(mine):
            corpus, failed, written = B.export_documents(
                sorted((mine / "tei").glob("*.xml")), mine, links(mine), jobs)
        monkeypatch.undo()
        with corpus:
            slim = corpus.readings
            assert not failed and [r.stem for r in slim] == [r.stem for r in readings]
            assert all(not r.blocks and not r.text and not r.entries and not r.mentions
                       for r in slim)  # a header each; the mentions are in the store
            assert [(r.stem, astuple(m)) for r, ms in corpus.documents() for m in ms] == \
                [(r.stem, astuple(m)) for r in readings for m in r.mentions]
            assert corpus.index == merged_entries(readings)
        for sub in ("html", "text", "json"):
            names = sorted(p.name for p in (ref / sub).iterdir() if p.is_file())
            assert names == sorted(p.name for p in (mine / sub).iterdir() if p.is_file())
            assert sorted(p.name for p in written[sub]) == names
            for name in names:
                assert (mine / sub / name).read_bytes() == (ref / sub / name).read_bytes(), \
                    (case, name)


def test_streamed_csv_keeps_a_foreign_file_and_writes_the_others(build, tmp_path):
    from tei_edition import outputs
    from tei_edition.export.common import merged_entries, read_many
    from tei_edition.export.csvx import csv_tables, write_csv
    from tei_edition.export.store import Corpus

    readings, _ = read_many(sorted((build / "tei").glob("*.xml")))
    (tmp_path / "places.csv").write_text("mine\n", encoding="utf-8")
    with outputs.session(tmp_path) as made, Corpus.of(readings, merged_entries(readings)) as c:
        write_csv(c, tmp_path)
    assert made.problems == [f"{tmp_path / 'places.csv'}: not written by tei-edition; kept "
                             "(--force replaces it)"]
    assert (tmp_path / "places.csv").read_text() == "mine\n"
    for name, text in csv_tables(readings).items():
        if name != "places.csv":
            assert (tmp_path / name).read_text(encoding="utf-8") == text, name


def test_standoff_entry_as_an_editor_may_write_it():
    """Names in any order (the preferred one first in the index), empty ones dropped,
    comments skipped, notes and idnos in order, life dates from @when or the text."""
    from tei_edition.export.common import T, entry_from

    el = etree.fromstring(
        f'<person xmlns="{T[1:-1]}" xmlns:xml="http://www.w3.org/XML/1998/namespace" '
        'xml:id="p1" type="official"><persName type="variant">Rusk</persName>'
        '<!-- checked --><persName/><persName type="preferred">Rusk, Dean</persName>'
        '<persName>Rusk</persName><note>Secretary of State</note><note> </note>'
        '<idno type="hsg">1</idno><idno>x</idno><birth when="1909"/>'
        '<death>20 December 1994</death><note>Later at Georgia</note></person>')
    entry = entry_from(el, "person", T + "persName")
    assert (entry.id, entry.kind, entry.type) == ("p1", "person", "official")
    assert entry.names == ["Rusk, Dean", "Rusk"]
    assert entry.notes == ["Secretary of State", "Later at Georgia"]
    assert entry.idnos == [("hsg", "1"), ("", "x")]
    assert (entry.birth, entry.death) == ("1909", "20 December 1994")
    assert entry_from(etree.fromstring(f'<person xmlns="{T[1:-1]}"/>'), "person",
                      T + "persName") is None


@pytest.mark.skipif(search.pagefind_command() is None, reason="pagefind is not installed")
def test_search_index_in_bundles_and_no_stale_bundle(tmp_path, monkeypatch):
    """Past SHARD_PAGES document pages the index comes in bundles the search page merges
    (in date order); a smaller rebuild leaves no stale bundle and no indexer's folder."""
    assert CliRunner().invoke(cli_main, ["convert", str(SEEDS), "-o", str(tmp_path / "tei"),
                                         "-q"]).exit_code == 0
    html = tmp_path / "html"
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    found = export_all([tmp_path / "tei"], tmp_path)["search"]
    assert (found["pages"], found["bundles"]) == (2, 2)
    assert json.loads((html / "pagefind" / search.BUNDLES_FILE).read_text()) == ["pagefind-2"]
    assert (html / "pagefind-2" / "pagefind-entry.json").is_file()
    monkeypatch.setattr(search, "SHARD_PAGES", 2000)
    found = export_all([tmp_path / "tei"], tmp_path)["search"]
    assert (found["pages"], found["bundles"]) == (2, 1)
    assert json.loads((html / "pagefind" / search.BUNDLES_FILE).read_text()) == []
    assert sorted(p.name for p in html.iterdir() if p.is_dir()) == ["pagefind"]


def test_corpus_store_answers_what_the_entity_pages_ask():
    """The store of a corpus's mentions (export/store.py): an entry's mentions by document
    in date order, however the files are ordered; a name whose @ref points to an entry of
    another kind is an unlinked name; counts, first documents and caps as the pages use
    them; the mentions of each document back in file and text order for the CSV."""
    from tei_edition.export.common import Entry, Mention, Meta, Reading
    from tei_edition.export.store import Corpus

    def doc(stem: str, when: str | None, *mentions: tuple) -> Reading:
        ms = [Mention(n=i, kind=k, ref=f"#{t}" if t else "", target=t, surface=s,
                      start=10 * i, end=10 * i + len(s), page=p)
              for i, (k, t, s, p) in enumerate(mentions, 1)]
        return Reading(path=Path(f"{stem}.xml"), meta=Meta(stem=stem, id=stem, when=when),
                       entries={}, blocks=[], mentions=ms, text="x", pages=[])

    index = {"p1": Entry("p1", "person", ["Rusk, Dean"]),
             "pl1": Entry("pl1", "place", ["Korea"])}
    readings = [
        doc("c", "1951-03-01", ("person", "p1", "Rusk", "7"), ("person", "p1", "Dean Rusk", None)),
        doc("a", None, ("person", "p1", "Rusk", None), ("person", None, "Smith", None)),
        doc("b", "1950-01-01", ("person", "pl1", "Korea", None), ("date", None, "1950", None),
            ("person", None, "Smith", "2")),
        doc("d", "1949-05-05"),
    ]
    with Corpus.of(readings, index) as c:
        assert [r.stem for r in c.ordered()] == ["d", "b", "c", "a"]  # undated last
        assert [r.stem for r in c.readings] == ["c", "a", "b", "d"]
        assert not any(r.mentions or r.text for r in c.readings)  # headers only
        hits = c.hits("person", "p1")
        assert [(h.reading.stem, [(m.anchor, m.surface, m.page) for m in h.mentions])
                for h in hits] == [("c", [("m1", "Rusk", "7"), ("m2", "Dean Rusk", None)]),
                                   ("a", [("m1", "Rusk", None)])]
        assert [h.reading.stem for h in c.hits("person", "p1", documents=1)] == ["c"]
        summary = c.summaries("person", first=1)
        assert list(summary) == ["p1"]
        assert (summary["p1"].mentions, summary["p1"].documents,
                [r.stem for r in summary["p1"].first]) == (3, 2, ["c"])
        unlinked = c.unlinked("person")  # "Korea" points to a place: no person entry
        assert {s: (u.mentions, u.documents) for s, u in unlinked.items()} == {
            "Smith": (2, 2), "Korea": (1, 1)}
        assert [h.reading.stem for h in c.hits("person", surface="Smith")] == ["b", "a"]
        assert c.hits("place", "pl1") == [] and c.summaries("place", 3) == {}
        assert c.counts() == {"date": 1, "person": 6}
        back = [(r.stem, [astuple(m) for m in ms]) for r, ms in c.documents()]
        assert back == [(r.stem, [astuple(m) for m in r.mentions]) for r in readings]
        assert [[m.surface for m in ms] for _r, ms in c.documents(["date"])] == \
            [[], [], ["1950"], []]


def test_cmif_is_written_a_letter_at_a_time(tmp_path):
    """CMIF streams its letters (export/cmif.py): the file is what one tree pretty-printed
    would be, one namespace declaration, letters in date order, and a corpus with no
    letter still gets a well-formed file with an empty profileDesc."""
    from tei_edition.export.cmif import export_cmif
    from tei_edition.export.common import read_many

    T = "{http://www.tei-c.org/ns/1.0}"
    letter = next(p for p in SEEDS.glob("*.txt") if b"Dear" in p.read_bytes())
    paths = []
    for i, year in enumerate(("1952", "1950", "1951")):
        data = letter.read_bytes().replace(b"1953", year.encode())
        _doc, xml = convert_document(data, f"l{i}.txt")
        (tmp_path / f"l{i}.xml").write_bytes(xml)
        paths.append(tmp_path / f"l{i}.xml")
    readings, failed = read_many(paths)
    assert not failed
    data = export_cmif(readings, tmp_path / "cmif.xml").read_bytes()
    tree = etree.fromstring(data)
    assert etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                          pretty_print=True) == data
    assert data.count(b"xmlns=") == 1
    descs = tree.findall(f"{T}teiHeader/{T}profileDesc/{T}correspDesc")
    assert [d.get("ref") for d in descs] == ["html/l1.html", "html/l2.html", "html/l0.html"]
    memo = next(p for p in SEEDS.glob("*.txt") if p != letter)
    _doc, xml = convert_document(memo.read_bytes(), "m.txt")
    (tmp_path / "m.xml").write_bytes(xml)
    readings, _ = read_many([tmp_path / "m.xml"])
    data = export_cmif(readings, tmp_path / "none.xml").read_bytes()
    profile = etree.fromstring(data).find(f"{T}teiHeader/{T}profileDesc")
    assert profile is not None and len(profile) == 0
