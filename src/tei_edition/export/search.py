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

import re
import shutil
import subprocess
import sys
from pathlib import Path

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


# Pagefind holds a whole index in memory while it builds it (about 300 KB a page here, so
# 3 GB at 10,000 documents; upstream Pagefind/pagefind#842).  Past this many document
# pages the index is built in bundles of at most this many pages each, which the search
# page merges (Pagefind's ``mergeIndex``): the indexer's memory stays bounded however large
# the edition.
SHARD_PAGES = 2000
# In the primary bundle: the other bundles the search page merges, in order.
BUNDLES_FILE = "tei-edition-bundles.json"
_EXTRA_BUNDLE = re.compile(re.escape(BUNDLE) + r"-\d+")


def build_search_index(html_dir: Path, pages: list[str] | None = None,
                       shard: int | None = None, jobs: int = 1) -> dict:
    """Index ``html_dir`` into ``html_dir/pagefind``; returns {'pages': n, 'seconds': s,
    'bundles': b}.

    ``pages``: the document pages (file names in ``html_dir``), in date order.  Where they
    are more than ``shard`` (default SHARD_PAGES), each run of ``shard`` of them is indexed
    apart, into ``pagefind/``, ``pagefind-2/``, …, up to ``jobs`` indexers at a time; the
    search page merges them.  The date order keeps a search sorted by date in order across bundles."""
    import json
    import time

    cmd = pagefind_command()
    if cmd is None:
        raise SearchUnavailable("pagefind is not installed (pip install 'pagefind[bin]'); "
                                "the edition has no search index")
    start = time.perf_counter()
    shard = shard or SHARD_PAGES
    for old in html_dir.iterdir() if html_dir.is_dir() else ():
        if old.is_dir() and (old.name == BUNDLE or _EXTRA_BUNDLE.fullmatch(old.name)
                             or old.name.startswith(_SITE_PREFIX)):
            shutil.rmtree(old)  # no stale fragments of removed documents, no stale bundles
    if pages is None or len(pages) <= shard:
        _run_all([_pagefind(cmd, html_dir, html_dir / BUNDLE)], 1)
        bundles = [BUNDLE]
    else:
        shards = [pages[i : i + shard] for i in range(0, len(pages), shard)]
        bundles = [BUNDLE] + [f"{BUNDLE}-{k}" for k in range(2, len(shards) + 1)]
        sites = [_site_of(html_dir, names) for names in shards]
        try:
            runs = zip(sites, bundles, strict=True)
            _run_all([_pagefind(cmd, site, html_dir / b) for site, b in runs], jobs)
        finally:
            for site in sites:
                shutil.rmtree(site, ignore_errors=True)
    # written for one bundle too: the search page asks for it (a 404 would be an error)
    (html_dir / BUNDLE / BUNDLES_FILE).write_text(json.dumps(bundles[1:]) + "\n",
                                                  encoding="utf-8")
    pages_done = sum(len(list((html_dir / b / "fragment").glob("*")))
                     for b in bundles if (html_dir / b / "fragment").is_dir())
    return {"pages": pages_done, "seconds": time.perf_counter() - start,
            "bundles": len(bundles)}


_SITE_PREFIX = ".pagefind-site-"


def _site_of(html_dir: Path, names: list[str]) -> Path:
    """A folder beside the pages holding (hard links to) these pages only: what one
    indexer run sees.  Their URLs in the index are those of the pages themselves."""
    import os
    import tempfile

    site = Path(tempfile.mkdtemp(prefix=_SITE_PREFIX, dir=html_dir))
    for name in names:
        try:
            os.link(html_dir / name, site / name)
        except OSError:  # a file system without hard links
            shutil.copyfile(html_dir / name, site / name)
    return site


def _pagefind(cmd: list[str], site: Path, bundle: Path) -> list[str]:
    # absolute: the indexer resolves a relative output path against its own working folder
    return [*cmd, "--site", str(site.resolve()), "--output-path", str(bundle.resolve()),
            "--force-language", "en", "--silent"]


def _run_all(commands: list[list[str]], jobs: int) -> None:
    """Run the indexers, at most ``jobs`` at a time (Pagefind indexes on one core)."""
    running: list[subprocess.Popen] = []
    failures: list[str] = []

    def wait_one() -> None:
        proc = running.pop(0)
        out, errs = proc.communicate()
        if proc.returncode != 0:
            failures.append((errs or out).strip())

    for command in commands:
        if len(running) >= max(1, jobs):
            wait_one()
        running.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True))
    while running:
        wait_one()
    if failures:
        raise SearchUnavailable(f"pagefind failed: {failures[0]}")


def search_page(documents: int) -> bytes:
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
    _footer(html, f"Full-text search of {documents} documents (Pagefind).")
    return serialize(html)

