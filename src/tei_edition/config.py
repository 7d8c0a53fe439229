"""Settings from ``tei-edition.toml`` (current folder, or --config) and the command line.

```toml
# tei-edition.toml
persons = ["../shared/authorities/hsg-people.jsonl"]   # person authority files (JSON lines)
places = []                                            # extra gazetteer files (JSON)
orgs = []                                              # extra organisation files (JSON)
disable = []                                           # annotation components to skip
```
Relative paths are read from the folder of the config file. A file named in the config
that does not exist is skipped with a warning; a file named on the command line must exist.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import click

CONFIG_NAME = "tei-edition.toml"


@dataclass
class Settings:
    persons: list[Path] = field(default_factory=list)
    places: list[Path] = field(default_factory=list)
    orgs: list[Path] = field(default_factory=list)
    disable: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)

    def loader(self):
        """A picklable callable that loads the authorities (once per worker process)."""
        return partial(load_authorities, tuple(self.persons), tuple(self.places),
                       tuple(self.orgs))


def load_authorities(persons=(), places=(), orgs=()):
    from .annotate.entities import Authorities

    return Authorities.load(list(persons), list(places), list(orgs))


def settings(config: Path | None, persons=(), places=(), orgs=(), disable=()) -> Settings:
    s = Settings()
    path = config or (Path.cwd() / CONFIG_NAME)
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise click.UsageError(f"{path}: not a valid TOML file ({err})") from None
        for key in ("persons", "places", "orgs"):
            for entry in data.get(key, []):
                file = (path.parent / entry).resolve()
                if file.exists():
                    getattr(s, key).append(file)
                else:
                    s.warnings.append(f"{path.name}: {key} file {entry} not found; skipped")
        names = data.get("disable", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise click.UsageError(f"{path}: disable must be a list of component names")
        s.disable = tuple(names)
    elif config:
        raise click.UsageError(f"config file {config} not found")
    s.disable = tuple(dict.fromkeys((*s.disable, *disable)))
    s.persons += [Path(p) for p in persons]
    s.places += [Path(p) for p in places]
    s.orgs += [Path(p) for p in orgs]
    return s
