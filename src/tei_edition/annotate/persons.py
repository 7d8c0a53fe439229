"""Find person mentions in block text and link them to person authority records.

Evidence, strongest first: a full name form of an authority record; a title plus a name
("Mr. Rusk", "President Syngman Rhee", "Secretary of Commerce Stans"); initials or a known
given name before a surname ("U. A. Johnson", "Ralph Clough"); a whole signature or
author line; a parenthesised surname after an office in a heading ("... Affairs (Rusk)");
a participant line; finally a bare surname of a person already named in the document.
A mention is linked to a record only when the candidates narrow to one (initials and
given names, the document's year inside the lifetime, the office words around the
mention against the record's note, a person already named in the same document).
Everything else stays unlinked with a key derived from the name. Precision first.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Document
from . import lexicon
from .authorities import SUFFIXES, Authorities, Record, fold, lite_fold
from .corpus import Knowledge

_LOWER = r"a-zà-ÿā-ž"
# A capitalised word; one that goes on in capitals ("FedRep", "LaGuardia") is none of ours.
NAME_WORD = rf"(?:Mc|Mac|O['’]|D['’])?[A-Z][{_LOWER}]+(?:[-'’][A-Za-z][{_LOWER}]+)*(?![A-Z{_LOWER}])"
UPPER_WORD = r"(?:MC|MAC)?[A-Z]{2,}(?:[-'’][A-Z]+)*"
# Abbreviated forenames ("Wm." for William), read as initials are.
FORENAME_ABBREVIATIONS = dict(ln.split(" ", 1) for ln in lexicon.entries("forename-abbreviations"))
_ABBREVIATED = {a.rstrip(".") for a in FORENAME_ABBREVIATIONS}
INITIAL = r"(?:[A-Z]|" + "|".join(sorted(_ABBREVIATED)) + r")\."

# Titles before a name; the title itself stays outside the persName (FRUS style).
TITLES = list(lexicon.entries("titles"))
TITLE_WORDS = lexicon.words("title-words")
# Capitalised words that end a name candidate: offices, institutions, common nouns,
# nationalities and other adjectives of peoples.
CALENDAR = lexicon.words("calendar")
NON_NAMES = lexicon.words("non-names") | lexicon.words("demonyms") | CALENDAR
OFFICE_WORDS = re.compile(r"\b(?:" + "|".join(lexicon.entries("office-words")) + ")")
ROLE_CONTEXT_STOP = {"the", "of", "for", "and", "to", "in", "on", "a", "an", "by", "at", "from"}
# Surnames that are also common words or very common names: a bare mention of them needs
# a full name in the document or the corpus, never an authority guess.
AMBIGUOUS = lexicon.words("ambiguous-surnames")
FUNCTION_WORDS = lexicon.words("function-words")
NOT_INITIALS = lexicon.words("not-initials")

_TITLE_RE = "|".join(f"(?:{t})" for t in TITLES)
PLAIN_NAME_WORD = NAME_WORD  # without the title check, for scans that test words by set
NAME_WORD = rf"(?!(?:{'|'.join(sorted(TITLE_WORDS))})\b){NAME_WORD}"
# Title + [given names / initials] + surname (at most four tokens).
# Particles that belong to a surname: "de Gaulle", "von Brentano", "Couve de Murville".
PARTICLES = lexicon.words("particles")
PARTICLE = "(?:" + "|".join(sorted({*PARTICLES, *(p.capitalize() for p in PARTICLES)})) + ")"
TITLED = re.compile(
    rf"(?<![\w.])(?=[A-Z])(?P<title>{_TITLE_RE})\s+(?P<name>(?:{INITIAL}\s?){{0,3}}"
    rf"(?:{NAME_WORD}\s+(?:{INITIAL}\s?){{0,2}}){{0,2}}(?:{PARTICLE}\s+)?{NAME_WORD})"
    rf"(?P<sfx>,? (?:Jr|Sr)\.)?"
)
INITIALED = re.compile(
    rf"(?<![\w.])(?=[A-Z])(?P<name>(?:{INITIAL}\s?){{1,3}}(?:{NAME_WORD}\s+){{0,1}}{NAME_WORD})"
    rf"(?P<sfx>,? (?:Jr|Sr)\.)?"
)
GIVEN = re.compile(
    rf"(?<![\w.])(?=[A-Z])(?P<name>(?P<given>{NAME_WORD})\s+(?:(?:{INITIAL}\s?){{1,2}}|{NAME_WORD}\s+)?"
    rf"{NAME_WORD})(?P<sfx>,? (?:Jr|Sr)\.)?"
)
# "Paek Tu-chin", "Yi Hu-rak", "Kim Chong-p’il": a Korean or Chinese name, surname first.
EAST_ASIAN = re.compile(
    r"(?<![\w.\-’'])(?P<name>(?P<sur>[A-Z][a-z]{1,4})\s+(?P<given>[A-Z][a-z]{0,5}[-–][A-Za-z][a-z’']{1,6}))"
    r"(?P<sfx>)(?![\w\-])"
)
# A speaker in a transcript or minutes: "Stans: Yes, yes—", "Kissinger: ...".
SPEAKER = re.compile(rf"^(?P<name>(?:{INITIAL}\s?)?(?:{NAME_WORD}\s+)?(?:{PARTICLE}\s+)?{NAME_WORD})(?P<sfx>):\s+\S")
# Titles of courtesy: whatever capitalised word follows is a name ("Mr. West").
HONORIFICS = {"Mr.", "Mr", "Mrs.", "Mrs", "Miss", "Ms.", "Mme.", "Madame", "Dr.", "Herr", "Monsieur"}
PAREN = re.compile(rf"\((?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}})\)")
SIGNATURE = re.compile(
    rf"^\s*(?P<name>(?:(?:{INITIAL}|{NAME_WORD}|{UPPER_WORD})\.?\s+){{0,4}}"
    rf"(?:{NAME_WORD}|{UPPER_WORD}))(?P<sfx>,? (?:Jr|JR|Sr)\.)?\s*\.?\s*$"
)
PARTICIPANT = re.compile(
    rf"^\s*(?:Participants:\s*|[A-Z/]{{1,5}}\s*[—–-]+\s*)?(?:(?:{_TITLE_RE})\s+)?"
    rf"(?P<name>(?:(?:{INITIAL}\s?)|(?:{NAME_WORD}\s+)){{1,4}}{NAME_WORD})(?P<sfx>,? Jr\.)?\s*(?:,|$)"
)


@dataclass
class Mention:
    block: int
    start: int
    end: int
    surname: str
    given: list[str]  # given names and initials ("U.", "Alexis")
    evidence: str  # form | title | initials | given | signature | heading | participant | surname
    title: str = ""
    context: str = ""
    form_keys: tuple[str, ...] = ()
    key: str | None = None
    text: str = ""
    extent_start: int = -1  # where the title starts; the gazetteer may claim it
    words: list[str] = field(default_factory=list)
    linked: str | None = None  # what the authorities alone say (kept for the second pass)


_PARTICLE_RE = re.compile(PARTICLE)


def _split_name(name: str) -> tuple[str, list[str]]:
    """Surname and given names; a particle before the surname belongs to it."""
    toks = name.split()
    toks = [t for t in toks if fold(t).rstrip(",") not in SUFFIXES]
    if not toks:
        return "", []
    if len(toks) >= 2 and _PARTICLE_RE.fullmatch(toks[-2]):
        return " ".join(toks[-2:]), toks[:-2]
    return toks[-1], toks[:-1]


def _nice(s: str) -> str:
    """Title-case an all-capital name ("DWIGHT D. EISENHOWER" -> "Dwight D. Eisenhower")."""
    if s.isupper():
        return " ".join(w.capitalize() if len(w) > 2 or not w.endswith(".") else w for w in s.split())
    return s


def _ok_name(tokens: list[str], given_names: set[str]) -> bool:
    words = [t for t in tokens if not re.fullmatch(INITIAL, t)]
    if not words:
        return False
    return not any(w in NON_NAMES or w in FUNCTION_WORDS or w.rstrip(".") in TITLE_WORDS for w in words)


def _consistent(given: list[str], rec: Record) -> bool:
    """Given names and initials of a mention fit the record's forenames, in order."""
    if not given:
        return True
    fore = [fold(f).rstrip(".") for f in rec.forenames]
    if not fore:
        return False
    i = 0
    for g in given:
        g = fold(FORENAME_ABBREVIATIONS.get(g, g)).rstrip(".")
        while i < len(fore):
            f = fore[i]
            i += 1
            if (len(g) == 1 and f.startswith(g)) or f == g or (len(f) == 1 and g.startswith(f)):
                break
        else:
            return False
    return True


def _alive(rec: Record, year: int | None) -> bool:
    if year is None:
        return True
    if rec.birth is not None and year < rec.birth + 16:
        return False
    return not (rec.death is not None and year > rec.death)


# How far from the years of the volumes that list a person (and no life dates) a bare
# surname may still be taken for them on the authority file's word alone.
ACTIVE_MARGIN = 15


def _of_the_time(rec: Record, year: int | None) -> bool:
    """Alive, and where only the volumes date the person, within a career of them."""
    if not _alive(rec, year):
        return False
    if year is None or rec.active is None or rec.birth is not None or rec.death is not None:
        return True
    return rec.active[0] - ACTIVE_MARGIN <= year <= rec.active[1] + ACTIVE_MARGIN


@functools.lru_cache(maxsize=32768)
def _context_words(s: str) -> frozenset[str]:
    return frozenset(w for w in _CONTEXT_WORD.findall(fold(s)) if w not in ROLE_CONTEXT_STOP)


def _score(rec: Record, ctx: set[str]) -> float:
    note = _context_words(rec.hint)
    return len(note & ctx) + 0.3 * rec.prominence


# Where a titled, initialled or given-name candidate can start: a capitalised word
# (letters only, so "Mr." gives "Mr" and "Secretary-General" gives "Secretary").
_CAPITAL = re.compile(r"(?<![\w.])[A-Z][^\W\d_]*")
# A lettered list item: one capital and a full stop opening a block.
_LABEL = re.compile(r"([A-Z])\.\s")
_NAME_LINES = {"signature", "author-line", "participant", "participants"}
_SUFFIX_END = re.compile(r",? (?:Jr|JR|Sr)\.$")
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z][a-z]+")
_CONTEXT_WORD = re.compile(r"[a-z]{3,}")
_NOT_INITIALS_COMPACT = {x.replace(" ", "") for x in NOT_INITIALS}


class PersonFinder:
    def __init__(self, doc: Document, auth: Authorities, knowledge: Knowledge | None = None) -> None:
        self.doc = doc
        self.auth = auth
        self.knowledge = knowledge
        self.labels: set[str] | None = None  # letters opening blocks ("A.", "B."): a list
        self.year = _doc_year(doc)
        self.mentions: list[Mention] = []
        # words the document also uses in lower case are common words, not names
        # a label opening two or more paragraphs ("Stans: ...") is a speaker
        self.speakers = Counter(
            m.group("name") for b in doc.blocks if b.role == "paragraph" and ":" in b.text[:60]
            for m in [SPEAKER.match(b.text)] if m
        )
        self.lower_words = set(_LOWER_WORD.findall("\n".join(b.text for b in doc.blocks)))

    def __getstate__(self) -> dict:
        """Kept between the passes without the authorities (reattached on load)."""
        state = dict(self.__dict__)
        state["auth"] = state["knowledge"] = None
        return state

    # -- candidates ---------------------------------------------------------------
    def collect(self) -> list[Mention]:
        for bi, block in enumerate(self.doc.blocks):
            text = block.text
            if self.auth.person_automaton is not None:
                self._forms(bi, text)
            if block.role in ("signature", "author-line"):
                self._signature(bi, text)
            if block.role in ("participant", "participants"):
                self._participant(bi, text)
            titled, initialed, given = self._scan(text)
            for m in titled:
                self._add_regex(bi, m, "title", m.group("title"))
            for m in (EAST_ASIAN.finditer(text) if "-" in text or "–" in text else ()):
                if m.group("sur") not in NON_NAMES and m.group("sur") not in FUNCTION_WORDS:
                    self._add(bi, m.start("name"), m.end("name"), "given", surname=m.group("sur"),
                              given=[m.group("given")])
            m = SPEAKER.match(text) if block.role == "paragraph" and ":" in text[:60] else None
            if m and (self.speakers[m.group("name")] > 1
                      or self.auth.surname_candidates(_split_name(m.group("name"))[0])):
                self._add_regex(bi, m, "speaker")
            for m in initialed:
                if m.group("name")[:5].replace(" ", "") in _NOT_INITIALS_COMPACT:
                    continue
                if m.start() == 0 and block.role not in _NAME_LINES and self._label(text):
                    continue  # "A. Restoration of ...": the label of a lettered list
                self._add_regex(bi, m, "initials")
            for m in given:
                self._add_regex(bi, m, "given")
            for m in (PAREN.finditer(text) if "(" in text else ()):
                before = text[max(0, m.start() - 120) : m.start()]
                if OFFICE_WORDS.search(before):
                    # the office phrase since the previous "(", "by", "from" or "to" is context
                    ctx = re.split(r"\)|\bby\b|\bfrom\b|\bto\b|\bFrom\b", before)[-1]
                    self._add(bi, m.start("name"), m.end("name"), "heading", context=ctx)
        return self.mentions

    def _label(self, text: str) -> bool:
        """The block opens with a letter of a lettered list: "A." where another block
        opens with "B." (or "C." beside "B.")."""
        m = _LABEL.match(text)
        if not m:
            return False
        if self.labels is None:
            self.labels = {lm.group(1) for b in self.doc.blocks for lm in [_LABEL.match(b.text)] if lm}
        letter = ord(m.group(1))
        return chr(letter - 1) in self.labels or chr(letter + 1) in self.labels

    def _scan(self, text: str) -> tuple[list[re.Match], list[re.Match], list[re.Match]]:
        """Titled, initialled and given-name candidates, tried only where a capitalised
        word can start one (a title word, an initial, a known given name): one cheap scan
        instead of three patterns at every capital letter."""
        titled: list[re.Match] = []
        initialed: list[re.Match] = []
        given: list[re.Match] = []
        t_end = i_end = g_end = 0
        for w in _CAPITAL.finditer(text):
            pos, word = w.start(), w.group()
            if pos >= t_end and word in TITLE_WORDS:
                m = TITLED.match(text, pos)
                if m:
                    titled.append(m)
                    t_end = m.end()
            if pos >= i_end and (len(word) == 1 or word in _ABBREVIATED) \
                    and text.startswith(".", w.end()):
                m = INITIALED.match(text, pos)
                if m:
                    initialed.append(m)
                    i_end = m.end()
            if pos >= g_end and word in self.auth.given_names:
                m = GIVEN.match(text, pos)
                if m and m.group("given") in self.auth.given_names:
                    given.append(m)
                    g_end = m.end()
        return titled, initialed, given

    def _forms(self, bi: int, text: str) -> None:
        low = lite_fold(text)
        for end, (form, keys) in self.auth.person_automaton.iter(low):
            start = end - len(form) + 1
            if start > 0 and (low[start - 1].isalnum()):
                continue
            if end + 1 < len(low) and low[end + 1].isalnum():
                continue
            surface = text[start : end + 1]
            toks = surface.split()
            if not all(t[:1].isupper() for t in toks if t[:1].isalpha()):
                continue
            sur, given = _split_name(surface)
            recs = [self.auth.records[k] for k in keys]
            fsurs = {fold(r.surname) for r in recs}
            if len(fsurs) == 1:  # the record knows where the surname starts
                fs = next(iter(fsurs))
                if fold(surface).endswith(" " + fs) and fs != fold(sur):
                    cut = len(surface) - len(fs)
                    sur, given = surface[cut:], surface[:cut].split()
            first = fold(toks[0])
            if recs and any(fold(r.surname) == first or first in r.other_surnames
                            for r in recs) and not any(fold(r.surname) == fold(sur) for r in recs):
                sur, given = toks[0], toks[1:]  # surname-first names: "Chiang Kai-shek"
            self._add(bi, start, end + 1, "form", surname=sur, given=given, form_keys=tuple(keys))

    def _signature(self, bi: int, text: str) -> None:
        m = SIGNATURE.match(text)
        if m and len(text.strip()) < 60:
            self._add_regex(bi, m, "signature")

    def _participant(self, bi: int, text: str) -> None:
        m = PARTICIPANT.match(text)
        if m:
            self._add_regex(bi, m, "participant", context=text[m.end() :])

    def _add_regex(self, bi: int, m: re.Match, evidence: str, title: str = "", context: str = "") -> None:
        end = m.end("sfx") if m.group("sfx") else m.end("name")
        self._add(bi, m.start("name"), end, evidence, title=title, context=context or title,
                  extent_start=m.start())

    def _add(self, bi: int, start: int, end: int, evidence: str, surname: str = "",
             given: list[str] | None = None, title: str = "", context: str = "",
             form_keys: tuple[str, ...] = (), extent_start: int = -1) -> None:
        text = self.doc.blocks[bi].text[start:end]
        if given is None:
            east = EAST_ASIAN.fullmatch(text)
            if east:  # "Chong Il-kwon" in a participant line is surname first too
                surname, given = east.group("sur"), [east.group("given")]
            else:
                surname, given = _split_name(_SUFFIX_END.sub("", text))
        toks = [*given, surname]
        # "Mr. West", "Colonel House": after a title a word of the non-names is a name
        after_title = (evidence == "title" and not given and surname in NON_NAMES
                       and surname not in TITLE_WORDS and surname not in CALENDAR
                       and (title in HONORIFICS or bool(self.auth.surname_candidates(surname))))
        if evidence != "form" and not after_title and not _ok_name(toks, self.auth.given_names):
            # "General Bradley Admiral Lalor": drop trailing non-name words once
            return
        if evidence in ("given", "initials") and surname.isupper():
            return
        if (evidence != "form" and surname.lower() in self.lower_words
                and not self.auth.surname_candidates(surname)):
            return
        if evidence == "given" and not given:
            return
        self.mentions.append(Mention(bi, start, end, surname, list(given), evidence, title=title,
                                     context=context, form_keys=form_keys, text=text,
                                     extent_start=start if extent_start < 0 else extent_start))

    # -- resolution ---------------------------------------------------------------
    def resolve(self, mentions: list[Mention]) -> None:
        """Give each kept mention an entity key (linked or unlinked), full names first.

        A mention the authority does not settle takes the key the corpus knows for its
        name (``Knowledge``): one fitting person of that surname in the whole corpus."""
        doc_people: dict[str, set[str]] = {}  # folded surname -> keys met in this document
        title_ctx = " ".join(b.text for b in self.doc.blocks if b.role == "title")
        full = [m for m in mentions if m.given or m.form_keys]
        bare = [m for m in mentions if not (m.given or m.form_keys)]
        for m in full:
            m.key = self._corpus(self._linked(m, title_ctx), m)
            doc_people.setdefault(fold(m.surname), set()).add(m.key)
        for m in bare:
            known = doc_people.get(fold(m.surname), set())
            if len(known) == 1:
                m.key = next(iter(known))
            elif len(known) > 1:
                m.key = None  # two people of this name in the document: leave it
            else:
                m.key = self._corpus(self._linked(m, title_ctx), m)
                doc_people.setdefault(fold(m.surname), set()).add(m.key)

    def _corpus(self, key: str, m: Mention) -> str:
        if self.knowledge is None or not key.startswith("pers-"):
            return key
        key = self.knowledge.canonical(key)
        if key.startswith("pers-"):
            keys = self.knowledge.keys_for(m.surname, m.given)
            if len(keys) == 1:
                return next(iter(keys))
        return key

    def _linked(self, m: Mention, title_ctx: str) -> str:
        """The authority's answer does not change between the passes: asked once."""
        if m.linked is None:
            m.linked = self._link(m, title_ctx)
        return m.linked

    def _link(self, m: Mention, title_ctx: str) -> str:
        if m.form_keys:
            cands = [self.auth.records[k] for k in m.form_keys]
        else:
            cands = self.auth.surname_candidates(m.surname)
            cands = [r for r in cands if _consistent(m.given, r)]
        full = bool(m.given or m.form_keys)
        cands = [r for r in cands if _alive(r, self.year)]
        if not full and len(cands) > 1:
            # a surname alone ("Colonel House") of several persons: those of the time, where
            # the volumes that list them say so (``_of_the_time``), as for a bare surname
            cands = [r for r in cands if _of_the_time(r, self.year)] or cands
        ctx = _context_words(f"{m.title} {m.context}")
        if len(cands) == 1:
            rec = cands[0]
            if full:
                return rec.key  # a full name (or initials) fitting one record only
            overlap = len(_context_words(rec.hint) & ctx)
            # life dates, not the volumes' years: a file that lacks the person meant would
            # give the one namesake it holds ("General Wu" of 1951 is not K. C. Wu of 1945)
            dated = rec.birth is not None or rec.death is not None
            if overlap >= 1 or (dated and self.year and m.surname not in AMBIGUOUS):
                return rec.key
        elif len(cands) > 1 and ctx:
            ranked = sorted(((_score(r, ctx), r.key) for r in cands), reverse=True)
            (best, key), (second, _) = ranked[0], ranked[1]
            if best >= 2 and best - second >= 1.5:
                return key
        return "pers-" + _unlinked_slug(m)


def _unlinked_slug(m: Mention) -> str:
    """The name as written ("Il-kwon Chong" and "Chong Il-kwon" are not one slug of
    given names and surname reordered)."""
    from .authorities import slug

    east = m.given and m.text.startswith(m.surname + " ")
    return slug(_nice(" ".join([m.surname, *m.given] if east else [*m.given, m.surname])))


def _doc_year(doc: Document) -> int | None:
    d = doc.meta.date
    for v in (d.when, d.not_before, d.not_after) if d else ():
        if v and re.match(r"\d{4}", v):
            return int(v[:4])
    # no document date: the latest year the text mentions bounds it from below well enough
    # to rule out the long dead and the not yet born
    years = [int(y) for b in doc.blocks for y in _YEAR.findall(b.text)]
    return max(years) if years else None


_YEAR = re.compile(r"(?<![\d/.-])(1[89]\d\d|20[0-4]\d)(?![\d/])")
