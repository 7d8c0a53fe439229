"""Say what is expected: libxml2's RELAX NG messages, completed from the schema itself.

libxml2 reports *that* something is wrong ("Did not expect element rs there", "Invalid
attribute type for element div") but not what the schema would accept.  The RELAX NG
file knows: for every element name it lists the child elements and the attributes (with
their closed value lists) that its definitions allow.  The hint is read from the schema,
so it stays true when the schema changes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

RNG = "{http://relaxng.org/ns/structure/1.0}"
_ELEMWRONG = re.compile(r"Did not expect element (\S+) there")
_EXTRA = re.compile(r"Element (\S+) has extra content: (\S+)")
_BADATTR = re.compile(r"Invalid attribute (\S+) for element (\S+)")
_MISSING = re.compile(r"Element (\S+) failed to validate attributes")


@dataclass
class Model:
    """What the schema allows an element name (union over all its definitions)."""

    children: set[str] = field(default_factory=set)
    text: bool = False
    attributes: dict[str, set[str] | None] = field(default_factory=dict)  # None: any value
    required: set[str] = field(default_factory=set)


@functools.cache
def models(rng_path: str) -> dict[str, Model]:
    tree = etree.parse(rng_path)
    defines: dict[str, list[etree._Element]] = {}
    for d in tree.iter(RNG + "define"):
        defines.setdefault(d.get("name"), []).append(d)
    out: dict[str, Model] = {}

    def walk(node: etree._Element, model: Model, seen: frozenset[str], optional: bool) -> None:
        for child in node:
            tag = child.tag
            if tag == RNG + "element":
                model.children.add(child.get("name"))
            elif tag == RNG + "attribute":
                name = child.get("name")
                values = {v.text or "" for v in child.iter(RNG + "value")}
                free = child.find(f".//{RNG}data") is not None or child.find(RNG + "text") \
                    is not None or not values
                old = model.attributes.get(name, set())
                model.attributes[name] = None if free or old is None else old | values
                if not optional:
                    model.required.add(name)
            elif tag == RNG + "text":
                model.text = True
            elif tag == RNG + "ref":
                name = child.get("name")
                if name in seen:
                    continue
                for d in defines.get(name, []):
                    walk(d, model, seen | {name}, optional)
            elif tag in (RNG + "optional", RNG + "zeroOrMore", RNG + "choice"):
                walk(child, model, seen, True)
            elif isinstance(tag, str):
                walk(child, model, seen, optional)

    for el in tree.iter(RNG + "element"):
        walk(el, out.setdefault(el.get("name"), Model()), frozenset(), False)
    return out


def _names(items) -> str:
    items = sorted(items, key=str.casefold)
    if len(items) > 40:
        return ", ".join(items[:40]) + f" and {len(items) - 40} more"
    return ", ".join(items)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def explain(message: str, node: etree._Element | None, rng_path: Path) -> str:
    """``message`` with what the schema expects at ``node`` (the element the error names)."""
    m = models(str(rng_path))
    found = _ELEMWRONG.match(message)
    if found and node is not None:
        name = found.group(1)
        parent = node.getparent()
        if parent is None or _local(parent.tag) not in m:
            return message
        pname = _local(parent.tag)
        allowed = m[pname].children
        if name not in allowed:
            what = _names(allowed) if allowed else "no elements" + (" (text only)"
                                                                     if m[pname].text else "")
            return f"{pname} may not contain {name}: it may contain {what}"
        return (f"{name} is allowed in {pname}, but not at this place: the profile fixes the "
                f"order of {pname}'s children (see schema/tei-edition.odd.xml)")
    found = _EXTRA.match(message)
    if found:
        pname, name = found.groups()
        if pname in m and name in m[pname].children:
            return (f"{pname}: {name} is allowed, but not after what precedes it "
                    "(the order of children is fixed)")
        return message
    found = _BADATTR.match(message)
    if found:
        att, name = found.groups()
        model = m.get(name)
        if model is None:
            return message
        if att not in model.attributes:
            allowed = _names("@" + a for a in model.attributes) or "no attributes"
            return f"{name} may not have @{att}: it allows {allowed}"
        value = node.get(_clark(att)) if node is not None else None
        values = model.attributes[att]
        got = f', got "{value}"' if value is not None else ""
        if values:
            return f"{name}/@{att} must be one of: {_names(values)}{got}"
        if att in ("when", "notBefore", "notAfter", "from", "to"):
            return (f"{name}/@{att} must be ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, "
                    f"YYYY-MM-DDThh:mm:ss or hh:mm:ss) and a real date{got}")
        return f"{name}/@{att} has a value of the wrong form{got}"
    found = _MISSING.match(message)
    if found and node is not None:
        name = found.group(1)
        model = m.get(name)
        if model is not None:
            missing = [a for a in sorted(model.required) if node.get(_clark(a)) is None]
            if missing:
                return f"{name} needs " + ", ".join("@" + a for a in missing)
    return message


def _clark(att: str) -> str:
    if att.startswith("xml:"):
        return "{http://www.w3.org/XML/1998/namespace}" + att[4:]
    return att
