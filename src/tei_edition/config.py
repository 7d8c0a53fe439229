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
KEYS = ("persons", "places", "orgs")


class SettingsError(click.ClickException):
    """Bad settings (config file, authority files): one line on stderr, exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


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
    """Raises AuthorityError (annotate.authorities) naming the file that cannot be loaded."""
    from .annotate.entities import Authorities

    return Authorities.load(list(persons), list(places), list(orgs))


def settings(config: Path | None, persons=(), places=(), orgs=(), disable=()) -> Settings:
    s = Settings()
    path = config or (Path.cwd() / CONFIG_NAME)
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise SettingsError(f"{path}: not a valid TOML file ({reason})") from None
        except OSError as err:
            raise SettingsError(f"{path}: cannot read: {err.strerror or err}") from None
        for key in KEYS:
            entries = data.get(key, [])
            if isinstance(entries, str):
                entries = [entries]
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                raise SettingsError(f"{path}: {key} must be a list of file names, like "
                                    f'{key} = ["file.json"] (found {entries!r})')
            for entry in entries:
                file = (path.parent / entry).resolve()
                if file.exists():
                    getattr(s, key).append(file)
                else:
                    s.warnings.append(f"{path.name}: {key} file {entry} not found; skipped")
        names = data.get("disable", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise SettingsError(f"{path}: disable must be a list of component names")
        s.disable = tuple(names)
    elif config:
        raise SettingsError(f"config file {config} not found")
    s.disable = tuple(dict.fromkeys((*s.disable, *disable)))
    s.persons += [Path(p) for p in persons]
    s.places += [Path(p) for p in places]
    s.orgs += [Path(p) for p in orgs]
    return s
