// tei-edition search page: Pagefind's JavaScript API with a year range, kind, person
// and place.  Pagefind is an ES module that fetches its index in small pieces; browsers
// refuse both for pages opened from file://, so there the page says how to serve it.
(function () {
"use strict";
const PAGE = 20;
const $ = (id) => document.getElementById(id);
let pagefind = null;
let current = [];
let shown = 0;
let years = [];
let timer = null;

function safeExcerpt(html, into) {
  // Keep only text and <mark> from Pagefind's excerpt.
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) into.append(node.textContent);
    else if (node.nodeName === "MARK") {
      const m = document.createElement("mark");
      m.textContent = node.textContent;
      into.append(m);
    } else into.append(node.textContent);
  }
}

function filters() {
  const f = {};
  const kind = $("search-kind").value;
  if (kind) f.kind = kind;
  for (const name of ["person", "place"]) {
    const v = $(`search-${name}`).value.trim();
    if (v) f[name] = v;
  }
  const lo = parseInt($("search-from").value, 10);
  const hi = parseInt($("search-to").value, 10);
  if (!isNaN(lo) || !isNaN(hi)) {
    const any = years.filter((y) => (isNaN(lo) || +y >= lo) && (isNaN(hi) || +y <= hi));
    f.year = { any: any.length ? any : ["none"] };
  }
  return f;
}

async function showMore() {
  const list = $("search-results");
  const batch = await Promise.all(current.slice(shown, shown + PAGE).map((r) => r.data()));
  for (const data of batch) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = data.url; // Pagefind resolves it from where its bundle is served
    a.textContent = (data.meta && data.meta.title) || data.url;
    a.className = "result";
    li.append(a);
    if (data.meta && data.meta.date) {
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = data.meta.date + (data.filters && data.filters.kind
        ? " · " + data.filters.kind.join(", ") : "");
      li.append(meta);
    }
    const p = document.createElement("div");
    p.className = "excerpt";
    safeExcerpt(data.excerpt || "", p);
    li.append(p);
    list.append(li);
  }
  shown += batch.length;
  $("search-more").hidden = shown >= current.length;
}

async function run() {
  const term = $("search-q").value.trim();
  const f = filters();
  const status = $("search-status");
  $("search-results").replaceChildren();
  shown = 0;
  if (!term && !Object.keys(f).length) {
    current = [];
    status.textContent = "";
    $("search-more").hidden = true;
    return;
  }
  const search = await pagefind.search(term || null, { filters: f, sort: term ? undefined : { date: "asc" } });
  if (search === null) return; // superseded by a newer search
  current = search.results;
  status.textContent = `${current.length} document${current.length === 1 ? "" : "s"}`;
  await showMore();
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(run, 200);
}

function fill(id, values) {
  const target = $(id);
  for (const v of values) {
    const o = document.createElement("option");
    o.value = v;
    if (target.tagName === "SELECT") o.textContent = v;
    target.append(o);
  }
}

async function start() {
  if (location.protocol === "file:") {
    $("search-notice").hidden = false;
    $("search-form").hidden = true;
    return;
  }
  try {
    pagefind = await import("./pagefind/pagefind.js");
    await pagefind.options({ excerptLength: 30 });
    // a large edition's index comes in several bundles (pagefind-2/, ...): merge them
    const more = await fetch("./pagefind/tei-edition-bundles.json")
      .then((r) => (r.ok ? r.json() : []), () => []);
    for (const name of more) {
      await pagefind.mergeIndex(new URL(name + "/", location.href).href, { excerptLength: 30 });
    }
    const all = await pagefind.filters();
    years = Object.keys(all.year || {}).sort();
    fill("search-kind", Object.keys(all.kind || {}).sort());
    fill("search-person-list", Object.keys(all.person || {}).sort());
    fill("search-place-list", Object.keys(all.place || {}).sort());
  } catch (e) {
    $("search-notice").hidden = false;
    if (location.protocol !== "file:") {
      $("search-notice").textContent = "The search index could not be loaded (" + e + ").";
    }
    return;
  }
  const form = $("search-form");
  form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  form.addEventListener("input", later);
  $("search-more").addEventListener("click", showMore);
  const q = new URLSearchParams(location.search).get("q");
  if (q) $("search-q").value = q;
  form.setAttribute("data-ready", "");
  // typed before the index was loaded
  if ($("search-q").value || Object.keys(filters()).length) run();
}

document.addEventListener("DOMContentLoaded", start);
})();
