"""Cached fragments of the pages about a site (the site page's panels), valid until site data changes.

Every save or delete of a model of the site apps (sites, collectives, vision, evaluation; generated reports
aside) moves one version forward, at once and again when the transaction commits (what another request cached
in between is left behind). A fragment is cached under the version, the site, the person reading (what they
may do shows in it) and a five-minute slot: what is due and the next session also change with the time.
Writes through `QuerySet.update()` or `bulk_create()` bypass signals; their callers call `bump()` (the
dashboard's `bump()` calls it too).
"""

import time

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from qic import locking

WATCHED_APPS = ("sites", "collectives", "vision", "evaluation")
NOT_WATCHED = {"evaluation.report", "sites.dataversion"}
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


def _on_write(sender, **kwargs) -> None:
    bump()


def _on_m2m(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        bump()


def connect() -> None:
    """Called once at start-up (`SitesConfig.ready`)."""
    from django.apps import apps

    for app in WATCHED_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in NOT_WATCHED:
                continue
            if model._meta.auto_created:
                m2m_changed.connect(_on_m2m, sender=model, dispatch_uid=f"fragments-m2m-{label}")
                continue
            post_save.connect(_on_write, sender=model, dispatch_uid=f"fragments-save-{label}")
            post_delete.connect(_on_write, sender=model, dispatch_uid=f"fragments-delete-{label}")
            locking.saved.connect(_on_write, sender=model, dispatch_uid=f"fragments-locked-{label}")
