// Keyboard focus across HTMX swaps, on every page. A swap that replaces the element that had the focus (a
// « Modifier » link opening its form, a form saved or cancelled, a tab, a sort button, a page link) would drop
// the focus to the top of the page (WCAG 2.4.3): the keyboard would start over from the header. HTMX gives it
// back to an element of the new content with the same id; when there is none, this puts it in the new content:
// - on what the server marks data-qic-autofocus, or on the first field marked invalid (a form sent back with
//   its errors);
// - on the element the target names in data-qic-focus (the dashboard: the table's heading);
// - after a link (a GET), on the first field of a form the new content holds (an editor just opened);
// - else on its first heading (a section saved, cancelled, an item deleted), else on its first link or button
//   (« Ajouter un lieu » back after a place was added), else on the content itself.
// Content removed by the swap (an item deleted) leaves the focus to its container. Swaps started from elsewhere
// (a page polling its progress, the header's live search, a filter of a form outside the results) leave the
// focus where it is. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  var FIELD = "form input:not([type=hidden]):not([disabled]), form textarea:not([disabled]), form select:not([disabled])";
  var FOCUSABLE = "a[href], button, input, textarea, select, [tabindex]";
  var pending = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    var inside = target && active && active !== document.body && target.contains(active);
    var config = event.detail.requestConfig || {};
    pending = inside
      ? {
          id: target.id,
          named: target.getAttribute("data-qic-focus"),
          sent: (config.verb || "get").toLowerCase() !== "get",
          container: target.parentElement,
        }
      : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    var state = pending;
    pending = null;
    if (!state || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    var root = (state.id && document.getElementById(state.id)) || state.container;
    if (!root || !root.isConnected) {
      return;
    }
    var spot = root.querySelector("[data-qic-autofocus], [aria-invalid=true]");
    if (!spot && state.named) {
      spot = document.getElementById(state.named);
    }
    if (!spot && !state.sent) {
      spot = root.querySelector(FIELD);
    }
    if (spot && spot.matches("input, textarea, select")) {
      spot.focus();
      return;
    }
    spot = spot || root.querySelector("h2, h3, h4, h5, h6") || root.querySelector("a[href], button") || root;
    if (!spot.matches(FOCUSABLE)) {
      spot.setAttribute("tabindex", "-1");
    }
    spot.focus({ preventScroll: true });
  });
})();
