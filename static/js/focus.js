// Keyboard focus across HTMX swaps, on every page. A swap that replaces the element that had the focus (a
// « Modifier » link opening its form, a form saved or cancelled, a tab, a sort button, a page link) would drop
// the focus to the top of the page (WCAG 2.4.3): the keyboard would start over from the header. HTMX gives it
// back to an element of the new content with the same id; when there is none, this puts it in the new content:
// on the element its target names in data-qic-focus, else on the first field of a form it holds (an editor just
// opened), else on its first heading (a section just saved), else on the content itself. Swaps started from
// elsewhere (a page polling its progress, the header's live search, a filter of a form outside the results)
// leave the focus where it is. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  var FIELD = "form input:not([type=hidden]):not([disabled]), form textarea:not([disabled]), form select:not([disabled])";
  var FOCUSABLE = "a[href], button, input, textarea, select, [tabindex]";
  var pending = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    var inside = target && active && active !== document.body && target.contains(active);
    pending = inside ? { id: target.id, named: target.getAttribute("data-qic-focus") } : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    var state = pending;
    pending = null;
    if (!state || !state.id || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    var root = document.getElementById(state.id);
    if (!root) {
      return;
    }
    var field = root.querySelector("[data-qic-autofocus]") || root.querySelector(FIELD);
    if (!state.named && field) {
      field.focus();
      return;
    }
    var spot = (state.named && document.getElementById(state.named)) || root.querySelector("h2, h3, h4, h5, h6") || root;
    if (!spot.matches(FOCUSABLE)) {
      spot.setAttribute("tabindex", "-1");
    }
    spot.focus({ preventScroll: true });
  });
})();
