"""BagIt deposit (RFC 8493) of a build folder, made and checked with the bagit library.

The payload (``data/``) holds the TEI files, every export, the schema the TEI follows,
the plain-text sources (``source/``, when given or when the build has them) and
``manifest.csv``: one row per document mapping its source to its TEI file and exports, so
a reader of the deposit can trace every file back to what it was made from.  Checksums
are SHA-512 (``manifest-sha512.txt``, ``tagmanifest-sha512.txt``).

The payload is copied, hashed and listed in one pass, a file at a time (memory flat in
the size of the build); the manifests are written in bagit's order, so the bag is the
one ``bagit.make_bag`` would make.  The bag is assembled in a temporary folder next to
DEST (``.DEST.tei-edition-PID-….tmp``, removed by the next run if this one is killed) and
renamed into place, so a failed run never leaves half a bag; an existing bag at DEST is
replaced, any other non-empty folder is refused.  With SOURCE_DATE_EPOCH set the
Bagging-Date comes from it and the whole bag is byte-identical on rebuild (manifests are
sorted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.resources
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import bagit

from .. import __version__
from ..outputs import MANIFEST as OUTPUT_MANIFEST
from ..outputs import TMP_MARK, clean_leftovers, temp_name

CHECKSUMS = ["sha512"]
PAYLOAD = ["tei", "html", "text", "json", "index", "corpus.xml", "cmif.xml", "source"]
SOURCE_MANIFEST = "manifest.csv"  # source -> TEI and exports, in the payload
MANIFEST_COLUMNS = ["source", "source_sha512", "tei", "tei_sha512", "html", "text", "json"]


class BagProblem(Exception):
    """The bag could not be made, or does not validate; ``problems`` names each file."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def schema_dir() -> Path | None:
    """The schema folder shipped in the package, else the repository's schema/."""
    try:
        res = importlib.resources.files("tei_edition") / "schema"
        if res.is_dir():
            return Path(str(res))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover
        pass
    repo = Path(__file__).resolve().parents[3] / "schema"
    return repo if repo.is_dir() else None


def bagging_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%d")
    return dt.date.today().isoformat()


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"  # pragma: no cover


def _not_payload(path: Path) -> bool:
    """Our temporary files and manifest, editor back-ups: not payload.  Other names that
    start with a dot are (a source named .notes.txt has tei/.notes.xml)."""
    name = path.name
    return (name == OUTPUT_MANIFEST or TMP_MARK in name or name.endswith(("~", ".swp"))
            or name == ".DS_Store" or "__pycache__" in path.parts)


Tree = dict  # name -> Path (a file or folder of the build) or Tree (a folder made here)


def _entries(node: Path | Tree) -> Tree:
    if isinstance(node, dict):
        return node
    return {c.name: c for c in node.iterdir() if not _not_payload(c)}


def _is_dir(node: Path | Tree) -> bool:
    return isinstance(node, dict) or node.is_dir()


def _payload(tree: Tree, rel: str = "data") -> Iterator[tuple[str, Path]]:
    """(path in the bag, source file) in bagit's manifest order: a folder's files sorted
    by name, then its sub-folders, each in turn (os.walk, sorted)."""
    files = sorted((n, p) for n, p in tree.items() if not _is_dir(p) and p.is_file())
    dirs = sorted(((n, p) for n, p in tree.items() if _is_dir(p)), key=lambda np: np[0])
    for name, path in files:
        yield f"{rel}/{name}", path
    for name, node in dirs:
        yield from _payload(_entries(node), f"{rel}/{name}")


def _copy_hashed(src: Path, target: Path, algs: list[str]) -> tuple[int, list]:
    """Copy ``src`` to ``target``, hashing the bytes on the way: (size, hashers)."""
    hashers = [hashlib.new(alg) for alg in algs]
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(target, "wb") as fout:
        while block := fin.read(1 << 20):
            fout.write(block)
            size += len(block)
            for h in hashers:
                h.update(block)
    return size, hashers


def _write_payload(tree: Tree, work: Path) -> tuple[int, int, int]:
    """Copy every payload file into the bag, hashing it on the way, and stream the
    manifests: each file is read once. Returns (bytes, files, TEI documents)."""
    total = count = docs = 0
    with ExitStack() as stack:
        manifests = {alg: stack.enter_context(open(work / f"manifest-{alg}.txt", "w",
                                                   encoding="utf-8", newline="\n"))
                     for alg in CHECKSUMS}
        for rel, src in _payload(tree):
            size, hashers = _copy_hashed(src, work / rel, CHECKSUMS)
            total += size
            count += 1
            docs += rel.startswith("data/tei/") and rel.endswith(".xml") and rel.count("/") == 2
            name = rel.replace("\r", "%0D").replace("\n", "%0A")
            for alg, h in zip(CHECKSUMS, hashers, strict=True):
                manifests[alg].write(f"{h.hexdigest()}  {name}\n")
    return total, count, docs


def _write_bag_info(path: Path, info: dict) -> None:
    """bag-info.txt as bagit writes it: fields sorted, line breaks removed."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for key in sorted(info):
            values = info[key] if isinstance(info[key], list) else [info[key]]
            for value in values:
                fh.write("%s: %s\n" % (key, re.sub(r"\n|\r|(\r\n)", "", str(value))))


def _write_tagmanifests(bag_dir: Path) -> None:
    """RFC 8493 (BagIt 1.0) bagit.txt, and tag manifests in a stable order."""
    (bag_dir / "bagit.txt").write_text(
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
    tags = sorted(p.name for p in bag_dir.iterdir()
                  if p.is_file() and not p.name.startswith("tagmanifest-"))
    for alg in CHECKSUMS:
        lines = []
        for name in tags:
            digest = hashlib.new(alg, (bag_dir / name).read_bytes()).hexdigest()
            lines.append(f"{digest}  {name}\n")
        (bag_dir / f"tagmanifest-{alg}.txt").write_text("".join(lines), encoding="utf-8")


def _source_name(tei: Path) -> str | None:
    """The source file name the TEI header records (idno type="filename")."""
    from lxml import etree

    try:
        for _ev, el in etree.iterparse(str(tei), tag="{http://www.tei-c.org/ns/1.0}idno"):
            if el.get("type") == "filename" and (el.text or "").strip():
                return el.text.strip()
    except etree.XMLSyntaxError:
        return None
    return None


def _sha512(path: Path) -> str:
    h = hashlib.sha512()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def write_manifest(tree: Tree, target: Path) -> int:
    """manifest.csv (data/manifest.csv in the bag): each TEI file of the payload ``tree``
    with its source and exports (paths in data/)."""
    import csv

    from .html import page_name

    tei_dir = tree.get("tei")
    sources = _entries(tree["source"]) if "source" in tree else {}
    exports = {sub: _entries(tree[sub]) if sub in tree else {} for sub in ("html", "text", "json")}
    teis = sorted((n, p) for n, p in _entries(tei_dir).items()
                  if n.endswith(".xml") and not _is_dir(p) and p.is_file()) if tei_dir else []
    n = 0
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for name, tei in teis:
            stem = name[:-len(".xml")]
            src_name = _source_name(tei) or f"{stem}.txt"
            src = sources.get(src_name)
            if src is None or _is_dir(src) or not src.is_file():
                src_name = f"{stem}.txt"
                src = sources.get(src_name)
            found = src is not None and not _is_dir(src) and src.is_file()
            row = {"source": f"source/{src_name}" if found else "",
                   "source_sha512": _sha512(src) if found else "",
                   "tei": f"tei/{name}", "tei_sha512": _sha512(tei)}
            for col, sub, fname in (("html", "html", page_name(stem)),
                                    ("text", "text", f"{stem}.txt"),
                                    ("json", "json", f"{stem}.json")):
                node = exports[sub].get(fname)
                row[col] = f"{sub}/{fname}" if node is not None and not _is_dir(node) \
                    and node.is_file() else ""
            writer.writerow(row)
            n += 1
    return n


def make_bag(build_dir: Path, dest: Path, info: dict | None = None,
             sources: list[Path] | None = None) -> Path:
    """Bag the TEI files, the exports, the schema and the sources of BUILD_DIR into DEST
    (``sources``: the plain-text files the TEI was made from, else BUILD_DIR/source/).

    ``info`` may hold Source-Organization, Contact-Name, Contact-Email,
    External-Description and any other bag-info field; Bagging-Date, Payload-Oxum and
    Bag-Size are filled in.

    The checksums are those of the bytes written, so the bag is not read back here
    (reading it right after writing would read the page cache and prove nothing);
    ``verify_bag`` (``tei-edition package``, ``package --verify``) checks every file."""
    build_dir, dest = Path(build_dir), Path(dest)
    if not (build_dir / "tei").is_dir():
        raise BagProblem(f"{build_dir} has no tei/ folder: not a build folder")
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir())
                                                and not (dest / "bagit.txt").is_file())):
        raise BagProblem(f"{dest} exists and is not a bag: refusing to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(dest.parent)  # the temp folder of a bag run that was killed
    prefix, suffix = temp_name(dest.name)
    work = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=dest.parent))
    try:
        tree: Tree = {name: build_dir / name for name in PAYLOAD
                      if (build_dir / name).exists() and not _not_payload(build_dir / name)}
        schema = schema_dir()
        if schema is not None:
            tree["schema"] = schema
        given = {Path(s).name: Path(s) for s in sources or [] if Path(s).is_file()}
        if given:  # the sources named, beside any the build folder holds
            have = tree.get("source")
            tree["source"] = {**(_entries(have) if have is not None and _is_dir(have) else {}),
                              **given}
        staged = work / f".{SOURCE_MANIFEST}.staged"
        write_manifest(tree, staged)
        tree[SOURCE_MANIFEST] = staged
        total, count, n_docs = _write_payload(tree, work)
        staged.unlink()
        bag_info = {k: v for k, v in (info or {}).items() if v}
        bag_info.setdefault(
            "External-Description",
            f"TEI P5 edition of {n_docs} documents made by tei-edition {__version__}: "
            "TEI files (tei/), their plain-text sources (source/), HTML reading edition "
            "(html/), plain text (text/), JSON (json/), CSV entity indexes (index/), "
            "teiCorpus (corpus.xml), correspondence metadata (cmif.xml), the schema the TEI "
            "files follow (schema/) and manifest.csv mapping each source to its TEI file.")
        bag_info["Bagging-Date"] = bagging_date()
        bag_info["Bag-Size"] = _human(total)
        bag_info.setdefault("Bag-Software-Agent",
                            f"tei-edition {__version__} with bagit.py {bagit.VERSION}")
        bag_info["Payload-Oxum"] = f"{total}.{count}"
        _write_bag_info(work / "bag-info.txt", bag_info)
        _write_tagmanifests(work)
        os.chmod(work, 0o755)  # mkdtemp makes 0700 folders; bagit copies that to data/
        os.chmod(work / "data", 0o755)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=dest.parent))
            os.rmdir(old)
            os.replace(dest, old)
            os.replace(work, dest)
            shutil.rmtree(old)
        else:
            os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


def verify_bag(dest: Path) -> None:
    """Validate a bag (every checksum, Payload-Oxum, completeness).

    Raises BagProblem naming each changed, missing or unexpected file."""
    try:
        bag = bagit.Bag(str(dest))
    except bagit.BagError as e:
        raise BagProblem(f"{dest} is not a bag: {e}", [str(e)]) from None
    try:
        bag.validate(processes=1)
    except bagit.BagError as e:
        # bagit stops at the first failed check (a Payload-Oxum mismatch names no file):
        # compare every manifest entry with the disk to name them all.
        problems = _file_problems(bag, Path(dest)) or [str(e)]
        raise BagProblem(f"{dest} is not a valid bag", problems) from None


def _file_problems(bag: bagit.Bag, root: Path) -> list[str]:
    problems: list[str] = []
    if bag.has_oxum():
        oxum = bag.info.get("Payload-Oxum", "")
        files = [p for p in (root / "data").rglob("*") if p.is_file()]
        actual = f"{sum(p.stat().st_size for p in files)}.{len(files)}"
        if oxum != actual:
            problems.append(f"Payload-Oxum is {oxum} in bag-info.txt, the payload is {actual} "
                            "(bytes.files)")
    for rel, digests in sorted(bag.entries.items()):
        path = root / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
            continue
        data = path.read_bytes()
        for alg, expected in sorted(digests.items()):
            if hashlib.new(alg, data).hexdigest() != expected:
                problems.append(f"changed: {rel} ({alg} differs)")
                break
    listed = set(bag.entries)
    for rel in sorted(bag.payload_files()):
        if rel not in listed:
            problems.append(f"unexpected: {rel}")
    try:
        tag_entries = bag.tagfile_entries()
    except bagit.BagError:
        tag_entries = {}
    for rel, digests in sorted(tag_entries.items()):
        path = root / rel
        if not path.is_file():
            problems.append(f"missing tag file: {rel}")
            continue
        for alg, expected in sorted(digests.items()):
            if hashlib.new(alg, path.read_bytes()).hexdigest() != expected:
                problems.append(f"changed tag file: {rel} ({alg} differs)")
                break
    problems += _manifest_problems(root)
    return problems


def _manifest_problems(root: Path) -> list[str]:
    """Rows of data/manifest.csv whose files are absent or whose checksums differ."""
    import csv

    path = root / "data" / SOURCE_MANIFEST
    if not path.is_file():
        return []
    problems = []
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), 2):
            for col in ("source", "tei"):
                rel = row.get(col) or ""
                if not rel:
                    continue
                target = root / "data" / rel
                if not target.is_file():
                    problems.append(f"{SOURCE_MANIFEST} line {i}: {col} data/{rel} is missing")
                elif row.get(f"{col}_sha512") and hashlib.sha512(
                        target.read_bytes()).hexdigest() != row[f"{col}_sha512"]:
                    problems.append(f"{SOURCE_MANIFEST} line {i}: data/{rel} differs from the file "
                                    "that was bagged")
    return problems
