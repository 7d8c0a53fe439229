"""tei-edition serve: DTS 1.0 (entry, collection, navigation, document) and the static
edition, through uvicorn on 127.0.0.1 and a real HTTP client (httpx)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import DEVSET, SEEDS, SHARED, TEI_ALL, tei_all_errors
from tei_edition.cli import main

httpx = pytest.importorskip("httpx", reason="httpx is not installed (pip install httpx)")
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is not installed ('.[serve]')")
pytest.importorskip("starlette", reason="starlette is not installed ('.[serve]')")

from tei_edition.serve.app import create_app  # noqa: E402

T = "{http://www.tei-c.org/ns/1.0}"
DTS = "{https://w3id.org/api/dts#}"
DEVSET2 = SHARED / "devset2"


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    b = tmp_path_factory.mktemp("build")
    srcs = [str(SEEDS)] + [str(d) for d in (DEVSET, DEVSET2) if d.is_dir()]
    res = CliRunner().invoke(main, ["build", *srcs, "-o", str(b), "-q"])
    assert res.exit_code in (0, 1), res.output  # a dev-set file may be invalid: not ours
    assert len(list((b / "tei").glob("*.xml"))) >= 2
    return b


@pytest.fixture(scope="module")
def server(build):
    """uvicorn on a free port of 127.0.0.1, stopped at the end (bounded waits)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(build), log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start within 15 s"
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        yield client
    srv.should_exit = True
    thread.join(10)
    sock.close()


def _expand(template: str, **values: str) -> str:
    """RFC 6570 query expansion, the forms DTS uses: {?a,b} and {&a,b}."""
    import re
    from urllib.parse import urlencode

    def sub(m: re.Match) -> str:
        op, names = m.group(1), m.group(2).split(",")
        given = {n: values[n] for n in names if n in values}
        if not given:
            return ""
        return ("?" if op == "?" else "&") + urlencode(given)
    return re.sub(r"\{([?&])([^}]*)\}", sub, template)


def test_entry_point(server):
    r = server.get("/api/dts/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    data = r.json()
    assert data["@context"] == "https://dtsapi.org/context/v1.0.json"
    assert data["@type"] == "EntryPoint" and data["dtsVersion"] == "1.0"
    assert data["collection"].endswith("/collection{?id,page,nav}")
    assert data["navigation"].endswith("{?resource,ref,start,end,down,tree,page}")
    assert data["document"].endswith("{?resource,ref,start,end,tree,mediaType}")


def test_collection_lists_every_document(server, build):
    entry = server.get("/api/dts/").json()
    root = server.get(_expand(entry["collection"])).json()
    assert root["@type"] == "Collection" and root["totalParents"] == 0
    n = len(list((build / "tei").glob("*.xml")))
    assert root["totalChildren"] == n
    members = list(root["member"])
    page = 1
    while "view" in root and root["view"]["next"] != root["view"]["@id"]:
        page += 1
        root = server.get(root["view"]["next"]).json()
        members += root["member"]
    assert len(members) == n == len({m["@id"] for m in members})
    first = members[0]
    assert first["@type"] == "Resource" and first["totalParents"] == 1
    assert {"collection", "navigation", "document"} <= first.keys()
    tei = server.get(first["download"])
    assert tei.status_code == 200 and tei.content == (build / "tei" / f"{first['@id']}.xml"
                                                      ).read_bytes()
    # the resource itself, with its citation trees, and its parent
    res = server.get(_expand(first["collection"])).json()
    assert res["@id"] == first["@id"] and res["dtsVersion"] == "1.0"
    trees = res["citationTrees"]
    assert trees[0]["@type"] == "CitationTree" and "identifier" not in trees[0]
    assert trees[0]["citeStructure"]
    parents = server.get(_expand(first["collection"], nav="parents")).json()
    assert [m["@id"] for m in parents["member"]] == ["edition"]
    assert server.get("/api/dts/collection", params={"id": "nothing"}).status_code == 404


def _resource_with_pages(server) -> dict:
    root = server.get("/api/dts/collection").json()
    for m in root["member"]:
        res = server.get(_expand(m["collection"])).json()
        if any(t.get("identifier") == "page" for t in res["citationTrees"]):
            return res
    pytest.skip("no document with page breaks")


def test_navigation_and_document_by_ref_and_range(server):
    res = _resource_with_pages(server)
    nav = server.get(_expand(res["navigation"], down="1")).json()
    assert nav["@type"] == "Navigation" and nav["resource"]["@id"] == res["@id"]
    units = nav["member"]
    assert units and all(u["@type"] == "CitableUnit" and u["level"] == 1
                         and u["parent"] is None for u in units)
    assert [u["identifier"] for u in units] == [str(i) for i in range(1, len(units) + 1)]
    # one unit, with its siblings at down=0
    one = server.get(_expand(res["navigation"], ref=units[1]["identifier"])).json()
    assert one["ref"]["identifier"] == units[1]["identifier"] and "member" not in one
    sib = server.get(_expand(res["navigation"], ref="2", down="0")).json()
    assert len(sib["member"]) == len(units)
    # the document: whole, one unit, a range
    whole = server.get(_expand(res["document"]))
    assert whole.headers["content-type"].startswith("application/tei+xml")
    assert 'rel="collection"' in whole.headers["link"]
    tei = etree.fromstring(whole.content)
    assert tei.tag == T + "TEI"
    part = etree.fromstring(server.get(_expand(res["document"], ref="2")).content)
    wrapper = part.find(f"{T}text/{T}body/{DTS}wrapper")
    assert wrapper is not None and len(wrapper) == 1
    assert wrapper[0].tag.split("}")[1] == units[1]["citeType"]
    last = units[-1]["identifier"]
    span = etree.fromstring(server.get(_expand(res["document"], start="1", end=last)).content)
    assert len(span.find(f"{T}text/{T}body/{DTS}wrapper")) == len(units)
    # every word of the text is in the range of all units
    words = " ".join(tei.find(f"{T}text").itertext()).split()
    got = " ".join(span.find(f"{T}text").itertext()).split()
    assert got == words


def test_page_tree(server):
    res = _resource_with_pages(server)
    nav = server.get(_expand(res["navigation"], tree="page", down="1")).json()
    pages = [u["identifier"] for u in nav["member"]]
    assert pages and all(u["citeType"] == "page" for u in nav["member"])
    doc = etree.fromstring(server.get(_expand(res["document"], tree="page",
                                              ref=pages[0])).content)
    wrapper = doc.find(f"{T}text/{T}body/{DTS}wrapper")
    pbs = [pb.get("n") for pb in wrapper.iter(f"{T}pb")]
    assert pbs[0] == pages[0] and (len(pages) == 1 or pages[1] not in pbs)
    assert " ".join("".join(wrapper.itertext()).split())


@pytest.mark.parametrize("path, params, status", [
    ("navigation", {}, 400),
    ("navigation", {"resource": "RES"}, 400),
    ("navigation", {"resource": "RES", "ref": "1", "start": "1", "end": "2"}, 400),
    ("navigation", {"resource": "RES", "start": "1"}, 400),
    ("navigation", {"resource": "RES", "ref": "999"}, 404),
    ("navigation", {"resource": "RES", "down": "1", "tree": "chapters"}, 404),
    ("navigation", {"resource": "nothing", "down": "1"}, 404),
    ("document", {}, 400),
    ("document", {"resource": "RES", "ref": "999"}, 404),
    ("document", {"resource": "RES", "mediaType": "application/pdf"}, 404),
])
def test_errors(server, path, params, status):
    rid = server.get("/api/dts/collection").json()["member"][0]["@id"]
    params = {k: (rid if v == "RES" else v) for k, v in params.items()}
    r = server.get(f"/api/dts/{path}", params=params)
    assert r.status_code == status, r.text


def test_static_edition_is_served(server):
    r = server.get("/", follow_redirects=True)
    assert r.status_code == 200 and "<h1>Documents</h1>" in r.text
    assert server.get("/html/search.html").status_code == 200
    assert server.get("/html/pagefind/pagefind.js").status_code == 200


def test_serve_without_starlette_says_so(monkeypatch, build):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "uvicorn":
            raise ImportError("No module named 'uvicorn'", name="uvicorn")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    res = CliRunner().invoke(main, ["serve", str(build)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "error: serve needs Starlette and uvicorn (uvicorn is missing): "
        "pip install 'tei-edition[serve]'"]


def test_cmif_lists_the_letters(build):
    cmif = etree.parse(str(build / "cmif.xml")).getroot()
    descs = cmif.findall(f"{T}teiHeader/{T}profileDesc/{T}correspDesc")
    letters = [p for p in (build / "tei").glob("*.xml")
               if etree.parse(str(p)).find(f".//{T}correspDesc") is not None]
    assert len(descs) == len(letters) >= 1
    for d in descs:
        assert d.get("source") == "#edition"
        assert (build / d.get("ref")).is_file()
        sent = d.find(f"{T}correspAction[@type='sent']")
        assert sent is not None
    licence = cmif.find(f".//{T}licence").get("target")
    assert licence == "https://creativecommons.org/licenses/by/4.0/"
    if TEI_ALL.is_file():
        assert tei_all_errors([build / "cmif.xml"]) == ""
