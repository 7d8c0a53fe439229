"""Read a JSON file that must hold an object, with one-line reasons when it does not."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def read_json_object(path: Path, fail: Callable[[str], Exception], label: str) -> dict:
    """The object in ``path``; else ``fail("<label>: <why>")`` is raised (cannot read, not
    UTF-8, not JSON, not an object). ``label`` names the file in the message."""
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise fail(f"{label}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise fail(f"{label}: not UTF-8 text") from None
    except ValueError as err:
        raise fail(f"{label}: not valid JSON ({err})") from None
    if not isinstance(obj, dict):
        raise fail(f"{label}: expected a JSON object at the top")
    return obj
