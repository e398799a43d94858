"""What a person typed and sent, kept when the platform refused it for a reason that is not theirs.

Two refusals lose a whole form's text with no fault of its writer:
- the session ended while they wrote (30 minutes without a request is the idle limit: a vision narrative, the
  notes of a session take longer), so the submission meets the sign-in page;
- the page's security token went stale (they signed out and in again in another tab), so it meets the CSRF
  check.

Before either answers, `keep` stores the submission's fields in the session (a new one after a sign-out,
which signing in again keeps) with the page to go back to: the page the form was on. That page, shown to the
same person, gives the fields back once (`take`): a script puts them back in the form, and the page shows
the texts themselves, to copy, when it cannot (`includes/unsaved.html`). The hidden fields come back too: a
version number says which version the text was written against, so a text kept while someone else saved
the same item meets the usual conflict check, not an overwrite.

Nothing is kept from another site's page (a cross-site form cannot plant a text in someone's form), from the
account pages (passwords, codes), from a field whose name says it is a secret, nor files (the message asks
to attach them again). Only a submission with text worth keeping is kept: a sentence, not a button's value.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from django.http import HttpRequest

SESSION_KEY = "qic_unsaved"
# Who the session belonged to when the idle or absolute limit ended it: a form of theirs sent afterwards is
# kept for them (collectives.security.middleware). Forgotten at sign-in.
ENDED_USER_KEY = "qic_ended_user"
MAX_CHARS = 200_000  # everything a form of the platform takes, and more: beyond, the kept text stops
KEPT_SECONDS = 12 * 3600  # the longest a session lives
ACCOUNT_PREFIX = "/comptes/"
SECRET = re.compile(r"csrf|pass|secret|token|otp|(^|_)(code|key)($|_)", re.IGNORECASE)
WORTH_KEEPING = re.compile(r"\S\s+\S|\S{20}")  # two words, or a long word: typed, not a choice


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def same_origin(request: HttpRequest) -> bool:
    """Whether the request was sent by one of the platform's own pages (the browser says so: a page of
    another site cannot set these headers)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    host = request.get_host().lower()
    origin = request.headers.get("Origin")
    if origin is not None:
        return _host(origin) == host
    referer = request.headers.get("Referer")
    return referer is not None and _host(referer) == host


def _local(url: str | None, host: str) -> str | None:
    """The path and query of a URL of this platform, or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc.lower() != host:
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_of(request: HttpRequest) -> str | None:
    """The page the request was sent from: HTMX names it, a plain form's browser sends it as Referer."""
    host = request.get_host().lower()
    return _local(request.headers.get("HX-Current-URL"), host) or _local(request.headers.get("Referer"), host)


def keep(request: HttpRequest, user_id: int) -> bool:
    """Keep this POST's fields for `user_id`, to give back on the page it came from. True when kept."""
    page = page_of(request)
    if (
        request.method != "POST"
        or page is None
        or not same_origin(request)
        or request.path.startswith(ACCOUNT_PREFIX)
        or page.startswith(ACCOUNT_PREFIX)
    ):
        return False
    sent = _sent(request)
    if sent is None:
        return False
    fields, files = sent
    request.session[SESSION_KEY] = {
        "user": user_id,
        "page": page.split("?")[0],
        "action": request.path,
        "fields": fields,
        "files": files,
        "at": int(time.time()),
    }
    return True


def _sent(request: HttpRequest) -> tuple[list, list] | None:
    """The POST's fields worth giving back (no secret, bounded) and its files' names; None without text."""
    try:
        items = list(request.POST.lists())
        files = sorted({upload.name for upload in request.FILES.values()})
    except Exception:  # noqa: BLE001 - a body that cannot be read (too large, malformed) has nothing to keep
        return None
    fields, room = [], MAX_CHARS
    for name, values in items:
        if SECRET.search(name):
            continue
        for value in values:
            if room <= 0:
                break
            value = value[:room]
            room -= len(value)
            fields.append([name, value])
    if not any(WORTH_KEEPING.search(value) for _, value in fields):
        return None
    return fields, files


def sent_to_nothing(request: HttpRequest) -> dict | None:
    """A form sent, without JavaScript, to something that no longer exists (deleted by someone else while it
    was being written): its texts, shown on the "not found" answer itself to copy (there is no form left to
    put them back in). Only to the signed-in person who sent it from one of the platform's pages."""
    user = getattr(request, "user", None)
    if (
        request.method != "POST"
        or user is None
        or not user.is_authenticated
        or request.headers.get("HX-Request")  # the page keeps the text in place and says why (unsaved.js)
        or not same_origin(request)
        or request.path.startswith(ACCOUNT_PREFIX)
    ):
        return None
    sent = _sent(request)
    if sent is None:
        return None
    fields, files = sent
    kept = {"action": "", "fields": [], "files": files, "texts": texts({"fields": fields})}
    kept["status"] = "La voici, pour la copier\u00a0: l’élément auquel elle était destinée n’existe plus."
    return kept


def texts(kept: dict) -> list[str]:
    """The kept values a person wrote (the others are choices and hidden values), in the form's order."""
    return [value for _, value in kept["fields"] if WORTH_KEEPING.search(value)]


def take(request: HttpRequest) -> dict | None:
    """The submission kept for the signed-in person on this page, removed from the session as it is given.
    Another person's is dropped at once (a shared computer); one kept longer than a session lives too."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    kept = session[SESSION_KEY]
    user = getattr(request, "user", None)
    if not isinstance(kept, dict) or time.time() - kept.get("at", 0) > KEPT_SECONDS:
        del session[SESSION_KEY]
        return None
    if user is None or not user.is_authenticated:
        return None  # kept for after sign-in
    if kept.get("user") != user.pk:
        del session[SESSION_KEY]
        return None
    if request.method != "GET" or request.headers.get("HX-Request") or request.path != kept.get("page"):
        return None
    del session[SESSION_KEY]
    return {**kept, "texts": texts(kept)}
