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


# --- participants, subject, numbered points, sub-headings ------------------------------------

MEETING = """S/P Files: Lot 64 D 563

Memorandum for the Record of a Meeting

top secret

Present

General Bradley Admiral Lalor

General Collins Colonel Carns

Under Secretary of State Katzenbach

Admiral Wooldridge

The discussion turned to the possibility of exploiting or creating fissions in the regime and to what could be done.
"""


def test_two_people_on_one_participant_line_are_two_items():
    _, root = convert(MEETING)
    items = [" ".join("".join(i.itertext()).split())
             for i in x(root, "//t:list[@type='participants']/t:item")]
    assert items == ["General Bradley", "Admiral Lalor", "General Collins", "Colonel Carns",
                     "Under Secretary of State Katzenbach", "Admiral Wooldridge"]
    assert text_words(root) == words(MEETING)


def test_subject_heading_and_its_text_are_one_ab_after_a_conference_line():
    text = ("Source: Department of State, Conference Files: Lot 64 D 560. Secret.\n\n"
            "Memorandum of Conversation\n\nWashington, April 4, 1959, 9 a.m.\n\nUSDEL/MC/11\n\n"
            "NATO MINISTERIAL MEETING\n\nSUBJECT\n\nPreparation of Western Position\n\n"
            "PARTICIPANTS\n\nAmbassador Grewe\n\nMr. Merchant\n\n" + BODY + "\n")
    _, root = convert(text)
    subjects = x(root, "//t:ab[@type='subject']")
    assert len(subjects) == 1
    assert " ".join(subjects[0].itertext()) == "SUBJECT Preparation of Western Position"
    assert subjects[0].find("{http://www.tei-c.org/ns/1.0}lb") is not None
    assert len(x(root, "//t:list[@type='participants']/t:item")) == 2
    assert not x(root, "//t:div/t:div")  # no sub-heading mistaken for a section
    assert text_words(root) == words(text)


def test_parenthesis_labels_are_a_list():
    for one, two in (("1)", "2)"), ("(1)", "(2)")):
        text = f"Heading\n\nThe points are these.\n\n{one} The first.\n\n{two} The second.\n"
        _, root = convert(text)
        assert [lab.text for lab in x(root, "//t:list[@type='ordered']/t:label")] == [one, two]
        assert [i.get("n") for i in x(root, "//t:list[@type='ordered']/t:item")] == ["1", "2"]
        assert text_words(root) == words(text)


def test_inline_numbered_points_become_a_list():
    points = " ".join(f"{n}. Point number {n} holds." for n in range(1, 11))
    text = f"293.0022/251: Telegram\n\nThe Consul General to the Secretary of State\n\n" \
           f"2112. Re Deptel 2027 January 12. Most emphasize these points: {points}\n\nMcConaughy\n"
    _, root = convert(text)
    assert [i.get("n") for i in x(root, "//t:list[@type='ordered']/t:item")] == [
        str(n) for n in range(1, 11)]
    lead = x(root, "//t:list[@type='ordered']/preceding-sibling::t:p[1]")[0]
    assert "".join(lead.itertext()).endswith("these points:")
    assert text_words(root) == words(text)


def test_a_paragraph_with_one_number_is_not_a_list():
    text = "Heading\n\nSee paragraph 1. The rest follows, and item 3. Then more.\n"
    _, root = convert(text)
    assert not x(root, "//t:list")


def test_sub_headings_open_sections():
    text = ("Heading\n\n" + BODY + "\n\nBlockade\n\n" + BODY + "\n\nEmployment of Chinese Nationalists\n\n"
            + BODY + "\n\nSincerely,\n\nJohn Smith\n")
    _, root = convert(text)
    heads = [" ".join(h.itertext()) for h in x(root, "//t:div/t:div/t:head")]
    assert heads == ["Blockade", "Employment of Chinese Nationalists"]
    assert text_words(root) == words(text)


# --- nineteenth-century despatches -------------------------------------------------------------

DESPATCH = """No. 123. Mr. Frelinghuysen to Mr. Young.

[Extract.]

No. 187.]

Department of State,

Washington, March 3, 1883.

Sir: I have to acknowledge the receipt of your despatch No. 64, of the 5th of January last, and to say that the Department approves the course you have taken in the matter.

I am, sir, your obedient servant,

FREDK. T. FRELINGHUYSEN.

[Inclosure in No. 123.]

Count Hatzfeldt to Mr. Sargent.

Foreign Office, Berlin, December 29, 1882.

The undersigned has the honor to inform Mr. Sargent that the matter is under consideration.

HATZFELDT.
"""


def test_a_despatch_is_read_as_a_layout_of_its_own():
    doc, root = convert(DESPATCH)
    assert doc.layout == "despatch"
    assert title(root) == "No. 123. Mr. Frelinghuysen to Mr. Young."
    assert doc.meta.date.when == "1883-03-03" and doc.meta.date.evidence == "dateline"
    assert (doc.meta.author, doc.meta.addressee) == ("Mr. Frelinghuysen", "Mr. Young")
    div = x(root, "//t:body/t:div[@type='document']")[0]
    assert [x(d, "string(.)") for d in x(div, "t:opener/t:dateline")] == [
        "Department of State,", "Washington, March 3, 1883."]
    assert x(div, "string(t:closer/t:salute)") == "I am, sir, your obedient servant,"
    assert x(div, "string(t:closer/t:signed)") == "FREDK. T. FRELINGHUYSEN."
    enclosure = x(root, "//t:body/t:div[@type='attachment']")[0]
    assert x(enclosure, "string(t:head)") == "Count Hatzfeldt to Mr. Sargent."
    assert x(enclosure, "string(t:opener/t:dateline)") == "Foreign Office, Berlin, December 29, 1882."
    assert x(enclosure, "string(t:closer/t:signed)") == "HATZFELDT."
    assert text_words(root) == words(DESPATCH)


def test_a_despatch_dateline_with_a_note_of_receipt_and_a_two_line_heading():
    text = ("No. 64.\n\nMr. Young to Mr. Frelinghuysen.\n\n"
            "Legation of the United States, Peking, January 5, 1883. (Received February 20.)\n\n"
            "Sir: I have the honor to report that the question remains open and that the "
            "Yamên has been informed of the views of the Department.\n\n"
            "I have, etc.,\n\nJOHN RUSSELL YOUNG.\n")
    doc, root = convert(text)
    assert doc.layout == "despatch"
    assert title(root) == "No. 64. Mr. Young to Mr. Frelinghuysen."
    assert doc.meta.date.when == "1883-01-05"
    assert x(root, "string(//t:closer/t:signed)") == "JOHN RUSSELL YOUNG."
    assert text_words(root) == words(text)


def test_despatches_are_valid_tei(tmp_path):
    from conftest import tei_all_errors
    from tei_edition.validate import validate_file

    path = tmp_path / "despatch.xml"
    path.write_bytes(convert_document(DESPATCH.encode(), "despatch.txt")[1])
    assert validate_file(path) == []
    assert tei_all_errors([path]) == ""


def test_an_editorial_line_between_heading_and_dateline_keeps_the_opener():
    text = ("763.72119/3488\n\nThe Minister in Persia (Caldwell) to the Secretary of State\n\n"
            f"[Extract]\n\nTeheran, November 15, 1918.\n\n{BODY}\n")
    doc, root = convert(text)
    assert x(root, "string(//t:opener/t:dateline)") == "Teheran, November 15, 1918."
    assert x(root, "string(//t:div/t:note[@type='editorial'])") == "[Extract]"


def test_a_numbered_paragraph_mentioning_one_later_point_is_not_split():
    text = ("Heading\n\n1. We are confronted by a request, as set out in point 2. The reply "
            "follows.\n\n2. The second paragraph.\n")
    _, root = convert(text)
    assert [i.get("n") for i in x(root, "//t:list[@type='ordered']/t:item")] == ["1", "2"]
