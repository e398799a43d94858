// The session's time limits, announced (WCAG 2.2.1, RGAA 13.1). A session ends after some time without a
// request (30 minutes) and, whatever the activity, some hours after sign-in. Someone typing a long text sends
// no request: so, while a person types or clicks on a page, this tells the server now and then that they are
// there. Two minutes before the idle limit, with nobody active, it opens a dialog whose button keeps the
// session; it tells when the session has ended, and before the absolute limit. Several tabs share one
// session: before warning, a tab asks the server how long is left (reading it is not activity). Only the
// server says a session is over (its clock sends the page to the sign-in page).
// Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  var template = document.getElementById("qic-session-template");
  if (!template || !window.fetch) {
    return;
  }
  var SECOND = 1000;
  var idleLimit = Number(template.getAttribute("data-qic-idle-limit")) * SECOND;
  var WARN = Math.min(120 * SECOND, idleLimit / 4); // the warning comes this long before the idle limit
  var ENDS_WARN = 5 * 60 * SECOND; // and this long before the absolute one
  var PING_EVERY = Math.min(5 * 60 * SECOND, idleLimit / 3); // activity reported at most this often
  var stateUrl = template.getAttribute("data-qic-state");
  var extendUrl = template.getAttribute("data-qic-extend");
  var loaded = Date.now();
  var idleAt = loaded + Number(template.getAttribute("data-qic-idle")) * SECOND;
  var endsAt = loaded + Number(template.getAttribute("data-qic-ends")) * SECOND;
  var lastContact = loaded;
  var lastActivity = 0;
  var shown = "";
  var endsWarned = false;
  var busy = false;
  var returnTo = null; // where the keyboard was before the dialog took it
  // The dialog is added to the page the first time it opens (see includes/session_dialog.html).
  var dialog = null;
  var title, text, stay, ok;

  function clockTime(moment) {
    var date = new Date(moment);
    return date.getHours() + "\u00a0h\u00a0" + String(date.getMinutes()).padStart(2, "0");
  }

  function closed() {
    if (shown !== "ended") {
      shown = ""; // closed without keeping the session: the next warning opens it again
    }
    var back = returnTo;
    returnTo = null;
    if (back && back.isConnected) {
      window.setTimeout(function () {
        back.focus(); // back where the person was, once the dialog has let go of the focus
      }, 0);
    }
  }

  function build() {
    document.body.appendChild(template.content.cloneNode(true));
    dialog = document.getElementById("qic-session");
    title = document.getElementById("qic-session-title");
    text = document.getElementById("qic-session-text");
    stay = document.getElementById("qic-session-stay");
    ok = document.getElementById("qic-session-ok");
    stay.addEventListener("click", extend);
    dialog.addEventListener("dsfr.conceal", closed);
    dialog.addEventListener("close", closed);
  }

  function open(attempt) {
    attempt = attempt || 0;
    if (!attempt && !dialog.open && document.activeElement && !dialog.contains(document.activeElement)) {
      returnTo = document.activeElement;
    }
    if (!window.dsfr) {
      if (dialog.showModal && !dialog.open) {
        dialog.showModal();
      }
    } else if (dialog.getAttribute("data-fr-js-modal") === "true") {
      window.dsfr(dialog).modal.disclose();
    } else if (attempt < 40) {
      window.setTimeout(function () {
        open(attempt + 1); // DSFR sets up a modal added to the page within its next frames
      }, 50);
    }
  }

  function close() {
    shown = "";
    if (!dialog) {
      return;
    }
    if (window.dsfr && dialog.getAttribute("data-fr-js-modal") === "true") {
      window.dsfr(dialog).modal.conceal();
    } else if (dialog.open) {
      dialog.close();
    }
  }

  function show(kind) {
    if (kind === shown) {
      return;
    }
    shown = kind;
    if (!dialog) {
      build();
    }
    if (kind === "idle") {
      title.textContent = "Votre session va bientôt se fermer";
      text.textContent = "Sans activité depuis un moment, votre session se fermera à " + clockTime(idleAt) +
        ". Choisissez «\u00a0Rester connecté·e\u00a0» pour continuer.";
    } else if (kind === "ended") {
      title.textContent = "Votre session s’est fermée";
      text.textContent = "Elle s’est fermée après un long moment sans activité, ou a atteint sa durée " +
        "maximale. Ce que vous avez saisi sur cette page n’est pas perdu\u00a0: enregistrez-le comme " +
        "d’habitude, puis reconnectez-vous\u202f; votre saisie vous sera rendue.";
    } else {
      title.textContent = "Votre session se termine bientôt";
      text.textContent = "Par sécurité, une session dure au plus quelques heures\u00a0: la vôtre se fermera à " +
        clockTime(endsAt) + ", quoi que vous fassiez. Enregistrez ce que vous êtes en train de saisir\u202f; " +
        "vous pourrez ensuite vous reconnecter.";
    }
    stay.parentElement.hidden = kind !== "idle";
    ok.parentElement.hidden = kind === "idle";
    open();
  }

  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") {
      headers["X-CSRFToken"] = template.getAttribute("data-qic-token");
    }
    // A redirect (to the sign-in page) means the session is over: not followed.
    var options = { method: method, credentials: "same-origin", redirect: "manual", headers: headers };
    return fetch(method === "POST" ? extendUrl : stateUrl, options).then(function (response) {
      if (!response.ok) {
        // Sent to the sign-in page: the session is over. Anything else (a server restarting): unknown.
        throw { ended: response.type === "opaqueredirect" || response.status === 401 };
      }
      return response.json();
    }).then(function (clock) {
      var now = Date.now();
      if (method === "POST") {
        lastContact = now;
      }
      idleAt = now + clock.idle * SECOND;
      endsAt = now + clock.ends * SECOND;
    });
  }

  function settle() {
    if (idleAt - Date.now() <= WARN) {
      show("idle"); // over only when the server says so: the next check meets the sign-in page
    } else if (shown === "idle") {
      close(); // kept: by this page's button, its typing, or another tab
    }
  }

  function failed(error) {
    if (error && error.ended) {
      show("ended");
    } // unknown (no network, a server restarting): asked again at the next tick
  }

  function extend() {
    if (busy) {
      return;
    }
    busy = true;
    // A refused extension (a token gone stale when another tab signed in again) is not an ended session:
    // the clock says which.
    ask("POST").catch(function () {
      return ask("GET");
    }).then(settle, failed).then(function () {
      busy = false;
    });
  }

  function tick() {
    var now = Date.now();
    if (shown === "ended" || busy) {
      return;
    }
    if (lastActivity > lastContact && now - lastContact >= PING_EVERY) {
      extend(); // someone is here, typing or clicking: the session stays
      return;
    }
    if (!endsWarned && endsAt - now <= ENDS_WARN && endsAt < idleAt) {
      endsWarned = true;
      show("ends");
      return;
    }
    if (idleAt - now > WARN && endsAt > now) {
      return;
    }
    if (lastActivity > lastContact) {
      extend();
      return;
    }
    busy = true;
    ask("GET").then(settle, failed).then(function () {
      busy = false;
    });
  }

  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!dialog || !dialog.contains(event.target)) {
        lastActivity = Date.now();
      }
    }, { capture: true, passive: true });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      lastContact = Date.now(); // every request the page sends is activity
      idleAt = lastContact + idleLimit;
    }
  });
  setInterval(tick, Math.min(15 * SECOND, WARN / 4));
})();
