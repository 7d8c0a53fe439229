"""The HTML edition in a real headless browser (Debian's chromium driven by playwright).

Loaded from file:// as a reader would open it: no console errors, every internal link
resolves (the target file exists and has the #anchor), and a screenshot is written."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner

from conftest import SEEDS
from tei_edition.cli import main as cli_main
from tei_edition.export import export_all, search

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)")
if not CHROMIUM.exists():
    pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(cli_main, ["convert", str(SEEDS), "-o", str(build / "tei"),
                                           "-q"])
    assert result.exit_code == 0, result.output
    evil = build / "src" / "evil.txt"
    evil.parent.mkdir()
    evil.write_text("Memorandum <script>alert(1)</script>\n\nThe <b>United Nations</b> "
                    "met in Korea on June 2, 1953.\n", encoding="utf-8")
    result = CliRunner().invoke(cli_main, ["convert", str(evil), "-o", str(build / "tei"),
                                           "-q"])
    assert result.exit_code == 0, result.output
    # two documents to a search bundle: the search page merges two (as at 2,000 pages)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search, "SHARD_PAGES", 2)
        summary = export_all([build / "tei"], build)
    assert summary["failed"] == []
    assert not isinstance(summary["search"], dict) or summary["search"]["bundles"] == 2
    return build / "html"


@pytest.fixture(scope="module")
def page():
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except Exception as e:  # noqa: BLE001 - a broken browser install is not our bug
            pytest.skip(f"chromium at {CHROMIUM} does not start: {e}")
        pg = browser.new_page(viewport={"width": 1000, "height": 1300})
        yield pg
        browser.close()


def _visit(page, url: str) -> list[str]:
    """Load a page; return its console errors/warnings, script errors and dialogs."""
    problems: list[str] = []

    def on_console(m) -> None:
        if m.type in ("error", "warning"):
            problems.append(f"console {m.type}: {m.text}")

    def on_error(e) -> None:
        problems.append(f"page error: {e}")

    def on_dialog(d) -> None:
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("dialog", on_dialog)
    try:
        response = page.goto(url)
        assert response is None or response.ok
        page.wait_for_load_state("load")
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
        page.remove_listener("dialog", on_dialog)
    return problems


def _check_links(page, html_dir: Path) -> int:
    """Every link to a local file lands on an existing file, and on an existing id."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    checked = 0
    for href in hrefs:
        url = urlparse(href)
        if url.scheme in ("http", "https"):
            continue
        assert url.scheme == "file", href
        target = Path(unquote(url.path))
        assert target.is_file(), href
        # relative links stay inside the edition (the TEI, text and JSON files beside it)
        assert target.parent == html_dir or target.parent.parent == html_dir.parent, href
        if url.fragment and target.suffix == ".html":
            ids = _ids(target)
            assert unquote(url.fragment) in ids, href
        checked += 1
    return checked


_ID_CACHE: dict[Path, set[str]] = {}


def _ids(path: Path) -> set[str]:
    if path not in _ID_CACHE:
        from lxml import html

        _ID_CACHE[path] = {e.get("id") for e in html.parse(str(path)).iter() if e.get("id")}
    return _ID_CACHE[path]


def test_index_loads_and_links_resolve(edition, page, tmp_path):
    assert _visit(page, (edition / "index.html").as_uri()) == []
    assert page.title() == "Documents"
    assert page.locator("table.documents tbody tr").count() == 3
    assert _check_links(page, edition) >= 6
    shot = tmp_path / "index.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000


def test_document_page_loads_and_links_resolve(edition, page, tmp_path):
    doc = next(p for p in sorted(edition.glob("*.html")) if p.stem[:3].isdigit()
               and "[p. " in p.read_text(encoding="utf-8"))
    assert _visit(page, doc.as_uri()) == []
    assert page.locator("h1").count() == 1
    assert page.locator("span.pb").count() >= 1
    assert page.locator("span.pb").first.is_visible()
    assert _check_links(page, edition) >= 5
    shot = Path(os.environ.get("TEI_EDITION_SCREENSHOT", tmp_path / "document.png"))
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10000
    # an entity link opens a pop-up with the entry and its authority links
    link = page.locator("article a.person, article a.place, article a.org").first
    assert link.count()
    url = page.url
    link.click()
    popup = page.locator(".popup")
    assert popup.is_visible() and page.url == url
    name = popup.locator("strong a")
    assert name.inner_text() and name.get_attribute("href").endswith(".html")
    page.keyboard.press("Escape")
    assert page.locator(".popup").count() == 0
    # ctrl-click or the pop-up's name link leads to the entry's own page
    link.click()
    page.locator(".popup strong a").click()
    page.wait_for_load_state("load")
    assert page.url.split("/")[-1].startswith(("person-", "place-", "org-"))
    assert page.locator("ol.mentions a").count() >= 1


def test_index_pages_and_escaped_document(edition, page):
    for name in ("persons.html", "places.html", "orgs.html", "search.html"):
        assert _visit(page, (edition / name).as_uri()) == [], name
        _check_links(page, edition)
    # the crafted document: its markup is shown as text and runs nothing
    assert _visit(page, (edition / "evil.html").as_uri()) == []
    assert "<script>alert(1)</script>" in page.inner_text("h1")
    assert page.eval_on_selector_all("script", "els => els.map(e => e.getAttribute('src'))") \
        == ["edition.js"]  # ours, nothing from the source
    assert page.locator("article b").count() == 0


def test_print_stylesheet_hides_navigation(edition, page):
    doc = next(p for p in sorted(edition.glob("*.html")) if p.stem[:3].isdigit())
    _visit(page, doc.as_uri())
    assert page.locator("header.site").is_visible()
    page.emulate_media(media="print")
    try:
        assert not page.locator("header.site").is_visible()
        assert page.locator("article").is_visible()
    finally:
        page.emulate_media(media="screen")


@pytest.fixture(scope="module")
def served(edition):
    """The build folder on a plain static server (http.server), 127.0.0.1 only."""
    import functools
    import http.server
    import threading

    if not (edition / "pagefind" / "pagefind.js").is_file():
        pytest.skip("no search index: pagefind is not installed (pip install 'pagefind[bin]')")
    handler = functools.partial(_QuietHandler, directory=str(edition.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/html/"
    server.shutdown()
    server.server_close()


try:
    import http.server as _http_server

    class _QuietHandler(_http_server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the test output clean
            pass
except ImportError:  # pragma: no cover
    pass


def test_search_finds_a_name_and_follows_it(edition, served, page):
    assert _visit(page, served + "search.html") == []
    page.wait_for_selector("#search-form[data-ready]", timeout=15000)
    page.fill("#search-q", "Syngman")
    page.wait_for_selector("#search-results li a.result", timeout=15000)
    first = page.locator("#search-results li a.result").first
    title = first.inner_text()
    assert page.locator("#search-results mark").first.inner_text().lower() == "syngman"
    first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == title
    assert "Syngman" in page.locator("article").inner_text()


def test_search_merges_every_bundle(edition, served, page):
    """Three documents in two bundles: a word of each finds its document, and the date
    order of a search without words runs across the bundles."""
    assert json.loads((edition / "pagefind" / "tei-edition-bundles.json").read_text()) \
        == ["pagefind-2"]
    assert _visit(page, served + "search.html") == []
    page.wait_for_selector("#search-form[data-ready]", timeout=15000)
    for word, title in (("Panmunjom", "Letter to President Syngman Rhee"),
                        ("Rusk", "Memorandum by the Assistant Secretary"),
                        ("script", "Memorandum <script>")):
        page.fill("#search-q", word)  # the best result first, whichever bundle holds it
        page.wait_for_function(
            "t => document.querySelector('#search-results a.result')?.textContent"
            ".startsWith(t)", arg=title, timeout=15000)
    page.fill("#search-q", "")
    page.select_option("#search-kind", "")
    page.fill("#search-from", "1900")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 3",
                           timeout=15000)
    dates = page.eval_on_selector_all("#search-results li .meta",
                                      "els => els.map(e => e.textContent)")
    years = [int(next(w for w in d.split() if w.isdigit() and len(w) == 4)) for d in dates]
    assert years == sorted(years)


def test_search_filters_kind_person_and_years(edition, served, page):
    assert _visit(page, served + "search.html") == []
    page.wait_for_function("document.querySelectorAll('#search-kind option').length > 1",
                           timeout=15000)
    kinds = page.eval_on_selector_all("#search-kind option", "os => os.map(o => o.value)")
    persons = page.eval_on_selector_all("#search-person-list option",
                                        "os => os.map(o => o.value)")
    assert len(kinds) > 1 and persons
    # a person filter alone lists the documents that name the person
    page.fill("#search-person", persons[0])
    page.wait_for_selector("#search-results li", timeout=15000)
    with_person = page.locator("#search-results li").count()
    assert with_person >= 1
    # a year range around every document keeps them all; one that holds none empties it
    page.fill("#search-from", "1900")
    page.fill("#search-to", "2000")
    page.wait_for_function(f"document.getElementById('search-status').textContent"
                           f".startsWith('{with_person} ')", timeout=15000)
    assert page.locator("#search-results li").count() == with_person
    page.select_option("#search-kind", kinds[1])
    page.wait_for_function(
        "k => [...document.querySelectorAll('#search-results li .meta')]"
        ".every(m => m.textContent.endsWith(k))", arg=kinds[1], timeout=15000)
    page.select_option("#search-kind", "")
    page.fill("#search-from", "1800")
    page.fill("#search-to", "1801")
    page.wait_for_function("document.getElementById('search-status').textContent"
                           ".startsWith('0 ')", timeout=15000)
    assert page.locator("#search-results li").count() == 0


def test_search_from_disk_says_how_to_serve(edition, page):
    assert _visit(page, (edition / "search.html").as_uri()) == []
    assert page.locator("#search-notice").is_visible()
    assert "tei-edition serve" in page.locator("#search-notice").inner_text()


def test_previous_next_in_date_order(edition, page):
    assert _visit(page, (edition / "index.html").as_uri()) == []
    order = page.eval_on_selector_all("table.documents tbody a",
                                      "as => as.map(a => a.getAttribute('href'))")
    _visit(page, (edition / order[0]).as_uri())
    assert page.locator("nav.docnav a[rel=prev]").count() == 0
    seen = [order[0]]
    while page.locator("nav.docnav a[rel=next]").count():
        page.locator("nav.docnav a[rel=next]").click()
        page.wait_for_load_state("load")
        seen.append(page.url.split("/")[-1])
    assert seen == order
    page.locator("nav.docnav a[rel=prev]").click()
    page.wait_for_load_state("load")
    assert page.url.split("/")[-1] == order[-2]


def test_highlight_toggle(edition, page):
    doc = next(p for p in sorted(edition.glob("*.html")) if p.stem[:3].isdigit())
    _visit(page, doc.as_uri())
    name = page.locator("article a.person, article a.place, article a.org").first
    colour = "el => getComputedStyle(el).backgroundColor"
    on = name.evaluate(colour)
    assert on not in ("rgba(0, 0, 0, 0)", "transparent")
    page.uncheck("#highlight")
    assert name.evaluate(colour) in ("rgba(0, 0, 0, 0)", "transparent")
    page.check("#highlight")
    assert name.evaluate(colour) == on


def teardown_module() -> None:
    _ID_CACHE.clear()
