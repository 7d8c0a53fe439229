"""BagIt deposit (RFC 8493) of a build folder, made and checked with the bagit library.

The bag is assembled in a temporary folder next to DEST and renamed into place, so a
failed run never leaves half a bag; an existing bag at DEST is replaced, any other
non-empty folder is refused.  With SOURCE_DATE_EPOCH set the Bagging-Date comes from it
and the whole bag is byte-identical on rebuild (manifests are sorted).
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

CHECKSUMS = ["sha256", "sha512"]
PAYLOAD = ["tei", "html", "text", "json", "index", "corpus.xml"]


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


def _skip(path: Path) -> bool:
    return path.name.startswith(".") or path.name == "__pycache__"  # editor, temp files


def _payload(tree: dict[str, Path], rel: str = "data") -> Iterator[tuple[str, Path]]:
    """(path in the bag, source file) in bagit's manifest order: a folder's files sorted
    by name, then its sub-folders, each in turn (os.walk, sorted)."""
    files = sorted((n, p) for n, p in tree.items() if p.is_file())
    dirs = sorted((n, p) for n, p in tree.items() if p.is_dir())
    for name, path in files:
        yield f"{rel}/{name}", path
    for name, path in dirs:
        yield from _payload({c.name: c for c in path.iterdir() if not _skip(c)},
                            f"{rel}/{name}")


def _write_payload(tree: dict[str, Path], work: Path) -> tuple[int, int, int]:
    """Copy every payload file into the bag, hashing it on the way, and stream the
    manifests: each file is read once. Returns (bytes, files, TEI documents)."""
    total = count = docs = 0
    with ExitStack() as stack:
        manifests = {alg: stack.enter_context(open(work / f"manifest-{alg}.txt", "w",
                                                   encoding="utf-8", newline="\n"))
                     for alg in CHECKSUMS}
        for rel, src in _payload(tree):
            target = work / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            hashers = [hashlib.new(alg) for alg in CHECKSUMS]
            with open(src, "rb") as fin, open(target, "wb") as fout:
                while block := fin.read(1 << 20):
                    fout.write(block)
                    total += len(block)
                    for h in hashers:
                        h.update(block)
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


def make_bag(build_dir: Path, dest: Path, info: dict | None = None) -> Path:
    """Bag the TEI files, the exports and the schema of BUILD_DIR into DEST; validate it.

    ``info`` may hold Source-Organization, Contact-Name, Contact-Email,
    External-Description and any other bag-info field; Bagging-Date, Payload-Oxum and
    Bag-Size are filled in.

    The payload is copied, hashed and listed in one pass, a file at a time (memory flat
    in the size of the build).  The checksums are those of the bytes written, so the bag
    is not read back here: reading it right after writing would read the page cache and
    prove nothing; ``verify_bag`` (``tei-edition package --verify``) checks every file."""
    build_dir, dest = Path(build_dir), Path(dest)
    if not (build_dir / "tei").is_dir():
        raise BagProblem(f"{build_dir} has no tei/ folder: not a build folder")
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir())
                                                and not (dest / "bagit.txt").is_file())):
        raise BagProblem(f"{dest} exists and is not a bag: refusing to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        tree = {name: build_dir / name for name in PAYLOAD if (build_dir / name).exists()}
        schema = schema_dir()
        if schema is not None:
            tree["schema"] = schema
        total, count, n_docs = _write_payload(tree, work)
        bag_info = {k: v for k, v in (info or {}).items() if v}
        bag_info.setdefault(
            "External-Description",
            f"TEI P5 edition of {n_docs} documents made by tei-edition {__version__}: "
            "TEI files (tei/), HTML reading edition (html/), plain text (text/), JSON "
            "(json/), CSV entity indexes (index/), teiCorpus (corpus.xml) and the "
            "schema the TEI files follow (schema/).")
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
            old = dest.with_name(f".{dest.name}.old")
            if old.exists():
                shutil.rmtree(old)
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
    return problems
