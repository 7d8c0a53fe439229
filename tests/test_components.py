"""The annotators as named components, the corpus pass, page markers inside names, the
lexicons, and the cases that must not be tagged (issue 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from tei_edition.annotate import lexicon
from tei_edition.annotate.authorities import Authorities
from tei_edition.annotate.components import PIPELINE, REGISTRY, Context, annotate, describe
from tei_edition.annotate.corpus import Knowledge, NameEvidence
from tei_edition.annotate.persons import TITLE_WORDS, TITLES
from tei_edition.namespaces import NS
from tei_edition.pipeline import convert_document, convert_many
from tei_edition.read import read_bytes
from tei_edition.validate import validate_file
from tei_edition.write.tei import serialize, to_tei

HSG = Path(__file__).resolve().parents[2] / "shared" / "authorities" / "hsg-people.jsonl"


@pytest.fixture(scope="module")
def bare() -> Authorities:
    return Authorities.load()


@pytest.fixture(scope="module")
def hsg() -> Authorities:
    if not HSG.is_file():
        pytest.skip(f"person authority file {HSG} absent (../shared not checked out)")
    return Authorities.load(person_files=[HSG])


def doc(text: str):
    return read_bytes(text.encode("utf-8"), "t.txt")


def spans(d, kind: str | None = None) -> list[tuple[str, str, str | None]]:
    return [(s.kind, b.text[s.start : s.end], s.attrs.get("ref")) for b in d.blocks
            for s in sorted(b.spans, key=lambda s: s.start) if kind is None or s.kind == kind]


def body_names(xml: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(xml)
    return [(etree.QName(e).localname, "".join(e.itertext()))
            for e in root.iterfind(".//t:text//*", NS)
            if etree.QName(e).localname in ("persName", "placeName", "orgName", "date")]


MEMO = """Memorandum of Conversation

Washington, June 2, 1951.

Secretary of State Dean Rusk met Ambassador Muccio in Washington [Page 67] on the United Nations matter. Rusk said that the file 795.00/1–1251 was closed.
"""


# -- the registry -------------------------------------------------------------------------

def test_every_component_is_registered_in_the_declared_order() -> None:
    comps = describe()
    assert [c.name for c in comps] == list(PIPELINE)
    assert PIPELINE == ("pages", "file-numbers", "dates", "persons", "places", "orgs", "resolve")
    for i, c in enumerate(comps):
        assert c.doc and c.adds, c.name  # each says what it does and what it adds
        assert all(PIPELINE.index(n) < i for n in c.needs), f"{c.name} needs a later component"
    assert set(REGISTRY) == set(PIPELINE)


@pytest.mark.parametrize("name, kinds", [
    ("pages", {"pb"}), ("dates", {"date"}), ("persons", {"persName"}),
    ("places", {"placeName"}), ("orgs", {"orgName"}),
])
def test_each_component_alone(bare: Authorities, name: str, kinds: set[str]) -> None:
    d = doc(MEMO)
    annotate(d, Context(bare), disable=[n for n in PIPELINE if n != name])
    assert {k for k, _t, _r in spans(d)} == kinds


def test_disabled_component_adds_nothing_and_the_rest_still_runs(bare: Authorities) -> None:
    d = doc(MEMO)
    annotate(d, Context(bare), disable=["persons"])
    kinds = {k for k, _t, _r in spans(d)}
    assert "persName" not in kinds and {"pb", "date", "placeName", "orgName"} <= kinds
    assert not [e for e in d.entities.values() if e.kind == "person"]


def test_resolve_component_drops_overlaps_and_orphan_entities(bare: Authorities) -> None:
    d = doc(MEMO)
    annotate(d, Context(bare), disable=["resolve"])
    block = next(b for b in d.blocks if "Rusk" in b.text)
    from tei_edition.model import Span
    block.spans.append(Span(0, 30, "orgName", {"ref": "#org-x"}, entity="org-x", priority=-1))
    annotate(d, Context(bare), disable=[n for n in PIPELINE if n != "resolve"])
    assert not any(s.entity == "org-x" for s in block.spans)
    for a, b in zip(sorted(block.spans, key=lambda s: s.start), sorted(block.spans, key=lambda s: s.start)[1:], strict=False):
        assert a.end <= b.start or b.kind == "pb" or a.kind == "pb"


def test_unknown_component_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tei_edition.cli import main

    (tmp_path / "a.txt").write_text(MEMO, encoding="utf-8")
    r = CliRunner().invoke(main, ["convert", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"),
                                  "--disable", "people"])
    assert r.exit_code == 2 and "no such component: people" in r.output
    r = CliRunner().invoke(main, ["convert", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"),
                                  "--disable", "places", "-q"])
    assert r.exit_code == 0
    assert b"placeName" not in (tmp_path / "o" / "a.xml").read_bytes()


def test_disable_in_the_settings_file(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from tei_edition.cli import main

    (tmp_path / "a.txt").write_text(MEMO, encoding="utf-8")
    (tmp_path / "tei-edition.toml").write_text('disable = ["dates"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["convert", "a.txt", "-o", "o", "-q"])
    assert r.exit_code == 0, r.output
    assert b"<date " not in (tmp_path / "o" / "a.xml").read_bytes().split(b"<text")[1]


def test_writing_does_not_change_the_document(bare: Authorities) -> None:
    text = "Dwight D. Eisenhower\nJune 07, 1953\n\nLetter to the Secretary\n\n- Dear Mr. Secretary:\n\nText.\n"
    d = doc(text)
    annotate(d, Context(bare))
    first, second = serialize(to_tei(d)), serialize(to_tei(d))
    assert first == second
    assert b'<docDate when="1953-06-07">' in first


# -- page markers are transparent to the text annotators ----------------------------------

def test_page_marker_inside_names_and_dates(tmp_path: Path) -> None:
    text = ("Memorandum\n\nWashington, June 1, 1951.\n\nMr. Dean [Page 68] Rusk went to the United "
            "[Page 67] States on June 2, [Page 69] 1951.\n")
    _d, xml = convert_document(text.encode(), "t.txt", Authorities.load())
    got = body_names(xml)
    assert ("persName", "Dean Rusk") in got
    assert ("placeName", "United States") in got
    assert ("date", "June 2, 1951") in got
    root = etree.fromstring(xml)
    date = root.find(".//t:text//t:date[t:pb]", NS)
    assert date is not None and date.get("when") == "1951-06-02"
    assert [pb.get("n") for pb in root.iterfind(".//t:pb", NS)] == ["68", "67", "69"]
    out = tmp_path / "t.xml"
    out.write_bytes(xml)
    assert validate_file(str(out)) == []


def test_page_markers_one_definition() -> None:
    """read/patterns and annotate/pages agree: a standalone "[Page 1x]" is a valid pb."""
    _d, xml = convert_document(b"Memo\n\nText here.\n\n[Page 12a]\n\nMore.\n\n[Page 1x]\n\nEnd.\n",
                               "t.txt", Authorities.load())
    root = etree.fromstring(xml)
    assert [(pb.get("n"), pb.text) for pb in root.iterfind(".//t:pb", NS)] == [("12a", None), ("1x", None)]


# -- the corpus pass ----------------------------------------------------------------------

def _write(tmp: Path, files: dict[str, str]) -> list[str]:
    paths = []
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp / name))
    return paths


CORPUS = {
    "a.txt": "Memorandum\n\nWashington, May 1, 1969.\n\nAmbassador Quentin Zorbin and Burton Kitain "
             "called on the Minister.\n",
    "b.txt": "Telegram\n\nSeoul, May 2, 1969.\n\nThe Minister saw Zorbin today. B. Kitain was "
             "there. Zorbin said the talks would go on.\n",
}


def test_corpus_pass_tags_a_surname_named_in_full_elsewhere(tmp_path: Path, bare: Authorities) -> None:
    paths = _write(tmp_path, CORPUS)
    results = {Path(r.source).name: r for r in convert_many(paths, loader=Authorities.load)}
    a, b = (body_names(results[n].xml) for n in ("a.txt", "b.txt"))
    assert ("persName", "Quentin Zorbin") in a
    assert b.count(("persName", "Zorbin")) == 2  # bare in b, full only in a
    refs = {n: set(re.findall(rb'persName ref="#([^"]+)"', results[n].xml)) for n in results}
    assert refs["a.txt"] == refs["b.txt"] == {b"pers-quentin-zorbin", b"pers-burton-kitain"}
    # the same file alone is its own corpus: "Zorbin" has no evidence, "B. Kitain" no fuller name
    _d, alone = convert_document(CORPUS["b.txt"].encode(), "b.txt", bare)
    assert ("persName", "Zorbin") not in body_names(alone)
    assert b"pers-b-kitain" in alone


def test_corpus_ids_do_not_depend_on_file_order(tmp_path: Path) -> None:
    paths = _write(tmp_path, CORPUS)
    one = {Path(r.source).name: r.xml for r in convert_many(paths, loader=Authorities.load)}
    two = {Path(r.source).name: r.xml for r in convert_many(paths[::-1], loader=Authorities.load)}
    par = {Path(r.source).name: r.xml for r in convert_many(paths, jobs=2, loader=Authorities.load)}
    assert one == two == par


def test_knowledge_is_a_union() -> None:
    a, b = NameEvidence(), NameEvidence()
    a.add("Rusk", ["Dean"], "hsg-1")
    b.add("Rusk", [], "pers-rusk")
    b.add("Couve de Murville", ["Maurice"], "hsg-2")
    k1, k2 = Knowledge.merge([a, b]), Knowledge.merge([b, a])
    assert k1.people == k2.people and k1.alias == k2.alias
    assert k1.canonical("pers-rusk") == "hsg-1"
    assert k1.keys_for("Couve") == {"hsg-2"}  # a compound surname is also written short
    two = NameEvidence()
    two.add("Rusk", ["Howard"], "hsg-3")
    assert Knowledge.merge([a, b, two]).canonical("pers-rusk") == "pers-rusk"  # ambiguous


def test_ambiguous_bare_surname_is_tagged_but_not_linked(hsg: Authorities) -> None:
    d = doc("Memorandum\n\nWashington, May 1, 1969.\n\nIt was thought that Johnson would go.\n")
    annotate(d, Context(hsg))
    assert spans(d, "persName") == [("persName", "Johnson", None)]


def test_surname_unique_in_the_authority_and_used_as_a_name(hsg: Authorities) -> None:
    d = doc("Telegram\n\nMoscow, May 1, 1986.\n\nThe Minister said Shevardnadze agreed. "
            "Later Ecevit said no. Ecevit is a man. Moreover the Park was closed.\n")
    annotate(d, Context(hsg))
    got = {t: r for _k, t, r in spans(d, "persName")}
    assert set(got) == {"Shevardnadze", "Ecevit"}
    assert all(r and r.startswith("#hsg-") for r in got.values())


def test_forename_addressed_is_the_one_person_it_can_call(bare: Authorities) -> None:
    text = """Conversation Among President Nixon and the Under Secretary of State (Johnson)

Washington, June 2, 1971.

Participants: U. Alexis Johnson, Under Secretary of State; Richard Nixon, President

Nixon: Let me say, Alex, that I do not go as far as some.

Kennedy: Alex, could I respond to that? The Alex Hotel is closed.

Connally: Richard, you agree?
"""
    d = doc(text)
    annotate(d, Context(bare))
    got = spans(d, "persName")
    johnson = next(r for _k, t, r in got if t == "U. Alexis Johnson")
    nixon = next(r for _k, t, r in got if t == "Richard Nixon")
    alex = [r for _k, t, r in got if t == "Alex"]
    assert alex == [johnson, johnson]  # the two addressed, not "The Alex Hotel"
    assert ("persName", "Richard", nixon) in got  # a forename, not only the first one
    # two persons the name can call: no tag
    d = doc(text.replace("Richard Nixon, President", "Alexander Haig, General"))
    annotate(d, Context(bare))
    assert "Alex" not in [t for _k, t, _r in spans(d, "persName")]


def test_salutation_and_plural_titles_name_their_persons(hsg: Authorities) -> None:
    d = doc("Letter From President Wilson to Secretary of State Lansing\n\nParis, "
            "January 2, 1919.\n\nMy Dear Lansing: I have read the enclosed.\n")
    annotate(d, Context(hsg))
    assert [t for _k, t, _r in spans(d, "persName")].count("Lansing") == 2
    d = doc("Memorandum\n\nWashington, August 7, 1967.\n\nThe memorandum was sent to "
            "Secretaries Rusk and McNamara. Messrs. Bundy, Macomber, and Sneider agreed.\n")
    annotate(d, Context(hsg))
    assert [t for _k, t, _r in spans(d, "persName")] == [
        "Rusk", "McNamara", "Bundy", "Macomber", "Sneider"]


def test_abbreviated_forenames_are_read_as_initials(hsg: Authorities) -> None:
    d = doc("Letter\n\nParis, January 2, 1919.\n\nWm. Phillips said the Secretary agreed. "
            "He saw Alex. Then they left.\n\nDr. Sergei Ingerman\n\nAlex. Chernoff\n")
    annotate(d, Context(hsg))
    got = spans(d, "persName")
    assert [t for _k, t, _r in got] == ["Wm. Phillips", "Sergei Ingerman", "Alex. Chernoff"]
    rec = hsg.records[got[0][2][1:]]
    assert rec.forenames[0] == "William" and rec.surname == "Phillips"  # "Wm." fits William


# -- what is not a person -----------------------------------------------------------------

def test_stop_cases(hsg: Authorities) -> None:
    text = """Memorandum of Conversation

Washington, June 2, 1951.

A. Restoration of the 38th parallel.

B. Prisoners of war and the Red Cross.

The Minister Counselor of the Embassy called. Peiping radio said so. The French and the Commonwealth agreed with President July.

Mr. West and Colonel House met Counselor Nimetz, DepSec Christopher, DCM Dillon and Gen Taylor. Chief of Staff Akhromeyev agreed.
"""
    d = doc(text)
    annotate(d, Context(hsg))
    persons = [t for _k, t, _r in spans(d, "persName")]
    assert persons == ["West", "House", "Nimetz", "Christopher", "Dillon", "Taylor", "Akhromeyev"]
    kinds = {t: k for k, t, _r in spans(d)}
    assert kinds["Red Cross"] == "orgName" and kinds["Peiping"] == "placeName"
    assert "Commonwealth" not in kinds and "French" not in kinds


def test_names_of_things_and_persons_out_of_their_time(hsg: Authorities) -> None:
    d = doc("Telegram\n\nParis, April 3, 1959.\n\nPlans under discussion (e.g., Rapacki "
            "plan, Kennan plan, Monroe Doctrine) were noted. Kennan said so.\n")
    annotate(d, Context(hsg))
    assert [t for _k, t, _r in spans(d, "persName")] == ["Kennan"]  # he who said, not the plan
    # "Yale, William" is known from a 1945 volume only: in 1971 "Yale" is a school
    text = "Memorandum\n\nSeoul, April 2, {}.\n\nDr. Hahn is a graduate of Harvard and Yale law schools.\n"
    d = doc(text.format(1971))
    annotate(d, Context(hsg))
    assert [t for _k, t, _r in spans(d, "persName")] == ["Hahn"]
    rec = next(r for r in hsg.surname_candidates("Yale"))
    assert rec.active == (1945, 1945)


# -- places of their time -----------------------------------------------------------------

@pytest.mark.parametrize("year, russia, china", [
    ("1910", "#place-russian-empire", None),
    ("1930", "#place-soviet-union", "#place-republic-of-china"),
    ("1951", "#place-soviet-union", None),
    ("1995", "#geo-2017370", None),
])
def test_places_linked_to_the_state_of_their_time(bare: Authorities, year: str, russia: str,
                                                  china: str | None) -> None:
    d = doc(f"Memorandum\n\nWashington, June 2, {year}.\n\nRussia and China, and Communist China.\n")
    annotate(d, Context(bare))
    refs = {t: r for _k, t, r in spans(d, "placeName")}
    assert refs["Russia"] == russia
    assert refs["China"] == china  # after 1949 only the words say which China
    assert refs["Communist China"] == "#geo-1814991"


def test_undated_document_leaves_a_changing_place_unlinked(bare: Authorities) -> None:
    d = doc("Memorandum\n\nRussia and Germany were discussed.\n")
    annotate(d, Context(bare))
    assert {t: r for _k, t, r in spans(d, "placeName")} == {"Russia": None, "Germany": None}


# -- lexicons -----------------------------------------------------------------------------

def test_every_title_starts_with_a_title_word() -> None:
    for title in TITLES:
        first = re.match(r"(?:\(\?:)?([A-Z][^\W\d_]*)", title)
        assert first and first.group(1) in TITLE_WORDS, title


def test_lexicons_have_no_duplicates_and_one_home_for_titles() -> None:
    from tei_edition.annotate import authorities

    for name in ("title-words", "non-names", "demonyms", "function-words", "calendar",
                 "ambiguous-surnames", "place-stoplist", "not-initials", "particles",
                 "office-words", "speech-verbs"):
        entries = lexicon.entries(name)
        assert len(entries) == len(set(entries)), name
    assert {w.casefold() for w in TITLE_WORDS} <= {w.casefold() for w in authorities._TITLE_WORDS} | {
        w.casefold() for w in TITLE_WORDS if not w.isascii()}


def test_first_pass_spool_changes_nothing(tmp_path: Path) -> None:
    """The second pass takes the spooled first-pass document; the bytes are those of a
    conversion from scratch with the same corpus knowledge."""
    from tei_edition.pipeline import Spool, gather_document

    seeds = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
    paths = _write(tmp_path, CORPUS) + [str(p) for p in seeds]
    auth = Authorities.load()
    batch = {Path(r.source).name: r.xml for r in convert_many(paths, loader=lambda: auth)}
    data = {Path(p).name: Path(p).read_bytes() for p in paths}
    knowledge = Knowledge.merge([gather_document(d, n, auth) for n, d in data.items()])
    for name, d in data.items():
        assert convert_document(d, name, auth, knowledge)[1] == batch[name], name
    spool = Spool(tmp_path)
    for name in ("a.txt", "b.txt"):
        gather_document(data[name], name, auth, spool=spool)
    assert len(list(tmp_path.glob("spool-*.bin"))) == 1  # one file, appended to
    where = spool.placed.pop("b.txt")
    assert where[1] > 0  # after the first document
    assert convert_document(data["b.txt"], "b.txt", auth, knowledge, spool=spool,
                            where=where)[1] == batch["b.txt"]
    # only the same input is taken: other bytes under the name, or no place, read again
    assert spool.take("b.txt", data["b.txt"] + b" ", (), auth, where) is None
    assert spool.take("b.txt", data["b.txt"], (), auth) is None
    assert spool.take("b.txt", data["b.txt"], (), auth, where) is not None


def test_a_converted_document_is_freed_without_the_collector() -> None:
    """No reference cycle is left by a conversion (the person finder of the first pass
    refers back to its document): a batch frees each document when it drops it, not at
    the collector's next full pass over everything alive (the authority file included)."""
    import gc

    auth = Authorities.load()
    data = CORPUS["a.txt"].encode()
    convert_document(data, "a.txt", auth)  # caches filled once
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        doc, _xml = convert_document(data, "a.txt", auth)
        assert any(b.spans for b in doc.blocks)  # persons were tagged
        del doc
        assert gc.collect() == 0  # nothing left that only the collector could free
    finally:
        if enabled:
            gc.enable()
