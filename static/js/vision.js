// The vision workspace, made faster by HTMX: after an in-place swap, put the keyboard focus where the person
// continues (the form just opened, or the panel just saved). Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.isConnected) {
      target = document.getElementById(event.detail.elt && event.detail.elt.id) || null;
    }
    var root = target && target.isConnected ? target : document;
    var field = root.querySelector("[data-qic-autofocus], .qic-change--editing textarea, .qic-change--editing input:not([type=hidden]), .qic-editor textarea, .qic-action--editing input:not([type=hidden]), .qic-factor--editing input:not([type=hidden])");
    if (field && root !== document) {
      field.focus();
    }
  });
})();
