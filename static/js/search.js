// The header's search: instant results (HTMX) you can walk with the keyboard. The DSFR copies the header's
// tools into the mobile menu as plain HTML (ids suffixed "-mobile"): HTMX is told about that copy too.
// Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  if (window.qicSearch) {
    return;
  }
  window.qicSearch = true;

  function links(box) {
    return Array.prototype.slice.call(box.querySelectorAll(".qic-search-panel a"));
  }

  function close(box) {
    var panel = box.querySelector(".qic-search-panel");
    if (panel) {
      panel.innerHTML = "";
    }
  }

  document.addEventListener("keydown", function (event) {
    var box = event.target.closest && event.target.closest("[data-qic-search]");
    if (!box) {
      return;
    }
    var items = links(box);
    var input = box.querySelector("input[type=search]");
    var index = items.indexOf(event.target);
    if (event.key === "Escape") {
      close(box);
      input.focus();
    } else if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      items[Math.min(index + 1, items.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      (index === 0 ? input : items[index - 1]).focus();
    }
  });

  // Clicking elsewhere closes the panel.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("[data-qic-search]").forEach(function (box) {
      if (!box.contains(event.target)) {
        close(box);
      }
    });
  });

  function processCopies() {
    document.querySelectorAll(".fr-header__menu-links [data-qic-search]").forEach(function (box) {
      if (window.htmx && !box.dataset.qicProcessed) {
        box.dataset.qicProcessed = "1";
        window.htmx.process(box);
      }
    });
  }
  var menu = document.querySelector(".fr-header__menu-links");
  if (menu) {
    new MutationObserver(processCopies).observe(menu, { childList: true });
    processCopies();
  }
})();
