// tei-edition document pages: entity pop-ups and the highlighting switch.
// Without script the pages still work: a name links to its index page, and the
// switch works through CSS (:has) alone; the script adds the pop-up and remembers
// the switch across pages.
(function () {
  "use strict";
  var KEY = "tei-edition-highlight";

  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* file:// */ }
  }
  function remembered() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function setupHighlight() {
    var box = document.getElementById("highlight");
    if (!box) return;
    if (remembered() === "off") box.checked = false;
    var apply = function () {
      document.documentElement.classList.toggle("plain", !box.checked);
    };
    apply();
    box.addEventListener("change", function () { apply(); remember(box.checked); });
  }

  var popup = null;
  function closePopup() {
    if (popup) { popup.remove(); popup = null; }
  }

  function openPopup(link) {
    var entry = document.getElementById("entity-" + link.getAttribute("data-entity"));
    if (!entry) return false;
    closePopup();
    popup = document.createElement("div");
    popup.className = "popup";
    popup.setAttribute("role", "dialog");
    popup.setAttribute("aria-label", entry.getAttribute("data-label") || "Entry");
    var close = document.createElement("button");
    close.className = "close";
    close.type = "button";
    close.setAttribute("aria-label", "Close");
    close.textContent = "×";
    close.addEventListener("click", closePopup);
    popup.appendChild(close);
    var body = document.createElement("div");
    body.className = "entry-body";
    entry.childNodes.forEach(function (node) { body.appendChild(node.cloneNode(true)); });
    popup.appendChild(body);
    document.body.appendChild(popup);
    var r = link.getBoundingClientRect();
    var left = Math.max(8, Math.min(r.left + window.scrollX,
      window.scrollX + document.documentElement.clientWidth - popup.offsetWidth - 8));
    popup.style.left = left + "px";
    popup.style.top = (r.bottom + window.scrollY + 4) + "px";
    close.focus();
    return true;
  }

  function setupPopups() {
    document.addEventListener("click", function (ev) {
      var link = ev.target.closest ? ev.target.closest("a[data-entity]") : null;
      if (link && !(ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0)) {
        if (openPopup(link)) ev.preventDefault();
        return;
      }
      if (popup && !popup.contains(ev.target)) closePopup();
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") closePopup();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupHighlight();
    setupPopups();
  });
})();
