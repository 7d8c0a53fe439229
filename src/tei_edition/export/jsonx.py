"""JSON per document: metadata, the plain text and every mention with character offsets.

Offsets count Unicode code points into ``text`` (identical to the plain-text export
without page markers), so ``text[start:end] == surface`` holds in Python; JavaScript,
which counts UTF-16 units, must convert for characters outside the BMP."""

from __future__ import annotations

from pathlib import Path

import orjson

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
    """``json.dumps(data, ensure_ascii=False, indent=2)`` and a newline, as UTF-8: the same
    bytes for what a reading gives (string keys, strings, 64-bit integers, booleans, null;
    no floats), written by orjson, many times faster than the json module, which falls
    back to pure Python when asked for an indent."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def export_json(readings: list[Reading], out: Path) -> list[Path]:
    index = merged_entries(readings)
    written = []
    for r in readings:
        target = out / f"{r.stem}.json"
        write_atomic(target, dumps(document_json(r, index)))
        written.append(target)
    return written
