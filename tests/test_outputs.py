"""Never lose a user's work: only files tei-edition wrote are replaced or removed; write
and settings errors are one line each, the other documents still done."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEEDS
from tei_edition.cli import main
from tei_edition.outputs import MANIFEST, Outputs, atomic_write, clean_leftovers, temp_name


@pytest.fixture(autouse=True)
def _away_from_the_repository(tmp_path, monkeypatch):
    """These tests count message lines: the repository's tei-edition.toml (whose person
    file is absent where ../shared is) must not add a warning of its own."""
    monkeypatch.chdir(tmp_path)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, folder / p.name)
    return folder


def seed_stems() -> list[str]:
    return sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_hand_edited_tei_is_kept_and_used_as_the_source(src, tmp_path):
    build = tmp_path / "build"
    assert run("build", str(src), "-o", str(build)).exit_code == 0
    stem = seed_stems()[0]
    tei = build / "tei" / f"{stem}.xml"
    head, body = tei.read_text().split("<body>")
    edited = head + "<body>" + body.replace("<p>", "<p>HANDEDIT ", 1)
    tei.write_text(edited)
    result = run("build", str(src), "-o", str(build))
    assert result.exit_code == 0, result.output
    assert tei.read_text() == edited
    assert f"{tei}: changed since tei-edition wrote it; kept" in result.output
    assert "HANDEDIT" in (build / "text" / f"{stem}.txt").read_text()
    # --force regenerates it
    assert run("build", str(src), "-o", str(build), "--force").exit_code == 0
    assert "HANDEDIT" not in tei.read_text()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_kept_tei_file_is_validated_as_it_is_on_disk(src, tmp_path, jobs):
    """The build validates each TEI file in the worker that made it; a file kept because
    it was edited by hand is not what the worker made, so it is checked on disk."""
    build = tmp_path / "build"
    assert run("build", str(src), "-o", str(build), "-q").exit_code == 0
    tei = build / "tei" / f"{seed_stems()[0]}.xml"
    tei.write_text(tei.read_text().replace("<p>", "<p><bogus/>", 1))
    result = run("build", str(src), "-o", str(build), "--jobs", jobs)
    assert result.exit_code == 1
    assert f"{tei}:" in result.output and "bogus" in result.output
    assert f"{len(seed_stems()) - 1} valid, 1 invalid" in result.output


def test_files_not_written_by_the_tool_are_never_deleted(src, tmp_path):
    build = tmp_path / "build"
    assert run("build", str(src), "-o", str(build)).exit_code == 0
    about = build / "html" / "about.html"
    about.write_text("<p>About this edition</p>")
    mine = build / "tei" / "mine.xml"
    mine.write_text("<TEI/>")
    stems = seed_stems()
    (src / f"{stems[0]}.txt").unlink()  # its outputs are now stale: those are ours
    assert run("build", str(src), "-o", str(build)).exit_code == 0
    assert about.read_text() == "<p>About this edition</p>"
    assert mine.read_text() == "<TEI/>"
    assert not (build / "tei" / f"{stems[0]}.xml").exists()
    assert not (build / "html" / f"{stems[0]}.html").exists()
    assert (build / "tei" / f"{stems[1]}.xml").exists()


def test_an_edited_tei_file_no_longer_produced_is_kept(src, tmp_path):
    build = tmp_path / "build"
    run("build", str(src), "-o", str(build))
    stem = seed_stems()[0]
    tei = build / "tei" / f"{stem}.xml"
    tei.write_text(tei.read_text().replace("<p>", "<p>X ", 1))
    (src / f"{stem}.txt").unlink()
    result = run("build", str(src), "-o", str(build))
    assert tei.exists()
    assert "no longer produced, but changed since tei-edition wrote it; kept" in result.output


def test_an_export_over_a_foreign_file_is_refused_and_named(src, tmp_path):
    build = tmp_path / "build"
    (build / "html").mkdir(parents=True)
    (build / "html" / "index.html").write_text("my own index")
    result = run("build", str(src), "-o", str(build))
    assert result.exit_code == 1
    assert (build / "html" / "index.html").read_text() == "my own index"
    assert "index.html: not written by tei-edition; kept (--force replaces it)" in result.output
    assert (build / "html" / f"{seed_stems()[0]}.html").exists()  # the rest still done
    assert run("build", str(src), "-o", str(build), "--force").exit_code == 0
    assert (build / "html" / "index.html").read_text() != "my own index"


def test_an_output_folder_that_holds_the_sources_is_refused(tmp_path):
    project = tmp_path / "p"
    (project / "text").mkdir(parents=True)
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, project / "text" / p.name)
    before = {p.name: p.read_bytes() for p in (project / "text").iterdir()}
    first = sorted((project / "text").iterdir())[0]
    for args in (["build", str(first), "-o", str(project)],
                 ["build", str(project / "text"), "-o", str(project)]):
        result = run(*args)
        assert result.exit_code == 2
        assert "holds the source" in result.output
    assert {p.name: p.read_bytes() for p in (project / "text").iterdir()} == before


def test_convert_keeps_an_edited_file_and_export_refuses_foreign_ones(src, tmp_path):
    out = tmp_path / "out"
    assert run("convert", str(src), "-o", str(out)).exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(f"{s}.xml" for s in seed_stems())
    target = out / f"{seed_stems()[0]}.xml"
    target.write_text(target.read_text() + "<!-- checked -->\n")
    result = run("convert", str(src), "-o", str(out))
    assert result.exit_code == 0 and "kept" in result.output
    assert target.read_text().endswith("<!-- checked -->\n")
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("mine")
    result = run("export", str(out), "-f", "html", "-o", str(html))
    assert result.exit_code == 1
    assert (html / "index.html").read_text() == "mine"


# --- write errors -----------------------------------------------------------------------

def test_write_errors_are_one_line_per_file_and_the_rest_is_done(src, tmp_path):
    long_stem = "a" * 251  # a.xml fits in 255 bytes; a.html and a.json do not
    shutil.copy(next(SEEDS.glob("*.txt")), src / f"{long_stem}.txt")
    build = tmp_path / "build"
    result = run("build", str(src), "-o", str(build))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and all("cannot write: File name too long" in e for e in errors)
    assert all(long_stem in e for e in errors)
    assert (build / "tei" / f"{long_stem}.xml").exists()
    for stem in seed_stems():
        assert (build / "html" / f"{stem}.html").exists()
        assert (build / "json" / f"{stem}.json").exists()


def test_a_folder_on_the_output_path_that_is_a_file(src, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    result = run("convert", str(src), "-o", str(blocker / "out"))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == len(seed_stems())
    assert all("cannot write: a folder on its path is a file" in line for line in lines)
    out = tmp_path / "out"
    run("convert", str(src), "-o", str(out))
    result = run("export", str(out), "-f", "json", "-f", "text", "-o", str(blocker / "x"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    result = run("build", str(src), "-o", str(tmp_path / "b"), "--bag", str(blocker / "bag"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"error: bag {blocker / 'bag'}: cannot write" in result.output
    result = run("package", str(tmp_path / "b"), "--bag", str(blocker / "bag"))
    assert result.exit_code == 1 and "cannot write" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(src, tmp_path):  # pragma: no cover - CI runs as root
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = run("convert", str(src), "-o", str(out))
    finally:
        out.chmod(0o755)
    assert result.exit_code == 1 and "Permission denied" in result.output


# --- settings errors ----------------------------------------------------------------------

@pytest.mark.parametrize("toml", ["persons = 5\n", "persons = [1, 2]\n", "places = {a = 1}\n",
                                  "persons = [\n"])
def test_bad_settings_file_is_one_line(src, tmp_path, toml):
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    result = run("convert", str(src), "-o", str(tmp_path / "o"), "--config", str(config))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert "bad.toml" in result.output


@pytest.mark.parametrize("content,expect", [
    ('{"id": "a", "name": "Rusk, Dean"}\nnot json\n', "line 2: not JSON"),
    ('[1, 2]\n', "line 1: not a person record"),
    (None, "not UTF-8 text"),
])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_persons_file_is_one_line(src, tmp_path, content, expect, jobs):
    persons = tmp_path / "people.jsonl"
    if content is None:
        persons.write_bytes(Path(sys.executable).read_bytes()[:4096])
    else:
        persons.write_text(content)
    result = run("convert", str(src), "-o", str(tmp_path / "o"), "--persons", str(persons),
                 "--jobs", jobs)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: persons file {persons}")
    assert result.output.count("\n") == 1 and expect in result.output


def test_bad_persons_file_on_the_dask_engine_is_one_line(src, tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    persons = tmp_path / "people.jsonl"
    persons.write_text("[1, 2]\n")
    result = run("convert", str(src), "-o", str(tmp_path / "o"), "--persons", str(persons),
                 "--engine", "dask", "--jobs", "2")
    assert result.exit_code == 2
    assert result.output.startswith(f"error: persons file {persons}, line 1: not a person record")
    assert result.output.count("\n") == 1


def test_bad_places_file_is_one_line(src, tmp_path):
    places = tmp_path / "places.json"
    for content in ("[1]", '{"places": 5}', '{"places": [{"id": 3}]}', "{"):
        places.write_text(content)
        result = run("convert", str(src), "-o", str(tmp_path / "o"), "--places", str(places))
        assert result.exit_code == 2, content
        assert result.output.count("\n") == 1 and "places file" in result.output


def test_persons_on_a_binary_file_in_a_real_process(src, tmp_path):
    """What the user sees in a terminal: one line, no traceback from worker processes."""
    res = subprocess.run([sys.executable, "-m", "tei_edition.cli", "convert", str(src), "-o",
                          str(tmp_path / "o"), "--persons", "/bin/ls", "--jobs", "2"],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: persons file /bin/ls: not UTF-8 text (is it a JSON lines file?)"]


def test_broken_gold_file_for_evaluate(src, tmp_path):
    out = tmp_path / "out"
    run("convert", str(src), "-o", str(out))
    gold = tmp_path / "gold"
    gold.mkdir()
    stem = seed_stems()[0]
    shutil.copy(src / f"{stem}.txt", gold / f"{stem}.txt")
    for content in ("{", "[]", '{"title": "T", "pages": 3, "persons": []}'):
        (gold / f"{stem}.gold.json").write_text(content)
        result = run("evaluate", str(out), "--gold", str(gold))
        assert result.exit_code == 2, content
        assert result.output.count("\n") == 1 and f"{stem}.gold.json" in result.output


# --- leftovers of killed runs, pipes ---------------------------------------------------------

def test_temp_files_of_a_killed_run_are_removed_on_rerun(src, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    prefix, suffix = temp_name("x.xml")
    stale = out / (prefix.replace(str(os.getpid()), str(dead.pid)) + "abc" + suffix)
    stale.write_text("half a file")
    live = out / (prefix + "def" + suffix)  # this process is alive: not a leftover
    live.write_text("being written")
    stale_bag = tmp_path / (temp_name("deposit")[0].replace(str(os.getpid()), str(dead.pid))
                            + "q.tmp")
    (stale_bag / "data").mkdir(parents=True)
    assert run("convert", str(src), "-o", str(out)).exit_code == 0
    assert not stale.exists() and live.exists()
    build = tmp_path / "build"
    run("build", str(src), "-o", str(build), "--bag", str(tmp_path / "deposit"))
    assert not stale_bag.exists()
    assert (tmp_path / "deposit" / "bagit.txt").exists()
    assert not [p for p in tmp_path.iterdir() if ".tei-edition-" in p.name]


def test_a_pipe_named_txt_is_skipped_not_waited_for(src, tmp_path):
    fifo = src / "pipe.txt"
    os.mkfifo(fifo)
    res = subprocess.run([sys.executable, "-m", "tei_edition.cli", "convert", str(src), "-o",
                          str(tmp_path / "o")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert f"warning: {fifo}: not a regular file" in res.stderr
    res = subprocess.run([sys.executable, "-m", "tei_edition.cli", "convert", str(fifo), "-o",
                          str(tmp_path / "o")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "not a regular file" in res.stderr


def test_outputs_unit(tmp_path):
    out = Outputs.open(tmp_path)
    assert out.write(tmp_path / "a" / "x.txt", b"one")
    out.save()
    again = Outputs.open(tmp_path)
    assert again.state(tmp_path / "a" / "x.txt") == "ours"
    (tmp_path / "a" / "x.txt").write_bytes(b"edited")
    assert again.state(tmp_path / "a" / "x.txt") == "edited"
    assert not again.write(tmp_path / "a" / "x.txt", b"two")
    assert (tmp_path / "a" / "x.txt").read_bytes() == b"edited"
    atomic_write(tmp_path / "a" / "y.txt", b"y")
    assert again.state(tmp_path / "a" / "y.txt") == "foreign"
    assert clean_leftovers(tmp_path / "missing") == []


def test_a_build_without_manifest_adopts_identical_files_and_keeps_the_rest(src, tmp_path):
    build = tmp_path / "build"
    assert run("build", str(src), "-o", str(build)).exit_code == 0
    (build / MANIFEST).unlink()  # a build of an older version, or a lost manifest
    stem = seed_stems()[0]
    tei = build / "tei" / f"{stem}.xml"
    head, body = tei.read_text().split("<body>")
    tei.write_text(head + "<body>" + body.replace("<p>", "<p>MINE ", 1))
    result = run("build", str(src), "-o", str(build))
    assert "MINE" in tei.read_text()
    assert f"{tei}: not written by tei-edition; kept" in result.output
    assert result.output.count("warning:") == 1  # identical files were simply adopted
    # Its exports differ now and have no record: they are named, not replaced.
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors and all("not written by tei-edition" in e for e in errors)
    assert all(stem in e or "corpus.xml" in e or "index" in e or "persons" in e
               or "places" in e or "orgs" in e for e in errors)
    assert run("build", str(src), "-o", str(build)).exit_code == 1  # until --force
    assert run("build", str(src), "-o", str(build), "--force").exit_code == 0
    assert "MINE" not in tei.read_text()


def test_stream_file_checks_like_write_and_leaves_no_temp_file(tmp_path):
    """A file written piece by piece: recorded like ``write``, an edited one kept, an error
    of the writer itself (not of the disk) raised with no temporary file left behind."""
    from tei_edition.outputs import session, stream_file

    target = tmp_path / "t.csv"
    with session(tmp_path) as out, stream_file(target, text=True) as fh:
        fh.write("a,b\n")
        fh.write("1,2\n")
    assert target.read_text() == "a,b\n1,2\n" and not out.problems
    assert json.loads((tmp_path / MANIFEST).read_text())["files"] == {"t.csv": out.record["t.csv"]}
    target.write_text("edited\n")
    with session(tmp_path) as out, stream_file(target, text=True) as fh:
        fh.write("new\n")
    assert target.read_text() == "edited\n"
    assert out.problems == [f"{target}: changed since tei-edition wrote it; kept "
                            "(--force replaces it)"]
    with (session(tmp_path), pytest.raises(RuntimeError),
          stream_file(tmp_path / "u.csv") as fh):
        fh.write(b"half")
        raise RuntimeError("the writer failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "t.csv"]


def test_a_full_temporary_folder_stops_the_exports_with_one_line(src, tmp_path, monkeypatch):
    """The corpus store (export/store.py) is a temporary SQLite database: where its folder
    is full, SQLite says "database or disk is full". Here a database of two pages is as
    full as a disk; the build names the folder and the way out, in one line, and exits 1,
    with the TEI files written."""
    import sqlite3

    from tei_edition.export.store import temp_folder

    real = sqlite3.connect

    def tiny(*args, **kwargs):
        db = real(*args, **kwargs)
        db.execute("PRAGMA max_page_count = 2")
        return db

    monkeypatch.setattr(sqlite3, "connect", tiny)
    out = tmp_path / "build"
    result = run("build", str(src), "-o", str(out), "-q")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"error: {out}: exports stopped: cannot keep the mentions of the corpus "
                     f"in a temporary database in {temp_folder()}"
                     + ": database or disk is full; set TMPDIR to a folder with room"]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (out / "tei").glob("*.xml")) == sorted(
        p.stem + ".xml" for p in src.glob("*.txt"))
    result = run("export", *map(str, (out / "tei").glob("*.xml")), "-f", "csv", "-o",
                 str(tmp_path / "csv"))
    assert result.exit_code == 0  # csv of `export` needs no store
    result = run("export", *map(str, (out / "tei").glob("*.xml")), "-f", "html", "-o",
                 str(tmp_path / "html"))
    assert result.exit_code == 1 and "export stopped: cannot keep the mentions" in result.output
