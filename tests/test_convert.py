"""Conversion of the seeds and crafted texts: structure, page breaks, dates, header."""

from __future__ import annotations

from lxml import etree

from conftest import SEEDS, TEI, text_words, words
from tei_edition.pipeline import convert_document


def convert(text: str | bytes, name: str = "doc.txt"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    doc, xml = convert_document(data, name)
    return doc, etree.fromstring(xml)


def seed(prefix: str):
    path = next(SEEDS.glob(prefix + "*.txt"))
    return path, *convert(path.read_bytes(), path.name)


def x(root, path: str):
    return root.xpath(path, namespaces=TEI)


def test_seed_000_letter_structure():
    _, doc, root = seed("000")
    assert doc.layout == "presidential"
    div = x(root, "//t:body/t:div")[0]
    assert div.get("type") == "letter"
    assert x(div, "string(t:head)").startswith("Letter to President Syngman Rhee")
    assert x(div, "string(t:byline/t:docAuthor)") == "Dwight D. Eisenhower"
    assert x(div, "string(t:docDate/@when)") == "1953-06-07"
    assert x(div, "string(t:opener/t:salute)") == "Dear Mr. President:"
    assert x(div, "string(t:closer/t:salute)") == "Sincerely,"
    assert x(div, "string(t:closer/t:signed)") == "DWIGHT D. EISENHOWER"
    note = x(div, "t:note[@type='editorial']")[-1]
    assert "".join(note.itertext()).startswith("Note: President Rhee's communication")
    items = x(div, "t:list/t:item")
    assert [i.get("n") for i in items] == ["1", "2", "3"]
    assert "".join(items[1].itertext()).startswith("You speak of a mutual defense pact.")
    # The "- " bullet is dropped and the change recorded.
    norm = " ".join(x(root, "//t:editorialDecl/t:normalization/t:p/text()"))
    assert "bullet" in norm


def test_seed_000_dates_and_release():
    _, _, root = seed("000")
    creation = x(root, "//t:profileDesc/t:creation/t:date")[0]
    assert creation.get("when") == "1953-06-06"
    assert creation.get("type") == "release-note"
    assert x(root, "string(//t:sourceDesc//t:date[@type='release']/@when)") == "1953-06-07"
    whens = {d.text: d.get("when") for d in x(root, "//t:text//t:date")}
    assert whens["June 2"] == "1953-06-02"
    assert whens["May 30"] == "1953-05-30"
    assert whens["June 7, 1953"] == "1953-06-07"
    assert whens["June 6, 1953"] == "1953-06-06"


def test_seed_003_memorandum():
    _, doc, root = seed("003")
    assert doc.layout == "state-department"
    assert x(root, "string(//t:sourceDesc//t:idno[@type='file'])") == "795.00/1–1251"
    assert x(root, "string(//t:text//t:note[@type='source']/t:idno[@type='file'])") == "795.00/1–1251"
    assert x(root, "string(//t:titleStmt/t:title)").startswith("Memorandum by the Assistant Secretary")
    assert x(root, "string(//t:opener/t:seg[@type='classification'])") == "top secret"
    assert x(root, "string(//t:ab[@type='subject'])") == "Subject: Continued Resistance in Korea."
    date = x(root, "//t:creation/t:date")[0]
    assert date.get("when") == "1951-01-12"
    assert date.get("cert") == "medium" and date.get("type") == "file-number"
    assert "file number" in x(root, "string(//t:notesStmt/t:note[@type='date-evidence'])")


def test_seed_003_page_break_in_place():
    _, _, root = seed("003")
    pb = x(root, "//t:text//t:pb")
    assert [p.get("n") for p in pb] == ["67"]
    xml = etree.tostring(root, encoding="unicode")
    assert 'that, <pb n="67"/>under these conditions' in xml
    assert "[Page" not in "".join(x(root, "//t:text//text()"))


def test_seeds_keep_every_word():
    for path in SEEDS.glob("*.txt"):
        _, root = convert(path.read_bytes(), path.name)
        assert text_words(root) == words(path.read_text(encoding="utf-8")), path.name


def test_page_markers_any_case_roman_between_and_inside():
    text = ("Heading of a note\n\nFirst paragraph ends here.\n\n[page xii]\n\n"
            "Second [PAGE 13] paragraph.\n")
    _, root = convert(text)
    assert [p.get("n") for p in x(root, "//t:text//t:pb")] == ["xii", "13"]
    assert x(root, "string(//t:pb[@n='13']/following-sibling::text()[1])") == "paragraph."
    assert x(root, "//t:pb[@n='xii']/parent::t:div")


def test_dateline_with_time_and_place():
    text = ("Source: Some archive.\n\nMemorandum of Conversation\n\n"
            "Bangkok, July 29, 1969, 4 p.m.\n\nThe President spoke.\n")
    doc, root = convert(text)
    assert x(root, "string(//t:creation/t:date/@when)") == "1969-07-29T16:00:00"
    assert x(root, "string(//t:opener/t:dateline)") == "Bangkok, July 29, 1969, 4 p.m."
    assert doc.meta.place == "Bangkok"


def test_no_evidence_no_date():
    _, root = convert("Some title\n\nA paragraph that mentions nothing datable at all.\n")
    assert not x(root, "//t:creation/t:date")
    # A month-day without any year in the document is not tagged either.
    _, root = convert("A title\n\nWe met on June 2 and again later.\n")
    assert not x(root, "//t:text//t:date")


def test_month_only_file_number_gives_a_range_not_a_day():
    text = "293.0022/251: Telegram\n\nThe Consul to the Secretary of State\n\nsecret\n\nText.\n"
    _, root = convert(text)
    date = x(root, "//t:creation/t:date")[0]
    assert date.get("when") is None
    assert (date.get("notBefore"), date.get("notAfter")) == ("1951-02-01", "1951-02-28")


def test_dateline_beats_file_number():
    text = ("611.94A/2–351\n\nPosition Paper\n\n[Washington,] February 2, 1951.\n\nsecret\n\nText.\n")
    _, root = convert(text)
    date = x(root, "//t:creation/t:date")[0]
    assert date.get("when") == "1951-02-02" and date.get("type") == "dateline"
    assert "gives another day" in x(root, "string(//t:notesStmt/t:note)")


def test_numbers_that_are_not_dates_stay_untagged():
    text = ("795.00/1–1251\n\nTelegram\n\n[Washington,] March 3, 1951.\n\n"
            "2112. Re Deptel 2027. We allocated $71.2 million for FY 1951 in 1950.\n")
    _, root = convert(text)
    assert [d.text for d in x(root, "//t:text//t:date")] == ["March 3, 1951."] or [
        d.text for d in x(root, "//t:text//t:date")] == ["March 3, 1951"]


def test_generic_layout_keeps_everything():
    text = "just some words\nand more words here\n1. one\n2. two\n"
    doc, root = convert(text)
    assert doc.layout == "generic"
    assert text_words(root) == words(text)
    assert x(root, "string(//t:titleStmt/t:title)") == "just some words"


def test_crlf_bom_and_cp1252():
    doc, root = convert(b"\xef\xbb\xbfTitle line\r\n\r\nCaf\xc3\xa9 text\r\n")
    assert text_words(root) == ["Title", "line", "Café", "text"]
    doc, root = convert(b"Title\n\nCaf\xe9 \x93quoted\x94\n")
    assert doc.encoding == "windows-1252" and doc.warnings
    assert text_words(root) == ["Title", "Café", "quoted"]


def test_markup_like_text_is_escaped_not_interpreted():
    doc, root = convert("Title\n\nA <script>alert(1)</script> & ]]> and &amp; stay text.\n")
    assert not x(root, "//*[local-name()='script']")
    assert "<script>alert(1)</script> & ]]> and &amp;" in x(root, "string(//t:body//t:p[2])")
    assert doc.warnings


def test_revision_date_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, root = convert("Title\n\nText.\n")
    assert x(root, "string(//t:revisionDesc/t:change/@when)") == "2023-11-14"


def test_attachment_is_a_nested_document_with_its_own_opener():
    text = ("611.94A/2–951\n\nMemorandum by the Director\n\n[Washington,] February 9, 1951.\n\n"
            "secret\n\nCovering text.\n\n[Attachment]\n\nPaper Prepared in the Department\n\n"
            "[Washington, February 8, 1951.]\n\ntop secret\n\nThe paper itself.\n")
    _, root = convert(text)
    inner = x(root, "//t:body/t:div/t:div[@type='attachment']")
    assert len(inner) == 1
    assert x(inner[0], "string(t:head)") == "Paper Prepared in the Department"
    assert x(inner[0], "string(t:opener/t:dateline/t:date/@when)") == "1951-02-08"
    assert x(inner[0], "string(t:opener/t:seg[@type='classification'])") == "top secret"
    # The document's own date is its own dateline's, not the attachment's.
    assert x(root, "string(//t:creation/t:date/@when)") == "1951-02-09"
    assert text_words(root) == words(text)
