"""The BagIt deposit: sources, schema and a manifest from source to TEI; SHA-512; every
problem named by package --verify; the text export with [Page N] markers."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEEDS, words
from tei_edition.cli import main


@pytest.fixture(scope="module")
def deposit(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("deposit")
    res = CliRunner().invoke(main, ["build", str(SEEDS), "-o", str(tmp / "build"), "-q",
                                    "--bag", str(tmp / "bag")])
    assert res.exit_code == 0, res.output
    return tmp / "bag"


def test_bag_holds_sources_schema_and_manifest(deposit: Path) -> None:
    data = deposit / "data"
    sources = sorted(SEEDS.glob("*.txt"))
    for src in sources:
        assert (data / "source" / src.name).read_bytes() == src.read_bytes()
    assert (data / "schema" / "tei-edition.rng").is_file()
    assert (data / "schema" / "tei-edition.sch").is_file()
    assert (data / "cmif.xml").is_file()
    rows = list(csv.DictReader((data / "manifest.csv").open(encoding="utf-8")))
    assert [r["source"] for r in rows] == [f"source/{s.name}" for s in sources]
    for r in rows:
        assert r["tei"] == f"tei/{Path(r['source']).stem}.xml"
        assert hashlib.sha512((data / r["source"]).read_bytes()).hexdigest() == \
            r["source_sha512"]
        assert hashlib.sha512((data / r["tei"]).read_bytes()).hexdigest() == r["tei_sha512"]
        for col in ("html", "text", "json"):
            assert (data / r[col]).is_file(), col
    assert sorted(p.name for p in deposit.glob("*manifest-*.txt")) == [
        "manifest-sha512.txt", "tagmanifest-sha512.txt"]
    res = CliRunner().invoke(main, ["package", "--verify", str(deposit)])
    assert res.exit_code == 0, res.output


def test_verify_names_every_problem(deposit: Path, tmp_path: Path) -> None:
    import shutil

    bag = tmp_path / "bag"
    shutil.copytree(deposit, bag)
    data = bag / "data"
    src = sorted((data / "source").glob("*.txt"))[0]
    src.write_text("changed by hand", encoding="utf-8")
    tei = sorted((data / "tei").glob("*.xml"))[-1]
    tei.unlink()
    (data / "stray.txt").write_text("x", encoding="utf-8")
    info = bag / "bag-info.txt"
    info.write_text(info.read_text(encoding="utf-8") + "Note: edited\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["package", "--verify", str(bag)])
    assert res.exit_code == 1
    out = res.output
    assert f"changed: data/source/{src.name} (sha512 differs)" in out
    assert f"missing: data/tei/{tei.name}" in out
    assert "unexpected: data/stray.txt" in out
    assert "changed tag file: bag-info.txt" in out
    assert "Payload-Oxum" in out
    assert f"manifest.csv line 2: data/source/{src.name} differs" in out
    assert f"data/tei/{tei.name} is missing" in out


def test_package_takes_the_sources(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["build", str(SEEDS), "-o", str(tmp_path / "b"), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["package", str(tmp_path / "b"), "--bag", str(tmp_path / "bag"),
                               "--sources", str(SEEDS)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "bag" / "data" / "source").iterdir()) == \
        sorted(p.name for p in SEEDS.glob("*.txt"))


def test_text_with_pages_rebuilds_the_source(deposit: Path, tmp_path: Path) -> None:
    """From the deposit alone: the TEI, exported with --pages, has the source's words and
    its [Page N] markers in the same places."""
    data = deposit / "data"
    res = CliRunner().invoke(main, ["export", str(data / "tei"), "-f", "text", "--pages",
                                    "-o", str(tmp_path / "text")])
    assert res.exit_code == 0, res.output
    marker = re.compile(r"\[Page ([^\]]+)\]")
    for src in sorted((data / "source").glob("*.txt")):
        source = src.read_text(encoding="utf-8")
        text = (tmp_path / "text" / f"{src.stem}.txt").read_text(encoding="utf-8")
        assert marker.findall(text) == marker.findall(source)
        # every word of the source, in order (page markers as words too)
        assert words(marker.sub(r" PAGE \1 ", text)) == words(marker.sub(r" PAGE \1 ", source))
