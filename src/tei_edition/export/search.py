"""Full-text search of the static edition with Pagefind (https://pagefind.app).

Pagefind indexes the built pages (``data-pagefind-body`` marks the document pages only;
``data-pagefind-filter`` gives kind, year, person and place; ``data-pagefind-sort`` the
date) into ``html/pagefind/``: a few hundred small files fetched on demand, so the search
page stays fast at 10,000 documents.  Its binary ships in the ``pagefind_bin`` wheel
(``pip install 'pagefind[bin]'``, an install dependency of tei-edition); nothing is
downloaded at run time.

``search.html`` is our own small page on Pagefind's JavaScript API: a text box, a year
range, kind, person and place.  Browsers do not let a page ``fetch()`` files from
``file://``, so search needs the edition served over HTTP (``tei-edition serve BUILD``
or ``python3 -m http.server -d BUILD/html``); the page says so when opened from disk.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .common import Reading

BUNDLE = "pagefind"


class SearchUnavailable(Exception):
    """Pagefind is not installed, or indexing failed."""


def pagefind_command() -> list[str] | None:
    """The Pagefind binary of the pagefind_bin wheel (or one on PATH), or None."""
    try:
        import pagefind_bin  # noqa: F401 - the wheel that carries the binary
    except ImportError:
        exe = shutil.which("pagefind")
        return [exe] if exe else None
    return [sys.executable, "-m", "pagefind_bin"]


def build_search_index(html_dir: Path) -> dict:
    """Index ``html_dir`` into ``html_dir/pagefind``; returns {'pages': n, 'seconds': s}."""
    import time

    cmd = pagefind_command()
    if cmd is None:
        raise SearchUnavailable("pagefind is not installed (pip install 'pagefind[bin]'); "
                                "the edition has no search index")
    start = time.perf_counter()
    bundle = html_dir / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)  # no stale fragments of removed documents
    run = subprocess.run([*cmd, "--site", str(html_dir), "--output-subdir", BUNDLE,
                          "--force-language", "en", "--silent"],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SearchUnavailable(f"pagefind failed: {(run.stderr or run.stdout).strip()}")
    pages = len(list((bundle / "fragment").glob("*"))) if (bundle / "fragment").is_dir() else 0
    return {"pages": pages, "seconds": time.perf_counter() - start}


def search_page(readings: list[Reading]) -> bytes:
    """search.html: the form, the results list and the script (search.js)."""
    from .html import _footer, _page, _sub, serialize

    html, main = _page("Search")
    head = html.find("head")
    _sub(head, "script", src="search.js", defer="defer")
    _sub(main, "h1", "Search")
    notice = _sub(main, "p", class_="notice", id="search-notice", hidden="hidden")
    notice.text = ("Search needs the edition to be served over HTTP: run "
                   "“tei-edition serve BUILD” (or “python3 -m http.server -d BUILD/html”) "
                   "and open this page from http://127.0.0.1:8000/.")
    form = _sub(main, "form", class_="search", id="search-form", role="search")
    fields = [("q", "Words", "search"), ("from", "From year", "number"),
              ("to", "To year", "number")]
    for name, label, kind in fields:
        _sub(form, "label", label, **{"for": f"search-{name}"})
        attrs = {"id": f"search-{name}", "name": name, "type": kind}
        if kind == "number":
            attrs.update(min="1", max="9999", step="1", inputmode="numeric")
        else:
            attrs.update(placeholder="a name, a place, a phrase…", autocomplete="off")
        _sub(form, "input", **attrs)
    _sub(form, "label", "Kind", **{"for": "search-kind"})
    select = _sub(form, "select", id="search-kind", name="kind")
    _sub(select, "option", "any", value="")
    for name, label in (("person", "Person"), ("place", "Place")):
        _sub(form, "label", label, **{"for": f"search-{name}"})
        _sub(form, "input", id=f"search-{name}", name=name, type="text",
             list=f"search-{name}-list", autocomplete="off")
        _sub(form, "datalist", id=f"search-{name}-list")
    _sub(form, "span")
    _sub(form, "button", "Search", type="submit")
    _sub(main, "p", id="search-status", role="status")
    _sub(main, "ol", class_="results", id="search-results")
    more = _sub(main, "button", "More results", type="button", id="search-more")
    more.set("hidden", "hidden")
    _footer(html, f"Full-text search of {len(readings)} documents (Pagefind).")
    return serialize(html)

