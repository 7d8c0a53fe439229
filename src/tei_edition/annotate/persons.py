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

import re
from dataclasses import dataclass, field

from ..model import Document
from .authorities import SUFFIXES, Authorities, Record, fold, lite_fold
from .corpus import Knowledge

_LOWER = r"a-zà-ÿā-ž"
NAME_WORD = rf"(?:Mc|Mac|O['’]|D['’])?[A-Z][{_LOWER}]+(?:[-'’][A-Za-z][{_LOWER}]+)*"
UPPER_WORD = r"(?:MC|MAC)?[A-Z]{2,}(?:[-'’][A-Z]+)*"
INITIAL = r"[A-Z]\."

# Titles before a name; the title itself stays outside the persName (FRUS style).
TITLES = [
    (r"Secretary of (?:State|Defense|Commerce|Agriculture|Labor|the Treasury|the Interior|"
    r"the Army|the Navy|the Air Force|War|Health, Education,? and Welfare|Transportation)"),
    r"(?:Deputy |Assistant |Under |Acting )*Secretary", r"Vice President", r"President",
    r"Prime Minister", r"Foreign Minister", r"Defense Minister", r"Minister", r"Premier",
    r"Mr\.", r"Mrs\.", r"Miss", r"Ms\.", r"Dr\.", r"Sir", r"Lord", r"Lady", r"Madame", r"Mme\.",
    r"(?:Lieutenant |Major |Brigadier |Lt\. |Maj\. |Brig\. )?General", r"Gen\.",
    r"(?:Rear |Vice |Fleet )?Admiral", r"Adm\.", r"Colonel", r"Col\.", r"Major", r"Captain",
    r"Commander", r"Lieutenant", r"Senator", r"Congressman", r"Governor", r"Ambassador",
    r"Generalissimo", r"Marshal", r"Field Marshal", r"Chairman", r"Chancellor",
    r"Budget Director", r"Director", r"Judge", r"Justice", r"King", r"Queen", r"Emperor",
    r"Prince", r"Chargé", r"Consul General", r"Consul",
]
TITLE_WORDS = {
    "Mr", "Mrs", "Miss", "Ms", "Dr", "Sir", "Lord", "Lady", "Madame", "Mme", "General", "Gen",
    "Admiral", "Adm", "Colonel", "Col", "Major", "Captain", "Commander", "Lieutenant",
    "Senator", "Congressman", "Governor", "Ambassador", "Generalissimo", "Marshal",
    "Chairman", "Chancellor", "Director", "Judge", "Justice", "King", "Queen", "Emperor",
    "Prince", "President", "Secretary", "Minister", "Premier", "Vice", "Prime", "Deputy",
    "Assistant", "Under", "Acting", "Foreign", "Consul", "Chargé", "Field", "Rear", "Budget",
}
# Capitalised words that end a name candidate: offices, institutions, common nouns.
NON_NAMES = {
    "Assembly", "Staff", "Council", "Committee", "Department", "Government", "House", "Office",
    "Plan", "Doctrine", "Act", "Treaty", "Island", "Islands", "Mission", "Party", "River",
    "Street", "University", "Administration", "Agency", "Army", "Navy", "Force", "Forces",
    "Fleet", "Bureau", "Affairs", "Conference", "Resolution", "Program", "Programme", "Report",
    "Line", "Canal", "Bay", "Sea", "Strait", "Peninsula", "War", "Day", "Subject", "Participants",
    "Present", "Communist", "Communists", "Asian", "Chinese", "Korean", "American", "Soviet",
    "Nationalist", "Nationalists", "Embassy", "Consulate", "Legation", "State", "States",
    "Secretariat", "General", "Chiefs", "Command", "Headquarters", "Republic",
    "Union", "Nations", "Kingdom", "Empire", "Cabinet", "Senate", "Congress", "Corps",
    "Division", "Group", "Board", "Commission", "Service", "Section", "Branch", "Institute", "Foundation", "Company", "Corporation", "Bank", "Fund", "Organization",
    "Presidential", "Materials", "Files", "Papers", "Library", "Archives", "Lot", "Box",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "Telegram", "Memorandum", "Letter", "Note", "The",
    "This", "That", "These", "Those", "His", "Her", "Their", "Our", "Its", "And", "But",
    "Public", "Special", "Message", "Address", "Source", "Sincerely", "Dear", "Excellency",
    "First", "Second", "Third", "Christmas", "Easter", "God", "Lord", "Jr", "Sr",
    "Minister", "Ministry", "Premier", "Chief", "Deputy", "Assistant", "Acting", "Under",
    "Far", "Eastern", "East", "West", "Western", "North", "South", "Northern", "Southern",
    "Central", "Economic", "Political", "Military", "National", "Security", "Foreign",
    "Defense", "Intelligence", "Budget", "Trade", "Commerce", "Agriculture", "Treasury",
}
OFFICE_WORDS = re.compile(
    r"\b(?:Secretary|Director|Ambassador|Consul|Minister|Assistant|Chief|Counselor|Adviser|"
    r"Advisor|Officer|Representative|Chairman|Administrator|Commander|Agency|Affairs|Embassy|"
    r"Chargé|President|Deputy|Attaché|Delegation|Delegate|Member|Staff|Head|Governor|"
    r"Senator|General|Admiral|Envoy|Counsel|Office|Bureau|Division|Mission)",
)
ROLE_CONTEXT_STOP = {"the", "of", "for", "and", "to", "in", "on", "a", "an", "by", "at", "from"}
# Surnames that are also common words or very common names: a bare mention of them needs
# a full name in the same document, never an authority guess.
AMBIGUOUS = {
    "Johnson", "George", "Hoover", "Miller", "Smith", "Merchant", "Brown", "Jones", "White",
    "Young", "King", "Green", "Rice", "Bush", "Ford", "Carter", "Wilson", "Taylor", "Lord",
    "Long", "Bishop", "Baker", "Cook", "Fox", "Hunt", "Little", "Price", "Rich", "Wood",
    "Walker", "Hill", "Lee", "Marshall", "Grant", "Stone", "Story", "Bell",
}
FUNCTION_WORDS = {
    "It", "In", "On", "At", "As", "If", "He", "She", "We", "They", "To", "By", "Of", "Or", "So",
    "No", "Is", "Be", "Do", "Go", "Up", "Us", "An", "Any", "All", "For", "With", "From", "When",
    "Where", "While", "After", "Before", "Since", "Although", "Though", "There", "Here", "What",
    "Which", "Who", "Whom", "Why", "How", "Not", "Nor", "Yet", "Also", "Then", "Thus", "Once",
    "Some", "Such", "Each", "Every", "Both", "Either", "Neither", "Many", "Most", "More", "Other",
    "Following", "Re", "Item", "Items", "Memoranda", "Notes", "Summary", "Action", "Situation",
}
NOT_INITIALS = {"U. S.", "U.S.", "U. N.", "U.N.", "U. K.", "U.K."}

_TITLE_RE = "|".join(f"(?:{t})" for t in TITLES)
NAME_WORD = rf"(?!(?:{'|'.join(sorted(TITLE_WORDS))})\b){NAME_WORD}"
# Title + [given names / initials] + surname (at most four tokens).
TITLED = re.compile(
    rf"(?<![\w.])(?=[A-Z])(?P<title>{_TITLE_RE})\s+(?P<name>(?:{INITIAL}\s?){{0,3}}"
    rf"(?:{NAME_WORD}\s+(?:{INITIAL}\s?){{0,2}}){{0,2}}{NAME_WORD})(?P<sfx>,? (?:Jr|Sr)\.)?"
)
INITIALED = re.compile(
    rf"(?<![\w.])(?=[A-Z])(?P<name>(?:{INITIAL}\s?){{1,3}}(?:{NAME_WORD}\s+){{0,1}}{NAME_WORD})"
    rf"(?P<sfx>,? (?:Jr|Sr)\.)?"
)
GIVEN = re.compile(
    rf"(?<![\w.])(?=[A-Z])(?P<name>(?P<given>{NAME_WORD})\s+(?:(?:{INITIAL}\s?){{1,2}}|{NAME_WORD}\s+)?"
    rf"{NAME_WORD})(?P<sfx>,? (?:Jr|Sr)\.)?"
)
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


def _split_name(name: str) -> tuple[str, list[str]]:
    toks = [t for t in re.split(r"\s+", name.strip()) if t]
    toks = [t for t in toks if fold(t).rstrip(",") not in SUFFIXES]
    if not toks:
        return "", []
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
        g = fold(g).rstrip(".")
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


def _context_words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", fold(s)) if w not in ROLE_CONTEXT_STOP}


def _score(rec: Record, ctx: set[str]) -> float:
    note = _context_words(rec.hint)
    return len(note & ctx) + 0.3 * rec.prominence


_NOT_INITIALS_COMPACT = {x.replace(" ", "") for x in NOT_INITIALS}


class PersonFinder:
    def __init__(self, doc: Document, auth: Authorities, knowledge: Knowledge | None = None) -> None:
        self.doc = doc
        self.auth = auth
        self.knowledge = knowledge
        self.year = _doc_year(doc)
        self.mentions: list[Mention] = []
        # words the document also uses in lower case are common words, not names
        self.lower_words = {
            w for b in doc.blocks for w in re.findall(r"(?<![\w.])[a-z][a-z]+", b.text)
        }

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
            for m in TITLED.finditer(text):
                self._add_regex(bi, m, "title", m.group("title"))
            for m in INITIALED.finditer(text):
                if m.group("name")[:5].replace(" ", "") in _NOT_INITIALS_COMPACT:
                    continue
                self._add_regex(bi, m, "initials")
            for m in GIVEN.finditer(text):
                if m.group("given") in self.auth.given_names:
                    self._add_regex(bi, m, "given")
            for m in PAREN.finditer(text):
                before = text[max(0, m.start() - 120) : m.start()]
                if OFFICE_WORDS.search(before):
                    # the office phrase since the previous "(", "by", "from" or "to" is context
                    ctx = re.split(r"\)|\bby\b|\bfrom\b|\bto\b|\bFrom\b", before)[-1]
                    self._add(bi, m.start("name"), m.end("name"), "heading", context=ctx)
        return self.mentions

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
            if recs and any(fold(r.surname) == fold(toks[0]) for r in recs) and not any(
                fold(r.surname) == fold(sur) for r in recs
            ):
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
            surname, given = _split_name(re.sub(r",? (?:Jr|JR|Sr)\.$", "", text))
        toks = [*given, surname]
        if evidence != "form" and not _ok_name(toks, self.auth.given_names):
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
            m.key = self._corpus(self._link(m, title_ctx), m)
            doc_people.setdefault(fold(m.surname), set()).add(m.key)
        for m in bare:
            known = doc_people.get(fold(m.surname), set())
            if len(known) == 1:
                m.key = next(iter(known))
            elif len(known) > 1:
                m.key = None  # two people of this name in the document: leave it
            else:
                m.key = self._corpus(self._link(m, title_ctx), m)
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

    def _link(self, m: Mention, title_ctx: str) -> str:
        if m.form_keys:
            cands = [self.auth.records[k] for k in m.form_keys]
        else:
            cands = self.auth.surname_candidates(m.surname)
            cands = [r for r in cands if _consistent(m.given, r)]
        cands = [r for r in cands if _alive(r, self.year)]
        ctx = _context_words(f"{m.title} {m.context}")
        if len(cands) == 1:
            rec = cands[0]
            if m.given or m.form_keys:
                return rec.key  # a full name (or initials) fitting one record only
            overlap = len(_context_words(rec.hint) & ctx)
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
    from .authorities import slug

    return slug(_nice(" ".join([*m.given, m.surname])))


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
