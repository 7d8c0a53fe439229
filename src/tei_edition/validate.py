"""Validate TEI files against the project's schema: RELAX NG, then Schematron.

The schema files live in ``schema/`` at the top of the repository and are
shipped inside the package as ``tei_edition/schema`` (a symlink in the source
tree, real files in an installed wheel).  Both are compiled once per process.

Validation reads files from disk, never the in-memory document model, so
hand-corrected TEI is checked exactly like converted TEI.  Nothing here
raises on bad input: every failure is a :class:`Problem`.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path

from lxml import etree, isoschematron

from .schema_hints import explain

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


EXT_NS = "urn:tei-edition:schematron"
TEI_NS = "http://www.tei-c.org/ns/1.0"
_XSL = "{http://www.w3.org/1999/XSL/Transform}"


def _line(_context, nodes) -> int:
    """XSLT extension: the source line of the node an assertion failed on."""
    node = nodes[0] if nodes else None
    if isinstance(node, str):  # an attribute value (a "smart string")
        node = getattr(node, "getparent", lambda: None)()
    return getattr(node, "sourceline", None) or 0


def split_union(pattern: str) -> list[str]:
    """The alternatives of an XSLT pattern ``a | b[c | d]`` (bars inside predicates,
    parentheses or quotes do not split)."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(pattern):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return [p.strip() for p in parts]


class _CompiledSchematron:
    """tei-edition.sch compiled to a validating XSLT.

    The ISO skeleton's SVRL records every rule that fired and walks the
    document once more per pattern for nothing; neither is used here, so both
    are removed from the compiled stylesheet.  ``run`` returns the
    failed-assert and successful-report elements (empty when valid).

    Two changes keep the time linear in the size of the document:

    - libxslt matches a wildcard pattern with a predicate (``*[@ref]``) by counting
      the element's siblings, so a rule context ``*[...]`` costs the square of the
      number of siblings (a 4 MB file took 6 s, a 50 MB one did not end).  Such an
      alternative is rewritten as the same predicate on each element name the
      schema defines and any other the files bring (``tei:p[@ref] | tei:div[@ref] |
      ...``), which libxslt finds by name; a file with elements outside the TEI
      namespace keeps the wildcards.
    - The location of a failed assertion is the node's source line, from an
      extension function, not an XPath built by counting preceding siblings.
    """

    def __init__(self, sch: etree._ElementTree) -> None:
        compiled = isoschematron.Schematron(sch, store_xslt=True, compile_params=_SCH_COMPILE)
        xslt = compiled.validator_xslt
        svrl = f"{{{SVRL_NS}}}"
        for fired in list(xslt.iter(f"{svrl}fired-rule")):
            fired.getparent().remove(fired)
        for pattern in xslt.iter(f"{svrl}active-pattern"):
            for walk in pattern.findall(f"{_XSL}apply-templates"):
                pattern.remove(walk)
        for attr in xslt.iter(f"{_XSL}attribute"):
            if attr.get("name") == "location":
                for child in list(attr):
                    attr.remove(child)
                etree.SubElement(attr, f"{_XSL}value-of", select="tei-edition-ext:line(.)")
        # Declare the extension prefix on the stylesheet (re-parsed: lxml cannot add
        # a namespace declaration to an existing element).
        text = etree.tostring(xslt).decode("utf-8")
        text = text.replace(">", f' xmlns:tei-edition-ext="{EXT_NS}">', 1)
        self._base = etree.ElementTree(etree.fromstring(text))
        self._wild = [t for t in self._base.getroot().iter(f"{_XSL}template")
                      if any(alt.startswith("*[") for alt in split_union(t.get("match", "")))]
        self._generic: etree.XSLT | None = None
        self._compiled: etree.XSLT | None = None
        self._names: set[str] = _schema_element_names()
        self._results = etree.XPath(
            "/svrl:schematron-output/svrl:failed-assert | /svrl:schematron-output/svrl:successful-report",
            namespaces={"svrl": SVRL_NS},
        )

    def _transform_for(self, names: set[str | None]) -> etree.XSLT:
        """One stylesheet for every file whose element names are known already: the
        names spelled out grow (from those of the RELAX NG schema) when a file brings
        new ones, so a corpus compiles it once or twice, not once per file."""
        if None in names:  # an element outside the TEI namespace: keep the wildcards
            if self._generic is None:
                self._generic = etree.XSLT(self._base, extensions={(EXT_NS, "line"): _line})
            return self._generic
        if self._compiled is None or not names <= self._names:
            self._names |= names
            self._compiled = self._transform(frozenset(self._names))
        return self._compiled

    def _transform(self, names: frozenset[str]) -> etree.XSLT:
        """The stylesheet with each ``*[...]`` alternative spelled out for ``names``
        (local names of TEI elements)."""
        if not self._wild:
            return etree.XSLT(self._base, extensions={(EXT_NS, "line"): _line})
        tree = copy.deepcopy(self._base)
        wild = [t for t in tree.getroot().iter(f"{_XSL}template")
                if any(alt.startswith("*[") for alt in split_union(t.get("match", "")))]
        for template in wild:
            alternatives = []
            for alt in split_union(template.get("match")):
                if alt.startswith("*["):
                    alternatives += [f"tei:{name}{alt[1:]}" for name in sorted(names)]
                else:
                    alternatives.append(alt)
            template.set("match", " | ".join(alternatives))
        return etree.XSLT(tree, extensions={(EXT_NS, "line"): _line})

    def run(self, tree: etree._ElementTree) -> list[etree._Element]:
        names: set[str | None] = set()
        prefix = f"{{{TEI_NS}}}"
        for tag in {el.tag for el in tree.iter()}:
            if not isinstance(tag, str):
                continue
            local = tag[len(prefix):] if tag.startswith(prefix) else None
            names.add(local if local and "." not in local else None)
        return self._results(self._transform_for(names)(tree))


def _schema_element_names() -> set[str]:
    """The TEI elements the project's RELAX NG defines."""
    rng = etree.parse(str(schema_path(RNG_NAME)), _safe_parser())
    found = rng.xpath("//rng:element/@name", namespaces={"rng": "http://relaxng.org/ns/structure/1.0"})
    return {str(n).split(":")[-1] for n in found if "." not in str(n)}


@functools.cache
def _schematron() -> _CompiledSchematron:
    return _CompiledSchematron(etree.parse(str(schema_path(SCH_NAME)), _safe_parser()))


def _safe_parser(recover: bool = False, huge: bool = False) -> etree.XMLParser:
    # A fresh parser each time: parsers keep their error log between uses.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        # Text nodes over 10 MB (a long document on one line) are legal XML; the limits
        # huge_tree lifts guard against entity expansion, which is off here anyway.
        huge_tree=huge,
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

    parser = _safe_parser(huge=True)
    try:
        root = etree.fromstring(data, parser, base_url=name)
    except etree.XMLSyntaxError as exc:
        errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        if errors and all(e.type_name == "DTD_ID_REDEFINED" for e in errors):
            # libxml2 treats a duplicate xml:id as an error, yet the document is
            # well-formed: parse it anyway and let Schematron name every copy.
            root = etree.fromstring(data, _safe_parser(recover=True, huge=True), base_url=name)
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
    wrong_lines: set[int] = set()
    for entry in log:
        if entry.type_name == "RELAXNG_ERR_EXTRACONTENT" and entry.line in wrong_lines:
            continue  # the same misplaced element, already named
        if entry.type_name == "RELAXNG_ERR_ELEMWRONG":
            wrong_lines.add(entry.line)
        message = explain(entry.message, _node_at(tree, entry.path), schema_path(RNG_NAME))
        key = (entry.line, message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(path, entry.line or None, message, "rng"))
    return problems


def _node_at(tree: etree._ElementTree, xpath: str | None) -> etree._Element | None:
    if not xpath:
        return None
    try:
        found = tree.xpath(xpath)
    except etree.XPathError:
        return None
    return found[0] if isinstance(found, list) and found and isinstance(
        found[0], etree._Element) else None


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


def _line_of(_tree: etree._ElementTree, location: str | None) -> int | None:
    """The source line an SVRL ``location`` holds (see _CompiledSchematron)."""
    return int(location) if location and location.isdigit() and location != "0" else None
