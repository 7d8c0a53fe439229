"""JSON per document: metadata, the plain text and every mention with character offsets.

Offsets count Unicode code points into ``text`` (identical to the plain-text export
without page markers), so ``text[start:end] == surface`` holds in Python; JavaScript,
which counts UTF-16 units, must convert for characters outside the BMP."""

from __future__ import annotations

import json
from pathlib import Path

from ..pipeline import write_atomic
from .common import Entry, Reading, merged_entries


def _entity(entry: Entry | None) -> dict | None:
    if entry is None:
        return None
    return {"id": entry.id, "name": entry.label, "names": entry.names,
            "idnos": [{"type": t, "value": v} for t, v in entry.idnos]}


def document_json(reading: Reading, index: dict[str, Entry] | None = None) -> dict:
    index = index if index is not None else reading.entries
    entities, dates = [], []
    for m in reading.mentions:
        item = {"type": m.kind, "surface": m.surface, "start": m.start, "end": m.end,
                "page": m.page, "anchor": m.anchor}
        if m.kind == "date":
            item["value"] = m.value
            dates.append(item)
        else:
            item["ref"] = m.ref
            item["entity"] = _entity(index.get(m.target) if m.target else None)
            entities.append(item)
    data = reading.meta.as_dict()
    data["pages"] = [n for n, _ in reading.pages]
    data["text"] = reading.text
    data["entities"] = entities
    data["dates"] = dates
    return data


def dumps(data: dict) -> bytes:
    """``json.dumps(data, ensure_ascii=False, indent=2)`` and a newline, as UTF-8.

    The same bytes, several times faster: with an indent the json module falls back to its
    pure-Python encoder, here only the layout is Python and every string and number is
    encoded by the C functions the json module uses itself."""
    out: list[str] = []
    _encode(data, "\n", out)
    out.append("\n")
    return "".join(out).encode("utf-8")


_STR = json.encoder.encode_basestring  # the C encoder when available, as json.dumps uses
_FLOAT = json.encoder.JSONEncoder(ensure_ascii=False).encode


def _scalar(o) -> str | None:
    """A string, number, boolean or null as json writes it; None for anything else."""
    t = type(o)
    if t is str:
        return _STR(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if t is int:
        return int.__repr__(o)
    if t is float:
        return _FLOAT(o)
    return None


def _key(k) -> str:
    if type(k) is str:
        return _STR(k)
    k = json.dumps({k: 0})[1:-4]  # json's own rules for number, boolean and null keys
    return k


def _encode(o, nl: str, out: list[str]) -> None:
    append = out.append
    t = type(o)
    if t is dict:
        if not o:
            append("{}")
            return
        inner = nl + "  "
        sep = "{" + inner
        for k, v in o.items():
            tv = type(v)
            if tv is str:
                append(f"{sep}{_STR(k) if type(k) is str else _key(k)}: {_STR(v)}")
            else:
                leaf = _scalar(v) if tv is not dict and tv is not list else None
                if leaf is not None:
                    append(f"{sep}{_STR(k) if type(k) is str else _key(k)}: {leaf}")
                else:
                    append(f"{sep}{_STR(k) if type(k) is str else _key(k)}: ")
                    _encode(v, inner, out)
            sep = "," + inner
        append(nl + "}")
    elif t is list or t is tuple:
        if not o:
            append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for v in o:
            leaf = _scalar(v)
            if leaf is not None:
                append(sep + leaf)
            else:
                append(sep)
                _encode(v, inner, out)
            sep = "," + inner
        append(nl + "]")
    else:
        leaf = _scalar(o)
        if leaf is None:
            if isinstance(o, dict | list | tuple):  # subclasses
                _encode(dict(o) if isinstance(o, dict) else list(o), nl, out)
                return
            leaf = json.dumps(o, ensure_ascii=False)  # raises TypeError as json does
        append(leaf)


def export_json(readings: list[Reading], out: Path) -> list[Path]:
    index = merged_entries(readings)
    written = []
    for r in readings:
        target = out / f"{r.stem}.json"
        write_atomic(target, dumps(document_json(r, index)))
        written.append(target)
    return written
