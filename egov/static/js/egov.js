// Every page: the phone menu button and the error summary. Without script the menu
// stays unfolded and the summary, first in the main content, still lists its links.
(function () {
  "use strict";

  // --- The menu folded below 40rem -------------------------------------------
  var toggle = document.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        toggle.click();
        toggle.focus();
      }
    });
  }

  // --- Stacked tables keep being tables ----------------------------------------
  // On phones table.stack rows are display: block (egov.css), which makes some
  // browsers forget the table; explicit roles keep rows and headers announced.
  Array.prototype.forEach.call(document.querySelectorAll("table.stack"), function (table) {
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (el) { el.setAttribute("role", "rowgroup"); });
    Array.prototype.forEach.call(table.querySelectorAll("tr"), function (el) { el.setAttribute("role", "row"); });
    Array.prototype.forEach.call(table.querySelectorAll("th"), function (el) {
      el.setAttribute("role", el.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
    });
    Array.prototype.forEach.call(table.querySelectorAll("td"), function (el) { el.setAttribute("role", "cell"); });
  });

  // --- The error summary ------------------------------------------------------
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();

  function labelFor(input) {
    // The question a person reads: a group's legend, else the input's label.
    var fieldset = input.closest("fieldset");
    if (fieldset && (input.type === "radio" || input.type === "checkbox" || !input.labels || !input.labels.length)) {
      var legend = fieldset.querySelector("legend");
      if (legend) return legend;
    }
    return (input.id && document.querySelector('label[for="' + CSS.escape(input.id) + '"]')) || input;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    // A field inside a folded panel (staff actions) is shown first.
    for (var box = input.closest("details"); box; box = box.parentElement && box.parentElement.closest("details")) {
      box.open = true;
    }
    labelFor(input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
})();
