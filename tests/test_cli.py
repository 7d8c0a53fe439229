"""The command line: exit codes, bad input, atomic and reproducible output."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from conftest import SEEDS
from tei_edition.cli import main
from tei_edition.outputs import MANIFEST

BAD = {
    "empty.txt": b"",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "undecodable.txt": b"Title\n\nbad bytes " + b"\x81\x8d\x8f\x90\x9d" * 4 + b" here\n",
    "control.txt": b"Title\n\nmostly control bytes " + b"\x01\x02\x07\x1f" * 8 + b"\n",
    "blank.txt": b"   \n\n \t\n",
}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_convert_seeds(tmp_path):
    result = run("convert", str(SEEDS), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != MANIFEST) == sorted(
        p.stem + ".xml" for p in SEEDS.glob("*.txt"))


def test_bad_input_named_one_line_each_others_converted(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name, data in BAD.items():
        (src / name).write_bytes(data)
    shutil.copy(next(SEEDS.glob("003*.txt")), src / "good.txt")
    (src / "markup.txt").write_text("Title\n\nText with <script>alert(1)</script> & ]]>.\n")
    out = tmp_path / "out"
    result = run("convert", str(src), "-o", str(out))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == len(BAD)
    for name in BAD:
        assert sum(name in line for line in errors) == 1
        assert not (out / name.replace(".txt", ".xml")).exists()
    assert "Traceback" not in result.output
    assert (out / "good.xml").exists() and (out / "markup.xml").exists()
    assert not [p for p in out.iterdir()
                if p.name.startswith(".") and p.name != MANIFEST]  # no temp files left


def test_rebuild_is_byte_identical(tmp_path):
    run("convert", str(SEEDS), "-o", str(tmp_path / "a"))
    run("convert", str(SEEDS), "-o", str(tmp_path / "b"), "--jobs", "2")
    for a in (tmp_path / "a").glob("*.xml"):
        assert a.read_bytes() == (tmp_path / "b" / a.name).read_bytes()


def test_usage_errors_exit_2(tmp_path):
    assert run("convert", str(tmp_path / "missing.txt"), "-o", str(tmp_path)).exit_code == 2
    assert run("convert", str(SEEDS)).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("convert", str(empty), "-o", str(tmp_path / "o")).exit_code == 2


def test_build_converts_validates_exports_and_bags(tmp_path):
    build, bag = tmp_path / "build", tmp_path / "deposit"
    result = run("build", str(SEEDS), "-o", str(build), "--bag", str(bag),
                 "--contact-name", "A. Archivist")
    assert result.exit_code == 0, result.output
    assert len(list((build / "tei").glob("*.xml"))) == 2
    for part in ("html/index.html", "corpus.xml", "index/persons.csv"):
        assert (build / part).exists(), part
    assert len(list((build / "text").glob("*.txt"))) == 2
    assert len(list((build / "json").glob("*.json"))) == 2
    summary = result.output.strip().splitlines()[-1]
    assert "2 documents, 2 valid, 0 invalid, 0 failed" in summary
    assert "Contact-Name: A. Archivist" in (bag / "bag-info.txt").read_text()
    assert run("package", "--verify", str(bag)).exit_code == 0
    (bag / "data" / "corpus.xml").write_text("changed")
    check = run("package", "--verify", str(bag))
    assert check.exit_code == 1 and "corpus.xml" in check.output
