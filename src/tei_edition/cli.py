"""The ``tei-edition`` command line: build, convert, validate, evaluate (and export, package)."""

from __future__ import annotations

import sys
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import click

from . import __version__
from .annotate.authorities import AuthorityError, check_files
from .annotate.components import PIPELINE, check_names
from .config import SettingsError, settings
from .engine import ENGINES, EngineUnavailable, make_engine
from .export.bag import BagProblem, make_bag
from .export.commands import bag_info, export, export_all, package
from .export.store import StoreError
from .outputs import EDITED, FOREIGN, OURS, Outputs, describe, holds_sources, session
from .pipeline import Result, convert_many

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


def _options(options: list):
    """One decorator for a group of options shared by several commands."""
    def decorate(f):
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


auth_options = _options(AUTH_OPTIONS)


FORCE = click.option("--force", is_flag=True,
                     help="Replace (and, for build, remove) output files even when they were "
                          "changed since tei-edition wrote them, or not written by it.")
BUILD_PARTS = ("tei", "html", "text", "json", "index")


def err(message: str) -> None:
    click.echo(message, err=True)


def say(level: str, message: str) -> None:
    err(f"{level}: {message}")


def sources(paths: tuple[str, ...]) -> list[str]:
    """Files named, and the *.txt files of folders named, in a stable order.  In a folder,
    anything but a regular file (a pipe named x.txt would block the read) is skipped."""
    found: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.glob("*.txt")):
                if f.is_file():
                    found.append(str(f))
                elif not f.is_dir():
                    err(f"warning: {f}: not a regular file (a pipe, socket or device?); skipped")
        else:
            found.append(str(path))
    return found


def _progress(items, length: int, label: str, quiet: bool):
    if quiet or not sys.stderr.isatty() or length < 2:
        return items, None
    bar = click.progressbar(items, length=length, label=label, file=sys.stderr)
    return bar.__enter__(), bar


@dataclass
class Converted:
    results: list[Result] = field(default_factory=list)
    tei: list[Path] = field(default_factory=list)  # the TEI files of the run, kept ones too
    written: int = 0
    kept: int = 0
    failed: int = 0  # conversion or write failures
    problems: list[list] = field(default_factory=list)  # per file of ``tei``, when validated


def run_convert(srcs: list[str], out: Path, jobs: int, loader, quiet: bool,
                outputs: Outputs, disable: tuple[str, ...] = (), engine=None,
                validate: bool = False) -> Converted:
    """Convert and write each source as it comes (a result keeps no XML once written).
    A TEI file changed by hand since tei-edition wrote it (or one it did not write) is
    kept, not replaced, and stays the file of that document; a file that cannot be written
    is named, the others still written.  ``validate``: each written file's problems, as
    the worker that made it found them in the same bytes (``done.problems``); a kept file
    is validated as it is on disk."""
    done = Converted()
    several = len(srcs) > 1 and (jobs > 1 or (engine is not None and engine.name != "local"))
    if several:  # in worker processes a loading error breaks the pool
        try:
            check_files(*getattr(loader, "args", ()))
        except AuthorityError as e:
            raise SettingsError(str(e)) from None
    iterator, bar = _progress(convert_many(srcs, jobs, loader, disable, engine, validate),
                              len(srcs), "Converting", quiet)
    try:
        for result in _guard_authorities(iterator, loader):
            done.results.append(result)
            for w in result.warnings:
                err(f"warning: {result.source}: {w}")
            if result.error:
                err(f"error: {result.source}: {result.error}")
                done.failed += 1
                continue
            target = out / result.name
            state = outputs.state(target)
            if state == FOREIGN and outputs.same(target, result.xml):
                state = OURS
            if state in (EDITED, FOREIGN) and not outputs.force:
                what = ("changed since tei-edition wrote it" if state == EDITED
                        else "not written by tei-edition")
                err(f"warning: {target}: {what}; kept and used as this document's TEI "
                    "(--force regenerates it)")
                done.tei.append(target)
                done.kept += 1
                if validate:  # the file as it is, not what would have been written
                    from .validate import validate_file

                    done.problems.append(validate_file(str(target)))
            elif outputs.write(target, result.xml):
                done.tei.append(target)
                done.written += 1
                if validate:
                    for problem in result.problems or ():
                        problem.path = str(target)
                    done.problems.append(result.problems or [])
            else:
                done.failed += 1
            result.xml = None
            result.problems = None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return done


def _guard_authorities(results, loader):
    """Authority files are loaded where the documents are converted (in worker processes
    with --jobs): a file that cannot be loaded becomes one SettingsError line."""
    try:
        yield from results
    except AuthorityError as e:
        raise SettingsError(str(e)) from None
    except BrokenProcessPool:
        try:
            loader()
        except AuthorityError as e:
            raise SettingsError(str(e)) from None
        raise


ENGINE_OPTIONS = [
    click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
                 help="Where the documents are converted: local processes (--jobs), or Dask "
                      "(pip install 'tei-edition[dask]')."),
    click.option("--scheduler", metavar="ADDRESS",
                 help="Dask scheduler (e.g. tcp://host:8786); default: a local cluster of "
                      "--jobs workers."),
]


engine_options = _options(ENGINE_OPTIONS)


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
@FORCE
@engine_options
@auth_options
def convert(src, out, jobs, quiet, force, engine, scheduler, persons, places, orgs, config,
            disable) -> None:
    """Convert plain-text SRC files (or the *.txt of SRC folders) to TEI in OUTPUT.

    A TEI file in OUTPUT changed since tei-edition wrote it is kept (--force replaces it)."""
    conf, srcs = _inputs(src, config, persons, places, orgs, disable)
    start = time.perf_counter()
    with _engine(engine, jobs, scheduler) as eng, session(out, force, say) as outputs:
        done = run_convert(srcs, out, jobs, conf.loader(), quiet, outputs, conf.disable, eng)
        before = len(outputs.problems)  # write failures are counted in done.failed
    failed = done.failed + len(outputs.problems) - before  # + the manifest, if unwritable
    if not quiet:
        err(f"{len(done.results)} documents, {done.written} converted, "
            + (f"{done.kept} kept, " if done.kept else "")
            + f"{done.failed} failed, {time.perf_counter() - start:.2f} s")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="Only the problems, no summary.")
@click.option("--schema", "schemas", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also validate against this RELAX NG (.rng, e.g. tei_all.rng; Jing when "
                   "installed) or Schematron (.sch) schema. Repeatable.")
@click.option("--profile/--no-profile", default=True, show_default=True,
              help="Validate against the project's own profile (schema/).")
def validate(files, quiet, schemas, profile) -> None:
    """Validate TEI FILES (or the *.xml of folders) against the project's RELAX NG and
    Schematron (and any --schema); print file:line: message for each problem."""
    from .extschema import SchemaError, validate_against
    from .validate import validate_file

    if not profile and not schemas:
        raise click.UsageError("--no-profile needs at least one --schema")
    paths: list[str] = []
    for f in files:
        p = Path(f)
        paths += sorted(str(x) for x in p.glob("*.xml")) if p.is_dir() else [str(p)]
    found: dict[str, list] = {p: validate_file(p) if profile else [] for p in paths}
    for schema in schemas:
        try:
            extra = validate_against(paths, schema)
        except SchemaError as e:
            err(f"error: {e}")
            sys.exit(2)
        for path, problems in extra.items():
            label = schema.name
            found[path] += [type(pr)(pr.path, pr.line, f"[{label}] {pr.message}", pr.source)
                            for pr in problems]
    invalid = 0
    for path in paths:
        problems = found[path]
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
@FORCE
@engine_options
@auth_options
def build(src, out, jobs, quiet, bag, source_organization, contact_name, contact_email,
          description, force, engine, scheduler, persons, places, orgs, config,
          disable) -> None:
    """Convert SRC (default: seeds/) into OUTPUT/tei, validate every file, write every export
    (html/, text/, json/, index/*.csv, corpus.xml) and, with --bag, a BagIt deposit.

    Only files this command wrote and nobody changed since are replaced or removed; a TEI
    file edited by hand is kept and validated and exported as it is (--force regenerates)."""
    conf, srcs = _inputs(src or ("seeds",), config, persons, places, orgs, disable)
    inside = holds_sources(out, [out / part for part in BUILD_PARTS], srcs)
    if inside:
        raise click.UsageError(f"the build folder {out} holds the source {inside}: its "
                               "exports would overwrite the sources; choose another -o")
    start = time.perf_counter()
    with session(out, force, say) as outputs:
        # The engine is closed before the exports: they run here, and the HTML pages are
        # rendered by forked processes (a fork beside the engine's threads could hang).
        with _engine(engine, jobs, scheduler) as eng:
            done = run_convert(srcs, out / "tei", jobs, conf.loader(), quiet, outputs,
                               conf.disable, eng, validate=True)
        before = len(outputs.problems)  # write failures are counted in done.failed
        outputs.remove_stale(out / "tei", ".xml", done.tei)
        invalid = 0
        for problems in done.problems:  # validated by the worker that made the file
            for problem in problems:
                err(str(problem))
            invalid += bool(problems)
        try:
            summary = export_all(done.tei, out, jobs=jobs)
        except StoreError as e:  # the TEI files are written; the exports cannot be
            err(f"error: {out}: exports stopped: {e}")
            sys.exit(1)
        for path, why in summary["failed"]:
            err(f"error: {path}: export failed: {why}")
        if isinstance(summary.get("search"), str):
            err(f"warning: no search index: {summary['search']}")
    # Export files that could not be written or were kept: one line each, said already.
    failed = done.failed + len(summary["failed"]) + len(outputs.problems) - before
    if bag:
        failed += not _bag(out, bag, bag_info(source_organization, contact_name, contact_email,
                                              description), [Path(s) for s in srcs])
    if not quiet:
        mentions = summary["mentions"]
        ents = ", ".join(f"{mentions[k]} {k}" for k in sorted(mentions)) or "none"
        err(f"{len(done.results)} documents, {len(done.tei) - invalid} valid, {invalid} invalid, "
            f"{failed} failed; entities: {ents}; {time.perf_counter() - start:.2f} s"
            + (f"; bag: {bag}" if bag else ""))
    sys.exit(1 if failed or invalid else 0)


def _bag(out: Path, bag: Path, info: dict, sources: list[Path] | None = None) -> bool:
    try:
        make_bag(out, bag, info, sources=sources)
    except BagProblem as problem:
        for line in problem.problems or [str(problem)]:
            err(f"error: bag {bag}: {line}")
        return False
    except OSError as e:
        err(f"error: bag {bag}: cannot write{' ' + e.filename if e.filename else ''}: "
            f"{describe(e)}")
        return False
    return True


@main.command()
@click.argument("pred", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--gold", "gold", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of NAME.txt and NAME.gold.json (e.g. ../shared/devset).")
@click.option("--no-validate", is_flag=True, help="Skip schema validation.")
@click.option("--unmatched", is_flag=True, help="List persName tags with no gold partner.")
@click.option("--by-volume", is_flag=True, help="Person recall and precision per volume.")
def evaluate(pred, gold, no_validate, unmatched, by_volume) -> None:
    """Score the TEI files in PRED against the gold records in GOLD."""
    from .evaluate import GoldError
    from .evaluate import evaluate as run

    try:
        report = run(gold, pred, validate=not no_validate)
    except GoldError as e:
        raise SettingsError(str(e)) from None
    for key, value in report.rows():
        click.echo(f"{key:40} {value}")
    if by_volume:
        click.echo("\n| volume | documents | person recall | person precision (lower bound) |")
        click.echo("|---|---|---|---|")
        for row in report.volume_rows():
            click.echo("| " + " | ".join(row) + " |")
    for failure in report.failures[:40]:
        click.echo(f"  - {failure}")
    if unmatched:
        for doc, surface in report.unmatched_persons:
            click.echo(f"  unmatched persName: {doc}: {surface}")


@main.command()
@click.argument("build_dir", metavar="BUILD", default="build",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--title", default="tei-edition digital edition", show_default=True,
              help="Title of the DTS root collection.")
def serve(build_dir, host, port, title) -> None:
    """Serve BUILD: the reading edition with its search (/html/) and a DTS 1.0 API
    (/api/dts/: collection, navigation, document) over BUILD/tei."""
    try:
        import uvicorn

        from .serve.app import create_app
    except ImportError as e:
        err(f"error: serve needs Starlette and uvicorn ({e.name} is missing): "
            "pip install 'tei-edition[serve]'")
        sys.exit(2)
    app = create_app(build_dir, title)
    err(f"serving {build_dir} at http://{host}:{port}/ (DTS: http://{host}:{port}/api/dts/);"
        " Ctrl-C stops")
    uvicorn.run(app, host=host, port=port, log_level="warning")


main.add_command(export)
main.add_command(package)

if __name__ == "__main__":  # pragma: no cover
    main()
