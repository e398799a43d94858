"""Cached pages and fragments of pages (the site page's panels), valid until the data changes.

Every SQL statement that writes (a few bookkeeping tables aside: sessions, reports, the audit log...) moves
one version forward, at once and again when the transaction commits (what another request cached in between
is left behind). A fragment or a page is cached under the version, the person reading (what they may do shows
in it) and a five-minute slot: what is due and the next session also change with the time.
"""

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse

VERSION_KEY = "fragments:version"
SLOT_SECONDS = 300


def _cache():
    return caches["default"]


def version() -> int:
    value = _cache().get(VERSION_KEY)
    if value is None:
        value = time.time_ns()  # never an old number after an eviction
        _cache().add(VERSION_KEY, value, timeout=None)
        value = _cache().get(VERSION_KEY, value)
    return value


def _bump_now() -> None:
    try:
        _cache().incr(VERSION_KEY)
    except ValueError:  # missing (first write, or evicted)
        _cache().set(VERSION_KEY, time.time_ns(), timeout=None)


def bump() -> None:
    _bump_now()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(cb is _bump_now for _, cb, _ in connection.run_on_commit):
        transaction.on_commit(_bump_now)


def site_key(site, user) -> str:
    """The part of a fragment's cache key that says when it is still true."""
    return f"{version()}:{int(time.time() // SLOT_SECONDS)}:{site.pk}:{getattr(user, 'pk', None)}"


# Tables whose writes change nothing a cached page shows, or that are written while people only read: sessions
# and their list, reports (a roll-up's progress is written every few seconds), the dashboard's own version,
# the audit log (written with the writes it records, and for some reads), the scheduler's bookkeeping.
NOT_WATCHED_TABLES = {
    "django_session",
    "usersessions_usersession",
    "evaluation_report",
    "evaluation_digestsent",
    "sites_dataversion",
    "sites_registrationimport",
    "qic_auditentry",
    "django_admin_log",
    "mfa_authenticator",
    "account_emailconfirmation",
}
NOT_WATCHED_PREFIXES = ("django_celery_beat_",)
WRITE = re.compile(r'^\s*(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


def written_table(sql: str) -> str | None:
    """The table an SQL statement writes to, or None for a read (or anything else)."""
    if sql[:6].upper() == "SELECT":
        return None
    match = WRITE.match(sql)
    return match[1].lower() if match else None


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    table = written_table(sql)
    if table and table not in NOT_WATCHED_TABLES and not table.startswith(NOT_WATCHED_PREFIXES):
        bump()
    return result


def _on_connection(sender, connection, **kwargs) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def connect() -> None:
    """Called once at start-up (`SitesConfig.ready`): every database connection, opened then or later, moves
    the version on each statement that writes, whatever wrote it (a model's save, `QuerySet.update()`,
    `bulk_create()`, raw SQL)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection, dispatch_uid="fragments-watch-writes")
    for connection in connections.all(initialized_only=True):
        _on_connection(None, connection)


# --- Whole pages ---------------------------------------------------------------------------------
# A page read again before anything changed is served as it was rendered: same person, same address, same
# HTMX request, same data version, same five-minute slot. The key also holds the person's CSRF secret (the
# page's forms carry tokens made from it: another browser of the same person has another). Nothing is cached
# or served from the cache when a message waits, for an anonymous visitor, or for anything but a 200.
PAGE_HEADERS = ("content-type", "hx-push-url", "hx-replace-url", "hx-trigger", "hx-retarget", "hx-reswap")
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-History-Restore-Request")


def _pending_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def page_key(request) -> str | None:
    """The cache key of this request's page, or None when it must be rendered."""
    if not getattr(settings, "QIC_PAGE_CACHE", False) or request.method != "GET":
        return None
    secret = request.META.get("CSRF_COOKIE")
    if not secret or not request.user.is_authenticated or _pending_messages(request):
        return None
    parts = [
        str(version()),
        str(int(time.time() // SLOT_SECONDS)),
        str(request.user.pk),
        secret,
        request.get_full_path(),
        *(request.headers.get(name, "") for name in HTMX_HEADERS),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_page(view):
    """Serve the view's page from the cache while the data it shows has not changed (see above). For read-only
    views whose page depends on the site apps' data, the person (and their rights), the address and the time
    of day only: not on reports (not watched), nor on anything the view writes."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        if key is not None:
            stored = _cache().get(key)
            if stored is not None:
                content, headers = stored
                response = HttpResponse(content)
                for name, value in headers:
                    response.headers[name] = value
                return response
        response = view(request, *args, **kwargs)
        if (
            key is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not _pending_messages(request)
        ):
            headers = [(k, v) for k, v in response.headers.items() if k.lower() in PAGE_HEADERS]
            _cache().set(key, (response.content, headers), timeout=SLOT_SECONDS * 2)
        return response

    return wrapper
