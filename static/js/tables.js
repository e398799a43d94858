// Tables wider than the screen (on a phone): their last columns are reached by sliding the table sideways,
// and nothing on screen said so (the attendance column of a session, the levels of a self-assessment were
// simply not there). A line above each such table says it, while the table is wider than its box: checked
// when the page loads, when the window changes size and after each HTMX swap. Loaded as a file: the CSP
// forbids inline script.
(function () {
  "use strict";
  var SCROLLERS = ".fr-table__container, .fr-table > table, .qic-table-wrap > table";
  var TEXT = "Tableau plus large que l’écran\u00a0: faites-le glisser pour voir toutes ses colonnes.";

  function update() {
    Array.prototype.forEach.call(document.querySelectorAll(SCROLLERS), function (scroller) {
      var box = scroller.closest(".fr-table") || scroller;
      var hint = box.previousElementSibling;
      var present = hint && hint.classList.contains("qic-scroll-hint");
      var wide = scroller.scrollWidth > scroller.clientWidth + 1;
      if (wide && !present) {
        hint = document.createElement("p");
        hint.className = "qic-scroll-hint fr-text--xs fr-mb-1v";
        hint.setAttribute("aria-hidden", "true"); // a screen reader reads the table cell by cell
        hint.textContent = TEXT;
        box.parentNode.insertBefore(hint, box);
      } else if (present) {
        hint.hidden = !wide;
      }
    });
  }

  var timer = null;
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 150);
  }

  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
