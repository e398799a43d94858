"""The dashboard's roll-ups (totals, funnel, alerts, filter choices) cached per filter set and data version,
and the table's rows cached per site and data version.

Every write they read (sites, their status history and journal, trinôme memberships, waves, regions, resource
centres, and what each column family reads: visions, sessions, agreements...) moves a data version forward:
at once in the cache (so the writer's own next page shows it, also inside a transaction) and after commit in
the database (`DataVersion`, so every process sees it, whatever its cache backend). The version is part of the
cache keys: a change shows on the next request, and nothing is ever deleted from the cache. Writes through
`QuerySet.update()` or `bulk_create()` bypass model signals: their callers call `bump()`
(`save_if_unchanged` sends `qic.locking.saved`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from qic import access, locking

from . import alerts, columns
from .filters import FILTER_PARAMS

# What the roll-ups read; the table's rows add what each column family reads (`columns.Family.models`).
ROLLUP_MODELS = frozenset(
    {
        "sites.site",
        "sites.sitestatuschange",
        "sites.siteevent",
        "sites.wave",
        "sites.region",
        "sites.department",
        "sites.resourcecentre",
        "sites.resourcecentre_regions",
        "collectives.membership",
        "vision.revision",
    }
)
TRACKED = ROLLUP_MODELS | columns.MODELS
VERSION_KEY = "dashboard"
LOCAL_KEY = "version"
# The roll-ups depend on every filter but the alert one (alerts are counted over the whole selection).
ROLLUP_PARAMS = tuple(name for name in FILTER_PARAMS if name != "alerte")


def _cache():
    return caches["dashboard"]


def _local_version() -> int:
    value = _cache().get(LOCAL_KEY)
    if value is None:
        # Never 0 after an eviction: a fresh start must not meet keys written before it.
        value = time.time_ns()
        _cache().add(LOCAL_KEY, value, timeout=None)
        value = _cache().get(LOCAL_KEY, value)
    return value


def _bump_database() -> None:
    from ..models import DataVersion

    if not DataVersion.objects.filter(key=VERSION_KEY).update(number=F("number") + 1):
        DataVersion.objects.get_or_create(key=VERSION_KEY, defaults={"number": 1})


def bump() -> None:
    """The data the roll-ups read changed: the next dashboard recomputes them."""
    try:
        _cache().incr(LOCAL_KEY)
    except ValueError:  # missing (first write, or evicted)
        _cache().set(LOCAL_KEY, time.time_ns(), timeout=None)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump_database()
    elif not any(callback is _bump_database for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_bump_database)


def version() -> str:
    from ..models import DataVersion

    number = DataVersion.objects.filter(key=VERSION_KEY).values_list("number", flat=True).first()
    return f"{number or 0}.{_local_version()}"


def _scope(user) -> str:
    """Who sees which sites: the roll-ups of national users are shared, a CRPV's are its own."""
    if access.sees_all_sites(user):
        return "all"
    return f"crpv{user.resource_centre_id}"


def _moment() -> str:
    """Time matters too: the stall alert's cutoff (and the split of coaching hours between used and planned)
    moves every few minutes, the vision deadline every day."""
    return f"{alerts.stall_cutoff().isoformat()}|{alerts.vision_cutoff().isoformat()}"


def rollups_key(user, params, data_version: str | None = None) -> str:
    filters = "&".join(f"{name}={params.get(name, '')}" for name in ROLLUP_PARAMS)
    digest = hashlib.sha256(f"{_scope(user)}|{filters}|{_moment()}".encode()).hexdigest()[:32]
    return f"rollups:{data_version or version()}:{digest}"


def rollups(user, params, compute: Callable[[], object], data_version=None) -> tuple[str, object]:
    """The roll-ups for this user and these filters, computed once per data version, and their key (the
    template caches the panels drawn from them under it: `{% cache ... board.panels_key %}`)."""
    key = rollups_key(user, params, data_version)
    value = _cache().get(key)
    if value is None:
        value = compute()
        _cache().set(key, value)
    return key, value


def rows(sites: list, render: Callable[[list], dict[int, str]], data_version: str | None = None) -> list[str]:
    """The table's rows (HTML) for these sites, each cached per data version: only the sites whose row is not
    cached go through the column families (`render` enriches them and returns their rows by id)."""
    prefix = f"row:{data_version or version()}:{hashlib.sha256(_moment().encode()).hexdigest()[:16]}:"
    found = _cache().get_many([f"{prefix}{site.pk}" for site in sites])
    missing = [site for site in sites if f"{prefix}{site.pk}" not in found]
    if missing:
        rendered = render(missing)
        _cache().set_many({f"{prefix}{pk}": html for pk, html in rendered.items()})
        found.update({f"{prefix}{pk}": html for pk, html in rendered.items()})
    return [found[f"{prefix}{site.pk}"] for site in sites]


def _on_write(sender, **kwargs) -> None:
    bump()


def _on_m2m(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        bump()


def connect() -> None:
    """Called once at start-up (`SitesConfig.ready`). Per model: a receiver for every model would make every
    `QuerySet.delete()` of the project load its rows to send signals."""
    from django.apps import apps

    for label in TRACKED:
        model = apps.get_model(label)
        if model._meta.auto_created:  # a many-to-many table
            m2m_changed.connect(_on_m2m, sender=model, dispatch_uid=f"dashboard-m2m-{label}")
            continue
        post_save.connect(_on_write, sender=model, dispatch_uid=f"dashboard-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"dashboard-delete-{label}")
        locking.saved.connect(_on_write, sender=model, dispatch_uid=f"dashboard-locked-save-{label}")
