"""The ``tei-edition`` command line: build, convert, validate, evaluate (and export, package)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__
from .annotate.components import PIPELINE, check_names
from .config import settings
from .engine import ENGINES, EngineUnavailable, make_engine
from .export.bag import BagProblem, make_bag
from .export.commands import bag_info, export, export_all, package, remove_stale
from .pipeline import Result, convert_many, write_atomic

AUTH_OPTIONS = [
    click.option("--persons", "persons", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Person authority file (JSON lines, hsg-people format). Repeatable."),
    click.option("--places", "places", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Extra gazetteer file (JSON). Repeatable."),
    click.option("--orgs", "orgs", multiple=True, type=click.Path(exists=True, dir_okay=False),
                 help="Extra organisation file (JSON). Repeatable."),
    click.option("--config", type=click.Path(dir_okay=False, path_type=Path),
                 help="Settings file (default: ./tei-edition.toml if present)."),
    click.option("--disable", "disable", multiple=True, metavar="COMPONENT",
                 help="Skip an annotation component (pages, file-numbers, dates, persons, "
                      "places, orgs, resolve). Repeatable."),
]


def auth_options(f):
    for option in reversed(AUTH_OPTIONS):
        f = option(f)
    return f


def err(message: str) -> None:
    click.echo(message, err=True)


def sources(paths: tuple[str, ...]) -> list[str]:
    """Files named, and the *.txt files of folders named, in a stable order."""
    found: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found += sorted(str(f) for f in path.glob("*.txt"))
        else:
            found.append(str(path))
    return found


def _progress(items, length: int, label: str, quiet: bool):
    if quiet or not sys.stderr.isatty() or length < 2:
        return items, None
    bar = click.progressbar(items, length=length, label=label, file=sys.stderr)
    return bar.__enter__(), bar


def run_convert(srcs: list[str], out: Path, jobs: int, loader, quiet: bool,
                disable: tuple[str, ...] = (), engine=None, validate: bool = False
                ) -> tuple[list[Result], list[Path]]:
    """Convert and write each result as it comes; a result keeps no XML once written.
    ``validate``: each result's ``problems`` (the XML checked by the worker that made it,
    the same bytes as the file), named by the file written."""
    results, written = [], []
    iterator, bar = _progress(convert_many(srcs, jobs, loader, disable, engine, validate),
                              len(srcs), "Converting", quiet)
    try:
        for result in iterator:
            results.append(result)
            for w in result.warnings:
                err(f"warning: {result.source}: {w}")
            if result.error:
                err(f"error: {result.source}: {result.error}")
                continue
            target = out / result.name
            write_atomic(target, result.xml)
            result.xml = None
            for problem in result.problems or ():
                problem.path = str(target)
            written.append(target)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return results, written


ENGINE_OPTIONS = [
    click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
                 help="Where the documents are converted: local processes (--jobs), or Dask "
                      "(pip install 'tei-edition[dask]')."),
    click.option("--scheduler", metavar="ADDRESS",
                 help="Dask scheduler (e.g. tcp://host:8786); default: a local cluster of "
                      "--jobs workers."),
]


def engine_options(f):
    for option in reversed(ENGINE_OPTIONS):
        f = option(f)
    return f


def _engine(name: str, jobs: int, scheduler: str | None):
    """The engine asked for; one clear line and exit 2 when it cannot run here."""
    try:
        return make_engine(name, jobs, scheduler)
    except EngineUnavailable as problem:
        err(f"error: {problem}")
        sys.exit(2)


def _inputs(src: tuple[str, ...], config, persons, places, orgs, disable=()):
    """Settings (warnings shown) and the source files, checked for clashing output names."""
    conf = settings(config, persons, places, orgs, disable)
    unknown = check_names(conf.disable)
    if unknown:
        raise click.UsageError(f"no such component: {', '.join(unknown)} (components: "
                               f"{', '.join(PIPELINE)})")
    for w in conf.warnings:
        err(f"warning: {w}")
    srcs = sources(src)
    if not srcs:
        raise click.UsageError("no .txt files found in " + ", ".join(src))
    stems: dict[str, str] = {}
    for s in srcs:
        stem = Path(s).stem
        if stem in stems:
            raise click.UsageError(f"{s} and {stems[stem]} would both be written as {stem}.xml")
        stems[stem] = s
    return conf, srcs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tei-edition")
def main() -> None:
    """Turn plain-text historical documents into a validated TEI P5 edition."""


@main.command()
@click.argument("src", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the TEI files (<source stem>.xml).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary.")
@engine_options
@auth_options
def convert(src, out, jobs, quiet, engine, scheduler, persons, places, orgs, config,
            disable) -> None:
    """Convert plain-text SRC files (or the *.txt of SRC folders) to TEI in OUTPUT."""
    conf, srcs = _inputs(src, config, persons, places, orgs, disable)
    start = time.perf_counter()
    with _engine(engine, jobs, scheduler) as eng:
        results, written = run_convert(srcs, out, jobs, conf.loader(), quiet, conf.disable,
                                       eng)
    failed = sum(1 for r in results if r.error)
    if not quiet:
        err(f"{len(results)} documents, {len(written)} converted, {failed} failed, "
            f"{time.perf_counter() - start:.2f} s")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="Only the problems, no summary.")
def validate(files, quiet) -> None:
    """Validate TEI FILES (or the *.xml of folders) against the project's RELAX NG and
    Schematron; print file:line: message for each problem."""
    from .validate import validate_file

    paths: list[str] = []
    for f in files:
        p = Path(f)
        paths += sorted(str(x) for x in p.glob("*.xml")) if p.is_dir() else [str(p)]
    invalid = 0
    for path in paths:
        problems = validate_file(path)
        for problem in problems:
            click.echo(str(problem))
        invalid += bool(problems)
    if not quiet:
        err(f"{len(paths)} files, {len(paths) - invalid} valid, {invalid} invalid")
    sys.exit(1 if invalid else 0)


@main.command()
@click.argument("src", nargs=-1, type=click.Path(exists=True))
@click.option("-o", "--output", "out", default="build", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Build folder.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("-q", "--quiet", is_flag=True)
@click.option("--bag", "bag", type=click.Path(path_type=Path),
              help="Also package the build as a BagIt deposit in this folder.")
@click.option("--source-organization", help="bag-info Source-Organization.")
@click.option("--contact-name", help="bag-info Contact-Name.")
@click.option("--contact-email", help="bag-info Contact-Email.")
@click.option("--description", help="bag-info External-Description.")
@engine_options
@auth_options
def build(src, out, jobs, quiet, bag, source_organization, contact_name, contact_email,
          description, engine, scheduler, persons, places, orgs, config, disable) -> None:
    """Convert SRC (default: seeds/) into OUTPUT/tei, validate every file, write every export
    (html/, text/, json/, index/*.csv, corpus.xml) and, with --bag, a BagIt deposit."""
    conf, srcs = _inputs(src or ("seeds",), config, persons, places, orgs, disable)
    start = time.perf_counter()
    with _engine(engine, jobs, scheduler) as eng:
        results, written = run_convert(srcs, out / "tei", jobs, conf.loader(), quiet,
                                       conf.disable, eng, validate=True)
        remove_stale(out / "tei", ".xml", written)
        invalid = 0
        for result in results:  # validated by the worker that made it
            for problem in result.problems or ():
                err(str(problem))
            invalid += bool(result.problems)
        summary = export_all(written, out, eng)
    for path, why in summary["failed"]:
        err(f"error: {path}: export failed: {why}")
    failed = sum(1 for r in results if r.error) + len(summary["failed"])
    if bag:
        try:
            make_bag(out, bag, bag_info(source_organization, contact_name, contact_email,
                                        description))
        except BagProblem as problem:
            for line in problem.problems or [str(problem)]:
                err(f"error: bag {bag}: {line}")
            failed += 1
    if not quiet:
        mentions = summary["mentions"]
        ents = ", ".join(f"{mentions[k]} {k}" for k in sorted(mentions)) or "none"
        err(f"{len(results)} documents, {len(written) - invalid} valid, {invalid} invalid, "
            f"{failed} failed; entities: {ents}; {time.perf_counter() - start:.2f} s"
            + (f"; bag: {bag}" if bag else ""))
    sys.exit(1 if failed or invalid else 0)


@main.command()
@click.argument("pred", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--gold", "gold", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of NAME.txt and NAME.gold.json (e.g. ../shared/devset).")
@click.option("--no-validate", is_flag=True, help="Skip schema validation.")
@click.option("--unmatched", is_flag=True, help="List persName tags with no gold partner.")
def evaluate(pred, gold, no_validate, unmatched) -> None:
    """Score the TEI files in PRED against the gold records in GOLD."""
    from .evaluate import evaluate as run

    report = run(gold, pred, validate=not no_validate)
    for key, value in report.rows():
        click.echo(f"{key:40} {value}")
    for failure in report.failures[:40]:
        click.echo(f"  - {failure}")
    if unmatched:
        for doc, surface in report.unmatched_persons:
            click.echo(f"  unmatched persName: {doc}: {surface}")


main.add_command(export)
main.add_command(package)

if __name__ == "__main__":  # pragma: no cover
    main()
