"""Person tagging against the dev set gold, and tagging time per document.

usage: python bench/entity_check.py [DEVSET_DIR] [--crude] [-v]

Reads each NAME.txt (with the project's reader when it works, else a crude line->block
split; --crude forces the latter), runs annotate_entities with the hsg people file,
and compares the persName surface strings with NAME.gold.json "persons" the way
../shared/devset/score.py does (multiset; a gold mention is found when a persName covers
the same words or a subset/superset of them). Lists every unmatched tag for review.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from tei_edition.annotate.authorities import hsg_people_path
from tei_edition.annotate.entities import Authorities, annotate_entities
from tei_edition.model import Block, DateValue, Document

ROOT = Path(__file__).resolve().parents[1]

PAGE = re.compile(r"\[Page [^\]]*\]")


def words(s: str) -> list[str]:
    return re.findall(r"\w+", PAGE.sub(" ", unicodedata.normalize("NFKC", s)))


def crude_read(path: Path) -> Document:
    lines = path.read_text(encoding="utf-8").splitlines()
    doc = Document(stem=path.stem, source_name=path.name, layout="crude")
    role_next = "source-note"
    in_participants = False
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        s = line.strip()
        if role_next == "source-note":
            role = "source-note"
            role_next = "title"
        elif role_next == "title" and not PAGE.fullmatch(s):
            role, role_next = "title", ""
        elif re.match(r"^\[?Washington|^[A-Z][a-z]+, [A-Z][a-z]+ \d", s) and len(s) < 60:
            role = "dateline"
        elif s.startswith("Participants") or s in ("Present", "PARTICIPANTS"):
            role, in_participants = "participants", True
        elif in_participants and len(s) < 90 and not s.endswith("."):
            role = "participant"
        elif s in ("Sincerely,", "Sincerely yours,"):
            role = "closing"
        elif len(s) < 40 and re.fullmatch(r"[A-Za-z. ,]+", s) and i >= len(lines) - 3:
            role = "signature"
        else:
            role, in_participants = "paragraph", False
        doc.blocks.append(Block(role=role, text=line, line=i))
    year = re.search(r"\b(19\d\d)\b", "\n".join(lines[:12]))
    if year:
        doc.meta.date = DateValue(when=year.group(1))
    return doc


def read(path: Path, crude: bool) -> Document:
    if not crude:
        try:
            from tei_edition.read import read_path

            return read_path(path)
        except Exception as e:  # noqa: BLE001 - the reader is being written at the same time
            print(f"reader failed on {path.name}: {e!r}; crude split", file=sys.stderr)
    return crude_read(path)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    crude = "--crude" in sys.argv
    verbose = "-v" in sys.argv
    devset = Path(args[0]) if args else ROOT.parent / "shared" / "devset"
    hsg = hsg_people_path()
    t0 = time.perf_counter()
    auth = Authorities.load(person_files=[hsg] if hsg.is_file() else [])
    print(f"authorities loaded in {time.perf_counter() - t0:.2f} s (hsg: {hsg.is_file()})")
    hit = n_gold = n_pred = 0
    times: list[float] = []
    unmatched: list[tuple[str, str, str]] = []
    for gold_path in sorted(devset.glob("*.gold.json")):
        name = gold_path.name[: -len(".gold.json")]
        gold = json.loads(gold_path.read_text())
        doc = read(devset / f"{name}.txt", crude)
        t = time.perf_counter()
        annotate_entities(doc, auth)
        times.append(time.perf_counter() - t)
        preds = []
        for b in doc.blocks:
            for s in b.spans:
                if s.kind == "persName":
                    preds.append((" ".join(b.text[s.start : s.end].split()), s.entity or ""))
        n_gold += len(gold["persons"])
        n_pred += len(preds)
        unused = list(preds)
        missed = []
        for g in gold["persons"]:
            gw = set(words(g))
            for i, (p, _k) in enumerate(unused):
                pw = set(words(p))
                if p == g or (gw and pw and (gw <= pw or pw <= gw)):
                    hit += 1
                    del unused[i]
                    break
            else:
                missed.append(g)
        for p, k in unused:
            unmatched.append((name, p, k))
        if verbose or missed:
            print(f"{name}: gold {gold['persons']} missed {missed}")
        if verbose:
            print("   tags:", preds)
            others = sorted({(s.kind, b.text[s.start:s.end], s.entity) for b in doc.blocks
                             for s in b.spans if s.kind in ("placeName", "orgName")})
            print("   places/orgs:", others)
    print(f"person recall    {hit}/{n_gold} = {hit / max(n_gold, 1):.1%}")
    print(f"person precision {hit}/{n_pred} = {hit / max(n_pred, 1):.1%} (against FRUS gold)")
    print(f"unmatched tags: {len(unmatched)}")
    for name, p, k in unmatched:
        print(f"   {name}: {p!r} -> {k}")
    # timing: repeat to get a stable mean over fresh copies
    docs = [read(p, crude) for p in sorted(devset.glob("*.txt"))]
    rounds = 20
    t = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            for b in d.blocks:
                b.spans = [s for s in b.spans if s.kind not in ("persName", "placeName", "orgName")]
            d.entities.clear()
            annotate_entities(d, auth)
    per_doc = (time.perf_counter() - t) / (rounds * len(docs))
    print(f"tagging time: {per_doc * 1000:.2f} ms/document (mean over {rounds}x{len(docs)}; "
          f"first pass median {statistics.median(times) * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
