"""Engines: results in input order, authorities once per worker, Dask output = local output."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEVSET, SEEDS
from tei_edition import engine as engine_module
from tei_edition.cli import main
from tei_edition.engine import EngineUnavailable, LocalEngine, make_engine


def _task(item, auth, shared=None):
    return item, auth, os.getpid(), shared


def _loaded_in(_tag) -> int:
    return os.getpid()


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_engine_order_authorities_and_broadcast(jobs):
    with LocalEngine(jobs) as engine:
        engine.start(partial(_loaded_in, jobs))  # a loader of its own
        first = list(engine.map(_task, range(300)))
        shared = engine.share({"knowledge": list(range(5))})
        second = list(engine.map(_task, range(200), shared))
    assert [r[0] for r in first] == list(range(300))
    assert [r[0] for r in second] == list(range(200))
    loaded_in = {auth for _, auth, _, _ in first + second}
    if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        # built once, here, before the workers forked: each finds them in its copy
        assert loaded_in == {os.getpid()}
        assert os.getpid() not in {pid for _, _, pid, _ in first + second}
        assert not engine_module._auth_cache  # and this process did not keep them
    else:  # the loader ran in the process that ran the task, once per process
        assert all(auth == pid for _, auth, pid, _ in first + second)
    assert len({pid for _, _, pid, _ in first + second}) <= jobs
    assert all(s == {"knowledge": [0, 1, 2, 3, 4]} for *_, s in second)


def test_scheduler_without_dask_engine_is_refused():
    with pytest.raises(EngineUnavailable, match="--scheduler needs --engine dask"):
        make_engine("local", 1, "tcp://127.0.0.1:8786")


def test_dask_missing_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were absent
    monkeypatch.chdir(tmp_path)  # no tei-edition.toml (whose files may be absent) is read
    result = CliRunner().invoke(main, ["build", str(SEEDS), "-o", str(tmp_path / "b"),
                                       "--engine", "dask"])
    assert result.exit_code == 2
    assert result.output.strip() == \
        "error: --engine dask needs Dask: pip install 'tei-edition[dask]'"


CRAFTED = {
    # the corpus pass matters: "Mr. Kitain" is only known from the other document
    "crafted-a.txt": "MEMORANDUM OF CONVERSATION\n\nWashington, March 3, 1952\n\n"
                     "Participants: Burton Kitain, Department of State\n\n"
                     "Mr. Kitain said the talks in Paris would resume.\n",
    "crafted-b.txt": "TELEGRAM\n\nLondon, March 4, 1952\n\nKitain told the Embassy that the "
                     "Foreign Office agreed.\n\nGIFFORD\n",
}


_SIZE_FIELDS = (b"Payload-Oxum:", b"Bag-Size:")


def _tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes, Pagefind's index left out (its file names and order vary from
    run to run, one engine or another) and so its lines in the bag's manifests."""
    tree = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or "pagefind" in p.parts:
            continue
        data = p.read_bytes()
        if p.name.startswith(("manifest-", "tagmanifest-", "bag-info")):
            data = b"".join(line for line in data.splitlines(True)
                            if b"/pagefind/" not in line and not line.startswith(_SIZE_FIELDS)
                            and not p.name.startswith("tagmanifest-"))
        if p.name == ".tei-edition-manifest.json":  # the build's record of its files
            files = json.loads(data)["files"]
            data = json.dumps({k: v for k, v in files.items() if "pagefind/" not in k})
        tree[str(p.relative_to(root))] = data
    return tree


def test_dask_build_is_byte_identical_to_local(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    src = tmp_path / "src"
    src.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, src)
    if DEVSET.is_dir():
        for p in sorted(DEVSET.glob("*.txt"))[:12]:
            shutil.copy(p, src)
    for name, text in CRAFTED.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")  # an error must not shift the others
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

    def build(name: str, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tei_edition.cli", "build", str(src), "-q",
             "-o", str(tmp_path / name / "build"), "--bag", str(tmp_path / name / "bag"),
             *extra], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)

    local = build("local", "--engine", "local")
    dask = build("dask", "--engine", "dask", "--jobs", "2")
    assert local.returncode == dask.returncode == 1, (local.stderr, dask.stderr)  # empty.txt
    assert "error:" in dask.stderr and "empty.txt" in dask.stderr
    a, b = _tree(tmp_path / "local"), _tree(tmp_path / "dask")
    assert len(a) > 4 * len(list(src.iterdir())) and "build/tei/crafted-b.xml" in a
    assert sorted(a) == sorted(b)
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, differ


def test_dask_engine_on_a_running_scheduler(tmp_path, monkeypatch):
    """--scheduler ADDRESS: the tasks go to that cluster's workers; the same files."""
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    monkeypatch.chdir(tmp_path)  # both runs without the repository's tei-edition.toml
    local = CliRunner().invoke(main, ["convert", str(SEEDS), "-o", str(tmp_path / "local"),
                                      "-q"])
    assert local.exit_code == 0, local.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        res = subprocess.run(
            [sys.executable, "-m", "tei_edition.cli", "convert", str(SEEDS), "-q",
             "-o", str(tmp_path / "dask"), "--engine", "dask",
             "--scheduler", cluster.scheduler_address],
            cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert res.returncode == 0, res.stderr
        with distributed.Client(cluster) as client:  # its workers loaded the authorities
            assert list(client.run(_authorities_loaded).values()) == [1, 1]
    assert _tree(tmp_path / "local") == _tree(tmp_path / "dask")


def _authorities_loaded() -> int:
    from tei_edition import engine

    return len(engine._auth_cache)
