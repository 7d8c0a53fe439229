"""``tei-edition export`` and ``tei-edition package``, and ``export_all`` for ``build``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .bag import BagProblem, make_bag, verify_bag
from .common import ExportError, Reading, read_many, tei_files
from .csvx import export_csv
from .html import export_html
from .jsonx import export_json
from .text import export_text

FORMATS = ("html", "text", "json", "csv")


def _err(message: str) -> None:
    click.echo(message, err=True)


def remove_stale(folder: Path, suffix: str, keep: list[Path]) -> None:
    """Files of documents no longer in the build would otherwise linger (and be bagged)."""
    if not folder.is_dir():
        return
    keep_names = {p.name for p in keep}
    for p in folder.glob("*" + suffix):
        if p.name not in keep_names:
            p.unlink()


def export_formats(readings: list[Reading], out: Path, formats: list[str],
                   page_markers: bool = False) -> list[Path]:
    written: list[Path] = []
    if "html" in formats:
        written += export_html(readings, out)
    if "text" in formats:
        written += export_text(readings, out, page_markers)
    if "json" in formats:
        written += export_json(readings, out)
    if "csv" in formats:
        written += export_csv(readings, out)
    return written


def export_all(tei_paths: list[Path], build_dir: Path, engine=None) -> dict:
    """Every export of a build, streamed file by file, made on ``engine`` when given (see
    ``export/stream.py``)."""
    from .stream import export_all as streamed

    return streamed(tei_paths, build_dir, engine)


@click.command("export")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "formats", multiple=True, required=True,
              type=click.Choice(FORMATS),
              help="html (reading edition), text, json (one per document), csv (entity "
                   "indexes). Repeatable.")
@click.option("-o", "--output", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--page-markers", is_flag=True, help="Text: a [Page N] marker at every pb.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def export(files: tuple[Path, ...], formats: tuple[str, ...], out: Path, page_markers: bool,
           quiet: bool) -> None:
    """Export TEI FILES (or the *.xml of folders) to html, text, json or csv in OUTPUT."""
    paths = tei_files(list(files))
    if not paths:
        raise click.UsageError("no .xml files found in " + ", ".join(map(str, files)))
    start = time.perf_counter()
    readings, failed = read_many(paths)
    for path, why in failed:
        _err(f"error: {path}: {why}")
    written = export_formats(readings, out, list(formats), page_markers)
    if not quiet:
        _err(f"{len(paths)} files, {len(readings)} exported, {len(failed)} failed, "
             f"{len(written)} files written, {time.perf_counter() - start:.2f} s")
    sys.exit(1 if failed else 0)


@click.command("package")
@click.argument("build_dir", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--bag", "dest", type=click.Path(path_type=Path),
              help="Write a BagIt deposit of BUILD_DIR here.")
@click.option("--verify", "verify", type=click.Path(exists=True, file_okay=False,
                                                    path_type=Path),
              help="Re-validate the bag at this path; name every changed or missing file.")
@click.option("--source-organization", help="bag-info Source-Organization.")
@click.option("--contact-name", help="bag-info Contact-Name.")
@click.option("--contact-email", help="bag-info Contact-Email.")
@click.option("--description", help="bag-info External-Description.")
def package(build_dir: Path | None, dest: Path | None, verify: Path | None,
            source_organization: str | None, contact_name: str | None,
            contact_email: str | None, description: str | None) -> None:
    """Make a BagIt deposit of BUILD_DIR (--bag DEST), or check one (--verify DEST)."""
    if verify is not None:
        if build_dir is not None or dest is not None:
            raise click.UsageError("--verify takes only the bag to check")
        try:
            verify_bag(verify)
        except BagProblem as e:
            _err(f"error: {e}")
            for problem in e.problems:
                _err(f"  {problem}")
            sys.exit(1)
        _err(f"{verify}: valid bag")
        sys.exit(0)
    if build_dir is None or dest is None:
        raise click.UsageError("give BUILD_DIR and --bag DEST, or --verify DEST")
    info = bag_info(source_organization, contact_name, contact_email, description)
    try:
        made = make_bag(build_dir, dest, info)
        verify_bag(made)  # an explicit deposit is read back and checked file by file
    except (BagProblem, ExportError, OSError) as e:
        _err(f"error: {e}")
        for problem in getattr(e, "problems", []):
            _err(f"  {problem}")
        sys.exit(1)
    _err(f"{made}: bag written and validated")


def bag_info(source_organization: str | None = None, contact_name: str | None = None,
             contact_email: str | None = None, description: str | None = None) -> dict:
    """bag-info fields from the command-line options (empty ones left out)."""
    info = {"Source-Organization": source_organization, "Contact-Name": contact_name,
            "Contact-Email": contact_email, "External-Description": description}
    return {k: v for k, v in info.items() if v}
