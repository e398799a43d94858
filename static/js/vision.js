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

// The change form: "contributes to" offers the changes of a higher level than the one chosen (the server
// renders it so for the level the form opened with; this follows the level select when it changes).
(function () {
  "use strict";
  var RANK = { direct: 1, intermediate: 2, ultimate: 3 };
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches(".qic-change--editing select[name=level]")) {
      return;
    }
    var rank = RANK[select.value] || 0;
    select.form.querySelectorAll("[data-qic-level]").forEach(function (option) {
      var reachable = (RANK[option.getAttribute("data-qic-level")] || 0) > rank;
      option.hidden = !reachable;
      if (!reachable) {
        option.querySelector("input").checked = false;
      }
    });
  });
})();
