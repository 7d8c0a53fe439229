"""Validate TEI files against the project's schema: RELAX NG, then Schematron.

The schema files live in ``schema/`` at the top of the repository and are
shipped inside the package as ``tei_edition/schema`` (a symlink in the source
tree, real files in an installed wheel).  Both are compiled once per process.

Validation reads files from disk, never the in-memory document model, so
hand-corrected TEI is checked exactly like converted TEI.  Nothing here
raises on bad input: every failure is a :class:`Problem`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path

from lxml import etree, isoschematron

__all__ = ["Problem", "schema_path", "validate_bytes", "validate_file", "validate_tree"]

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
RNG_NAME = "tei-edition.rng"
SCH_NAME = "tei-edition.sch"


@dataclass
class Problem:
    """One thing wrong with one file."""

    path: str
    line: int | None
    message: str
    source: str  # 'xml' | 'rng' | 'schematron'

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def schema_path(name: str) -> Path:
    """The file ``name`` of the schema directory (package data, else the repository)."""
    packaged = resources.files("tei_edition") / "schema" / name
    if packaged.is_file():
        return Path(str(packaged))
    # A source checkout whose symlink was lost (e.g. a zip on Windows).
    return Path(__file__).resolve().parents[2] / "schema" / name


@functools.cache
def _relaxng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(schema_path(RNG_NAME)), _safe_parser()))


# The rule contexts of tei-edition.sch match elements only: the skeleton need
# not visit attributes, comments or processing instructions (it would guess
# otherwise, because contexts such as "*[@ref]" contain "@" and "(").
_SCH_COMPILE = {"attributes": "false", "only-child-elements": "true"}


class _CompiledSchematron:
    """tei-edition.sch compiled once to a validating XSLT.

    The ISO skeleton's SVRL records every rule that fired and walks the
    document once more per pattern for nothing; neither is used here, so both
    are removed from the compiled stylesheet.  ``run`` returns the
    failed-assert and successful-report elements (empty when valid).
    """

    def __init__(self, sch: etree._ElementTree) -> None:
        compiled = isoschematron.Schematron(sch, store_xslt=True, compile_params=_SCH_COMPILE)
        xslt = compiled.validator_xslt
        svrl, xsl = f"{{{SVRL_NS}}}", "{http://www.w3.org/1999/XSL/Transform}"
        for fired in list(xslt.iter(f"{svrl}fired-rule")):
            fired.getparent().remove(fired)
        for pattern in xslt.iter(f"{svrl}active-pattern"):
            for walk in pattern.findall(f"{xsl}apply-templates"):
                pattern.remove(walk)
        self._transform = etree.XSLT(xslt)
        self._results = etree.XPath(
            "/svrl:schematron-output/svrl:failed-assert | /svrl:schematron-output/svrl:successful-report",
            namespaces={"svrl": SVRL_NS},
        )

    def run(self, tree: etree._ElementTree) -> list[etree._Element]:
        return self._results(self._transform(tree))


@functools.cache
def _schematron() -> _CompiledSchematron:
    return _CompiledSchematron(etree.parse(str(schema_path(SCH_NAME)), _safe_parser()))


def _safe_parser(recover: bool = False) -> etree.XMLParser:
    # A fresh parser each time: parsers keep their error log between uses.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=recover,
    )


def validate_file(path: str | PathLike[str]) -> list[Problem]:
    """Check one TEI file: well-formedness, RELAX NG, Schematron."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return [Problem(name, None, f"cannot read file: {exc.strerror or exc}", "xml")]
    return validate_bytes(data, name)


def validate_bytes(data: bytes, name: str = "<memory>") -> list[Problem]:
    """Check the bytes of a TEI file (``validate_file`` once the file is read); a build
    checks each file's bytes in the worker that made them, before they are written."""
    if not data.strip():
        return [Problem(name, None, "empty file, not an XML document", "xml")]
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [Problem(name, None, "binary file, not an XML document", "xml")]

    parser = _safe_parser()
    try:
        root = etree.fromstring(data, parser, base_url=name)
    except etree.XMLSyntaxError as exc:
        errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        if errors and all(e.type_name == "DTD_ID_REDEFINED" for e in errors):
            # libxml2 treats a duplicate xml:id as an error, yet the document is
            # well-formed: parse it anyway and let Schematron name every copy.
            root = etree.fromstring(data, _safe_parser(recover=True), base_url=name)
        else:
            first = errors[0] if errors else None
            line = first.line if first is not None and first.line else exc.lineno
            message = first.message if first is not None else str(exc)
            return [Problem(name, line or None, f"not well-formed XML: {message}", "xml")]
    except (ValueError, etree.LxmlError) as exc:
        return [Problem(name, None, f"not an XML document: {exc}", "xml")]
    if root is None:
        return [Problem(name, None, "not an XML document", "xml")]
    return validate_tree(root.getroottree(), name)


def validate_tree(
    tree: etree._ElementTree | etree._Element, path: str = "<memory>"
) -> list[Problem]:
    """Check a parsed or built TEI tree against RELAX NG and Schematron."""
    if isinstance(tree, etree._Element):
        tree = tree.getroottree()
    return _check_rng(tree, path) + _check_schematron(tree, path)


def _check_rng(tree: etree._ElementTree, path: str) -> list[Problem]:
    try:
        rng = _relaxng()
        if rng.validate(tree):
            return []
        log = rng.error_log
    except etree.LxmlError as exc:
        return [Problem(path, None, f"RELAX NG validation failed: {exc}", "rng")]
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for entry in log:
        key = (entry.line, entry.message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(path, entry.line or None, entry.message, "rng"))
    return problems


def _check_schematron(tree: etree._ElementTree, path: str) -> list[Problem]:
    try:
        results = _schematron().run(tree)
    except etree.LxmlError as exc:
        return [Problem(path, None, f"Schematron validation failed: {exc}", "schematron")]
    if not results:
        return []
    problems = []
    for item in results:
        text = item.findtext(f"{{{SVRL_NS}}}text") or item.get("test", "")
        problems.append(
            Problem(
                path, _line_of(tree, item.get("location")), " ".join(text.split()), "schematron"
            )
        )
    return problems


def _line_of(tree: etree._ElementTree, location: str | None) -> int | None:
    """The source line of the node an SVRL ``location`` XPath names."""
    if not location:
        return None
    try:
        found = tree.xpath(location)
    except etree.XPathError:
        return None
    if not isinstance(found, list) or not found:
        return None
    node = found[0]
    if isinstance(node, str):  # an attribute: smart string
        node = getattr(node, "getparent", lambda: None)()
    return getattr(node, "sourceline", None)
