// Nothing typed is lost to a refusal that is not the writer's fault. Two parts, on every page:
// - a submission the server kept (its session had ended, its page's token was stale: qic/unsaved.py) comes
//   back on the page it was sent from: its fields are put back in the form they came from (found by its
//   address; when the form opens from a link, as the vision workspace's editors do, the link is followed
//   first), and the message above says so. Without this script, the message shows the texts to copy.
// - an HTMX request that fails (the server unreachable, an error) changes nothing on the page: HTMX swaps
//   nothing. A message next to the form now says that nothing was saved and that what was typed is still
//   there, to send again.
// - leaving a page, or closing an editor (« Annuler »), while a form holds text typed and not yet sent asks
//   first (the browser's own question when leaving; a confirmation when an HTMX request would replace it);
//   so does saving a form that would erase a saved text.
// Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";

  function pathOf(url) {
    try {
      return new URL(url, window.location.href).pathname;
    } catch (error) {
      return null;
    }
  }

  function formFor(action) {
    var forms = document.querySelectorAll("main form");
    for (var i = 0; i < forms.length; i++) {
      var target = forms[i].getAttribute("hx-post") || forms[i].getAttribute("action") || window.location.href;
      if (pathOf(target) === action) {
        return forms[i];
      }
    }
    return null;
  }

  function fill(form, fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    var first = null;
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      var type = (element.type || "").toLowerCase();
      if (!name || name === "csrfmiddlewaretoken" || type === "file" || type === "password" ||
          type === "submit" || type === "button") {
        return;
      }
      var kept = values[name] || [];
      if (type === "checkbox" || type === "radio") {
        element.checked = kept.indexOf(element.value) !== -1; // an unticked box is not sent
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = kept.indexOf(option.value) !== -1;
        });
      } else if (kept.length) {
        var same = form.querySelectorAll("[name=\"" + CSS.escape(name) + "\"]");
        var index = Array.prototype.indexOf.call(same, element);
        element.value = kept[Math.min(Math.max(index, 0), kept.length - 1)];
        if (!first && type !== "hidden" && element.value) {
          first = element;
        }
      } else {
        return;
      }
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return first;
  }

  function restore() {
    var box = document.getElementById("qic-unsaved");
    var data = document.getElementById("qic-unsaved-fields");
    if (!box || !data) {
      return;
    }
    var fields = JSON.parse(data.textContent);
    var action = box.getAttribute("data-qic-action");
    var status = box.querySelector("[data-qic-unsaved-status]");

    function done(form) {
      var field = fill(form, fields);
      status.textContent = "Elle a été remise dans ce formulaire\u00a0: vérifiez-la, puis enregistrez-la.";
      status.id = "qic-unsaved-status";
      form.parentNode.insertBefore(box, form); // the message goes next to the form it speaks of
      mark(form); // not saved yet
      var copy = box.querySelector(".qic-unsaved__texts");
      if (copy) {
        copy.remove(); // the text is in the form now
      }
      form.setAttribute("data-qic-restored", "");
      if (field) {
        var described = field.getAttribute("aria-describedby");
        field.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);
      }
      (field || form).scrollIntoView({ block: "center" });
      if (field) {
        field.focus({ preventScroll: true });
      } else {
        box.focus({ preventScroll: true });
      }
    }

    var form = formFor(action);
    if (form) {
      done(form);
      return;
    }
    // The form opens from a link (an editor the page loads in place): open it, then fill it.
    var links = document.querySelectorAll("main a[href][hx-get]");
    for (var i = 0; i < links.length; i++) {
      if (pathOf(links[i].getAttribute("href")) === action) {
        var opened = function () {
          var found = formFor(action);
          if (found) {
            document.body.removeEventListener("htmx:afterSettle", opened);
            done(found);
          }
        };
        document.body.addEventListener("htmx:afterSettle", opened);
        if (window.htmx) {
          window.htmx.process(links[i]);
        }
        links[i].click();
        return;
      }
    }
    box.focus();
  }

  // --- Forms holding text not yet sent ----------------------------------------------------------------

  var dirty = [];

  function editing(form) {
    return form && (form.getAttribute("method") || "").toLowerCase() === "post" && form.closest("main");
  }

  function mark(form) {
    if (dirty.indexOf(form) === -1) {
      dirty.push(form);
    }
  }

  function forget(form) {
    dirty = dirty.filter(function (other) {
      return other !== form && other.isConnected;
    });
  }

  function dirtyWithin(element) {
    forget(null);
    return dirty.filter(function (form) {
      return element.contains(form);
    });
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (event.isTrusted && editing(form) && event.target.type !== "hidden") {
      mark(form);
    }
  }, true);
  // --- A saved text emptied ----------------------------------------------------------------------------
  // A text box that showed a saved text (the form opened on it) and is sent empty would erase that text for
  // everyone who shares it: the page asks first, naming what would be erased. Before HTMX sees the submit.

  function labelOf(box) {
    var label = box.id && document.querySelector("label[for='" + box.id + "']");
    var first = label && label.firstChild;
    return first && first.nodeType === Node.TEXT_NODE && first.textContent.trim() ? first.textContent.trim() : box.name;
  }

  function emptied(form) {
    return Array.prototype.filter.call(form.querySelectorAll("textarea"), function (box) {
      return !box.disabled && box.defaultValue.trim() && !box.value.trim();
    }).map(labelOf);
  }

  window.addEventListener("submit", function (event) {
    var form = event.target;
    var names = editing(form) ? emptied(form) : [];
    if (!names.length) {
      return;
    }
    var what = names.map(function (name) {
      return "«\u00a0" + name + "\u00a0»";
    }).join(", ");
    var question = (names.length > 1 ? "Les textes " + what + " vont être effacés" : "Le texte " + what +
      " va être effacé") + "\u00a0: il ne restera rien de ce qui y était écrit, pour personne. Enregistrer quand même\u202f?";
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation(); // neither sent nor taken by HTMX
    }
  }, true);
  window.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      forget(event.target); // sent the plain way (HTMX did not take it): the page leaves with it
    }
  });
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var form = event.detail.elt;
    // The form's own request (not a field's, as the vision statement's live hints).
    if (form && form.tagName === "FORM" && xhr &&
        ((xhr.status >= 200 && xhr.status < 300) || xhr.getResponseHeader("HX-Redirect"))) {
      forget(form); // saved, sent back with its errors, or kept by the server (qic/unsaved.py)
    }
  });
  window.addEventListener("beforeunload", function (event) {
    forget(null);
    if (dirty.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.addEventListener("htmx:confirm", function (event) {
    var element = event.detail.elt;
    var target = event.detail.target;
    var verb = (event.detail.verb || "get").toLowerCase();
    if (verb !== "get" || !target || (element && element.closest("[data-qic-quiet-failure]"))) {
      return;
    }
    var lost = dirtyWithin(target);
    if (lost.length && !window.confirm("Ce que vous avez saisi n’a pas été enregistré. L’abandonner\u202f?")) {
      event.preventDefault(); // the request is not sent
    }
  });

  // --- HTMX requests that fail ------------------------------------------------------------------------

  function failureText(detail) {
    var xhr = detail.xhr;
    var status = xhr ? xhr.status : 0;
    var sent = (detail.requestConfig && detail.requestConfig.verb || "get").toLowerCase() !== "get";
    var what = sent ? "Rien n’a été enregistré" : "La page n’a pas pu être mise à jour";
    var kept = sent ? "\u202f; ce que vous avez saisi est toujours là\u00a0: vous pouvez l’envoyer de nouveau." : ".";
    if (!status) {
      return what + "\u00a0: le serveur n’a pas pu être joint (connexion interrompue\u202f?)" + kept;
    }
    if (status === 403) {
      return what + "\u00a0: vous n’avez pas (ou plus) les droits nécessaires. Rechargez la page pour voir ce " +
        "que vous pouvez faire.";
    }
    if (status === 404 || status === 410) {
      return what + "\u00a0: cet élément n’existe plus (il a peut-être été supprimé entre-temps). Rechargez la page.";
    }
    if (status === 413) {
      return what + "\u00a0: l’envoi est trop volumineux." + (sent ? " Réduisez le fichier ou le texte, puis " +
        "envoyez de nouveau." : "");
    }
    if (status === 429) {
      return what + "\u00a0: trop de demandes en peu de temps. Attendez un instant" + kept;
    }
    return what + "\u00a0: le serveur a rencontré une erreur (" + status + ")" + kept;
  }

  function notice(element) {
    var holder = element.closest("form") || element;
    var box = holder.previousElementSibling;
    if (!box || !box.classList.contains("qic-request-failed")) {
      box = document.createElement("div");
      box.className = "fr-alert fr-alert--error fr-alert--sm fr-mb-2w qic-request-failed";
      box.setAttribute("role", "alert");
      box.appendChild(document.createElement("p"));
      holder.parentNode.insertBefore(box, holder);
    }
    return box;
  }

  function failed(event) {
    var element = event.detail.elt;
    if (!element || !element.isConnected || element.closest("[data-qic-quiet-failure]")) {
      return; // a request the page makes on its own (a progress poll) retries by itself
    }
    notice(element).firstChild.textContent = failureText(event.detail);
  }

  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    var holder = element && (element.closest("form") || element);
    var box = holder && holder.previousElementSibling;
    if (box && box.classList.contains("qic-request-failed")) {
      box.remove(); // sent again: the outcome will tell
    }
  });

  // After HTMX has set up the page's links (its own DOMContentLoaded handler was added first).
  if (document.readyState === "complete") {
    restore();
  } else {
    document.addEventListener("DOMContentLoaded", restore);
  }
})();
