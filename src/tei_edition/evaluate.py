"""Score converted TEI against gold records (the dev-set format of ../shared/devset).

A gold folder holds NAME.txt (the source) and NAME.gold.json (title, date, pages with the
60 characters before each marker, persons as written). The figures: text fidelity, page
breaks at the same place, document date (all, and where the date stands in the text),
title, person recall and precision (multiset match of persName surface forms), @ref
resolution, and validity against the project's schema.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .jsonfile import read_json_object
from .namespaces import NS, T

PAGE = re.compile(r"\[Page [^\]]*\]", re.IGNORECASE)
FILE_DATE = re.compile(r"\d{3}\.[\dA-Za-z]+/(\d{1,2})[–-](\d{1,2})(\d{2})\b")
INLINE = {T + n for n in ["hi", "choice", "abbr", "expan", "orig", "reg", "sic", "corr", "unclear", "supplied", "add", "del", "g", "c", "emph", "foreign", "persName", "placeName", "orgName", "date", "name", "rs", "roleName", "forename", "surname", "idno", "term", "ref", "time", "measure", "num", "geogName", "settlement", "country", "region", "title", "seg"]}


def words(text: str) -> list[str]:
    return re.findall(r"\w+", PAGE.sub(" ", unicodedata.normalize("NFKC", text)))


def alnum(text: str) -> str:
    return "".join(words(text)).lower()


def reading_text(element: etree._Element) -> str:
    """The text of ``element`` with pb as " [Page n] "; block elements separate words."""
    out: list[str] = []

    def walk(e: etree._Element) -> None:
        if not isinstance(e.tag, str):
            out.append(e.tail or "")
            return
        if e.tag == T + "pb":
            out.append(f" [Page {e.get('n')}] ")
        else:
            gap = "" if e.tag in INLINE else " "
            out.append(gap + (e.text or ""))
            for child in e:
                walk(child)
            out.append(gap)
        out.append(e.tail or "")

    walk(element)
    return "".join(out)


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    unmatched_persons: list[tuple[str, str]] = field(default_factory=list)
    # person figures by volume (the name before "-d<N>": frus1958-60v08)
    volumes: dict[str, Counter] = field(default_factory=dict)

    def volume_rows(self) -> list[tuple[str, str, str, str]]:
        """(volume, documents, person recall, person precision lower bound) per volume."""
        out = []
        for vol, c in sorted(self.volumes.items()):
            out.append((vol, str(c["docs"]),
                        _pct(c["person_hit"], c["person_gold"]) + f" ({c['person_hit']}/{c['person_gold']})",
                        _pct(c["person_hit"], c["person_pred"]) + f" ({c['person_hit']}/{c['person_pred']})"))
        return out

    def rows(self) -> list[tuple[str, str]]:
        c = self.counts

        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:.1f}%" if b else "n/a"

        return [
            ("documents", str(c["docs"])),
            ("well-formed", pct(c["well_formed"], c["docs"])),
            ("valid (project schema)",
             pct(c["valid"], c["docs"]) if c["validated"] else "not checked"),
            ("text fidelity (word sequence)", pct(c["fidelity"], c["docs"])),
            ("page breaks placed",
             f"{pct(c['pages_hit'], c['pages_gold'])} ({c['pages_pred']} predicted, "
             f"{c['pages_gold']} gold)"),
            ("document date (all)", f"{pct(c['dates_hit'], c['dates_gold'])} "
             f"({c['dates_wrong']} wrong)"),
            ("document date (date in the text)", f"{pct(c['datable_hit'], c['datable'])} "
             f"({c['datable']} such documents)"),
            ("title", pct(c["titles_hit"], c["titles_gold"])),
            ("person recall", f"{pct(c['person_hit'], c['person_gold'])} "
             f"({c['person_hit']}/{c['person_gold']})"),
            ("person precision (lower bound)", f"{pct(c['person_hit'], c['person_pred'])} "
             f"({c['person_hit']}/{c['person_pred']})"),
            # the gold lists the heading and body: tags in source notes have no partner there
            ("person precision, source notes aside",
             f"{pct(c['person_hit'], c['person_pred'] - c['person_in_notes'])} "
             f"({c['person_in_notes']} tags in source notes)"),
            ("inline dates with ISO value", f"{pct(c['dates_iso'], c['dates_inline'])} "
             f"({c['dates_inline']} tagged)"),
            ("@ref resolving", f"{pct(c['refs_ok'], c['refs'])} ({c['refs']} refs)"),
        ]


class GoldError(ValueError):
    """A gold record that cannot be read; the message is one line naming the file."""


def read_gold(gold_path: Path) -> tuple[dict, str]:
    """The gold record and its source text, checked for the fields the scores use."""
    source_path = gold_path.with_name(gold_path.name[: -len(".gold.json")] + ".txt")
    gold = read_json_object(gold_path, GoldError, str(gold_path))
    try:
        source = source_path.read_text(encoding="utf-8")
    except OSError as err:
        raise GoldError(f"{source_path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise GoldError(f"{source_path}: not UTF-8 text") from None
    shapes = {"title": str, "pages": list, "persons": list}
    for key, kind in shapes.items():
        if not isinstance(gold.get(key), kind):
            raise GoldError(f"{gold_path}: {key!r} must be a {kind.__name__} "
                            f"(found {type(gold.get(key)).__name__})")
    if gold.get("date") is not None and not isinstance(gold["date"], str):
        raise GoldError(f"{gold_path}: 'date' must be a string or null")
    if not all(isinstance(p, dict) and "n" in p and isinstance(p.get("before"), str)
               for p in gold["pages"]):
        raise GoldError(f"{gold_path}: each of 'pages' must be an object with n and before")
    if not all(isinstance(p, str) for p in gold["persons"]):
        raise GoldError(f"{gold_path}: 'persons' must be a list of names")
    return gold, source


def evaluate(gold_dir: Path, pred_dir: Path, validate: bool = True) -> Report:
    """Raises GoldError for a gold record that cannot be read."""
    report = Report()
    c = report.counts
    if validate:
        from .validate import validate_file

        c["validated"] = 1
    for gold_path in sorted(gold_dir.glob("*.gold.json")):
        gold, source = read_gold(gold_path)
        name = gold_path.name[: -len(".gold.json")]
        pred = pred_dir / f"{name}.xml"
        c["docs"] += 1
        if not pred.exists():
            report.failures.append(f"{name}: no output")
            continue
        try:
            root = etree.parse(str(pred), etree.XMLParser(resolve_entities=False,
                                                          no_network=True, huge_tree=True)).getroot()
        except etree.XMLSyntaxError as err:
            report.failures.append(f"{name}: not well-formed: {err}")
            continue
        c["well_formed"] += 1
        if validate:
            problems = validate_file(str(pred))
            c["valid"] += not problems
            report.failures += [f"{name}: invalid: {p}" for p in problems[:3]]
        text_el = root.find("t:text", NS)
        full = reading_text(text_el)
        if words(full) == words(source):
            c["fidelity"] += 1
        else:
            report.failures.append(f"{name}: text differs")
        pred_pages = [(m.group(1), alnum(full[: m.start()]))
                      for m in re.finditer(r"\[Page ([^\]]*)\]", full)]
        c["pages_gold"] += len(gold["pages"])
        c["pages_pred"] += len(pred_pages)
        for page in gold["pages"]:
            ctx = alnum(page["before"])[-30:]
            if any(n == page["n"] and before.endswith(ctx) for n, before in pred_pages):
                c["pages_hit"] += 1
            else:
                report.failures.append(f"{name}: page {page['n']} missing or misplaced")
        _score_date(report, name, root, gold, source)
        title = root.xpath("string(t:teiHeader/t:fileDesc/t:titleStmt/t:title[1])", namespaces=NS)
        c["titles_gold"] += 1
        if alnum(title) == alnum(gold["title"]):
            c["titles_hit"] += 1
        else:
            report.failures.append(f"{name}: title {title[:60]!r}")
        _score_persons(report, name, text_el, gold)
        for d in text_el.iter(T + "date"):
            c["dates_inline"] += 1
            c["dates_iso"] += bool(d.get("when") or d.get("from") or d.get("notBefore"))
        ids = set(root.xpath("//@xml:id"))
        refs = [r for r in root.xpath("//t:text//@ref", namespaces=NS) if r.startswith("#")]
        c["refs"] += len(refs)
        c["refs_ok"] += sum(1 for r in refs if r[1:] in ids)
    return report


def _score_date(report: Report, name: str, root, gold: dict, source: str) -> None:
    c = report.counts
    if not gold.get("date"):
        return
    when = root.xpath("string(t:teiHeader/t:profileDesc/t:creation/t:date/@when)", namespaces=NS)
    m = FILE_DATE.search(source.split("\n")[0])
    file_date = f"19{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}" if m else None
    datable = bool(gold.get("dateline_in_text")) or file_date == gold["date"][:10]
    c["dates_gold"] += 1
    c["datable"] += datable
    if when[:10] == gold["date"][:10]:
        c["dates_hit"] += 1
        c["datable_hit"] += datable
    else:
        c["dates_wrong"] += bool(when)
        report.failures.append(f"{name}: date {when!r}, gold {gold['date']}")


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def _score_persons(report: Report, name: str, text_el, gold: dict) -> None:
    c = report.counts
    vol = report.volumes.setdefault(re.sub(r"-d\d+$", "", name), Counter())
    pred = [" ".join("".join(e.itertext()).split()) for e in text_el.iter(T + "persName")]
    in_notes = len(text_el.xpath(".//t:note[@type='source']//t:persName", namespaces=NS))
    hit = 0
    unused = list(pred)
    for g in gold["persons"]:
        gw = set(words(g))
        for i, p in enumerate(unused):
            pw = set(words(p))
            if p == g or (gw and pw and (gw <= pw or pw <= gw)):
                hit += 1
                del unused[i]
                break
    for counter in (c, vol):
        counter["person_gold"] += len(gold["persons"])
        counter["person_pred"] += len(pred)
        counter["person_hit"] += hit
    c["person_in_notes"] += in_notes
    vol["docs"] += 1
    report.unmatched_persons += [(name, p) for p in unused]
