"""Each site's progress facts (`SiteProgress`): kept true by the apps that own them, read in one join.

An app that owns facts (collectives: trinôme, agreement, sessions; vision: adoptions; evaluation:
self-assessments; the registry itself: the funnel stage) registers a contributor at start-up: a function
that recomputes its facts for a set of sites with a few grouped queries and stores them (`write` below).
It calls it from the services that change those facts, in the same transaction, and from receivers of its
own models' writes, so that the admin and every other write path keep the row true too. Bulk writers
(`bulk_create`, `QuerySet.update()`) call `rebuild(site_ids)` themselves.

A writer of many rows at once (the demo's seeding) wraps its writes in `deferred()`: the facts of the sites
written are then recomputed once each, at the end of the block, rather than after every row.

Readers never compute a fact: they join the row (`Site.objects.select_related("progress")`, or
`progress__<fact>` in filters and orderings). A site without a row has none of the facts yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .enums import FUNNEL_STAGES, SiteStatus
from .models import Site, SiteProgress, SiteStatusChange

Contributor = Callable[[list[int]], None]
_contributors: dict[str, Contributor] = {}
_gathering = threading.local()  # `rebuild` gathers every contributor's facts and writes each row once
_deferring = threading.local()  # `deferred` collects the sites whose facts changed


def register(name: str, contributor: Contributor) -> None:
    """An app's recomputation of the facts it owns, for a list of site ids (called at start-up)."""
    _contributors[name] = contributor


def contributors() -> dict[str, Contributor]:
    return dict(_contributors)


def _ids(site_ids: Iterable) -> list[int]:
    return sorted({int(pk) for pk in site_ids if pk is not None})


def ensure(site_ids: Iterable) -> list[int]:
    """Make sure these sites have a progress row (one query when they all have one)."""
    ids = _ids(site_ids)
    if ids:
        have = set(SiteProgress.objects.filter(site_id__in=ids).values_list("site_id", flat=True))
        missing = [pk for pk in ids if pk not in have]
        if missing:
            existing = Site.objects.filter(pk__in=missing).values_list("pk", flat=True)
            SiteProgress.objects.bulk_create(
                [SiteProgress(site_id=pk) for pk in existing], ignore_conflicts=True
            )
    return ids


def lock(site_ids: Iterable) -> None:
    """Take the progress rows of these sites before reading their facts (PostgreSQL row locks, in site order;
    a no-op where the database serialises writers, as SQLite does). Two transactions that change the same
    site's facts then recompute one after the other, the second reading what the first committed; without
    it, each read its own snapshot and the last to write stored facts that missed the other's change."""
    ids = _ids(site_ids)
    if ids:
        list(
            SiteProgress.objects.select_for_update()
            .filter(site_id__in=ids)
            .order_by("site_id")
            .values_list("pk")
        )


def recompute(contributor: Contributor, site_ids: Iterable) -> None:
    """Run a contributor for these sites with their rows locked, in a transaction (the caller's if any)."""
    ids = _ids(site_ids)
    pending = getattr(_deferring, "site_ids", None)
    if pending is not None:
        pending.update(ids)
        return
    if ids:
        with transaction.atomic():
            lock(ids)
            contributor(ids)


def write(site_ids: Iterable, facts: dict[int, dict], empty: dict) -> int:
    """Store facts of these sites: `facts` by site id, `empty` the value of each fact for a site that has none
    (and the list of the fields written). Called by the contributors, in the transaction of the write that
    changed the facts, after reading them with plain grouped queries (set-based: the cost of a correlated
    subquery per site depends on the planner's statistics, which are wrong inside a transaction that has just
    written many rows). Rows exist already (made with their site, or by `ensure`); never made here, where a
    site being deleted would get a row again from the cascade's own writes."""
    ids = _ids(site_ids)
    gathered = getattr(_gathering, "facts", None)
    if gathered is not None:
        for pk in ids:
            gathered.setdefault(pk, {}).update({**empty, **facts.get(pk, {})})
        return len(ids)
    if len(ids) == 1:
        return SiteProgress.objects.filter(site_id=ids[0]).update(**{**empty, **facts.get(ids[0], {})})
    return _store({pk: {**empty, **facts.get(pk, {})} for pk in ids})


def _store(facts: dict[int, dict]) -> int:
    """Update the rows of these sites with their facts, in batches."""
    rows = list(SiteProgress.objects.filter(site_id__in=list(facts)).only("site_id"))
    names = sorted({name for values in facts.values() for name in values})
    for row in rows:
        for name, value in facts[row.site_id].items():
            setattr(row, name, value)
    if rows:
        SiteProgress.objects.bulk_update(rows, names, batch_size=500)
    return len(rows)


def rebuild(site_ids: Iterable | None = None) -> int:
    """Recompute every fact of these sites (all sites when None), contributor by contributor: after bulk
    writes, and to check that the stored facts are true (`manage.py rebuild_progress --check`)."""
    ids = _ids(Site.objects.values_list("pk", flat=True) if site_ids is None else site_ids)
    for start in range(0, len(ids), 2000):
        chunk = ensure(ids[start : start + 2000])
        with transaction.atomic():
            lock(chunk)
            _gathering.facts = {}
            try:
                for contributor in _contributors.values():
                    contributor(chunk)
                gathered = _gathering.facts
            finally:
                _gathering.facts = None
            _store(gathered)  # each row written once (every contributor's UPDATE left a dead row version)
    return len(ids)


@contextmanager
def deferred():
    """Recompute the facts of the sites written inside the block once, at its end, in one `rebuild` (inside
    the caller's transaction when it holds one): for writers of many rows, whose every row would otherwise
    recompute its site's facts (the demo's seeding: 727 recomputations, a third of its time). Code inside
    the block must not read the facts it changes; nothing is recomputed when the block raises (its
    transaction is rolled back). Nested blocks are the outer one's."""
    if getattr(_deferring, "site_ids", None) is not None:
        yield
        return
    _deferring.site_ids = set()
    try:
        yield
        site_ids = _deferring.site_ids
    finally:
        _deferring.site_ids = None
    if site_ids:
        rebuild(site_ids)


_SITE = SiteProgress._meta.get_field("site")


def attach(sites) -> list:
    """Sites read with `select_related("progress")`: a site without a row yet gets an unsaved one with no
    facts, so that pages read `site.progress` without a query nor an error.

    Django's join also points each progress row back at its site (`progress.site`), which nothing reads: a
    reference cycle, so a page's sites, with their department, region and wave, were freed only by the
    garbage collector (1,000 objects a request on the dashboard's table). The row forgets its site here."""
    sites = list(sites)
    for site in sites:
        try:
            facts = site.progress
        except SiteProgress.DoesNotExist:
            site.progress = facts = SiteProgress(site_id=site.pk)
        if _SITE.is_cached(facts):
            _SITE.delete_cached_value(facts)
    return sites


def facts(site) -> SiteProgress:
    """One site's progress facts (read with it by `qic.access.site_access_for`), or an empty row."""
    return attach([site])[0].progress


FACT_FIELDS = tuple(
    field.name for field in SiteProgress._meta.concrete_fields if field.name not in ("site", "updated_at")
)


def snapshot(site_ids: Iterable | None = None) -> dict[int, tuple]:
    """The stored facts of these sites (all when None), to compare with a rebuild."""
    rows = SiteProgress.objects.order_by("site_id")
    if site_ids is not None:
        rows = rows.filter(site_id__in=_ids(site_ids))
    return {row[0]: row[1:] for row in rows.values_list("site_id", *FACT_FIELDS)}


def stale() -> dict[int, tuple[tuple, tuple]]:
    """The sites whose stored facts differ from a recomputation: {id: (stored, true)}. Recomputes inside a
    transaction rolled back at the end: nothing is written."""
    stored = snapshot()

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            rebuild()
            fresh = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    ids = set(stored) | set(fresh) | set(Site.objects.values_list("pk", flat=True))
    return {pk: (stored.get(pk), fresh.get(pk)) for pk in sorted(ids) if stored.get(pk) != fresh.get(pk)}


# --- The registry's own fact: the furthest stage of the mobilisation funnel a site reached ------------------


def _stages() -> dict[str, int]:
    """Each status's stage in the funnel (a paused site had started its training; withdrawn: none)."""
    stages = {status.value: index for index, status in enumerate(FUNNEL_STAGES)}
    stages[SiteStatus.PAUSED.value] = stages[SiteStatus.IN_TRAINING.value]
    return stages


def refresh_stage(site_ids) -> None:
    """The furthest stage each site reached: its status now, or any status of its history."""
    ids, stages = _ids(site_ids), _stages()
    reached = {
        pk: stages.get(status, 0)
        for pk, status in Site.objects.filter(pk__in=ids).values_list("pk", "status")
    }
    history = (
        SiteStatusChange.objects.filter(site__in=ids)
        .order_by()
        .values_list("site_id", "to_status")
        .distinct()
    )
    for pk, status in history:
        reached[pk] = max(reached.get(pk, 0), stages.get(status, 0))
    write(ids, {pk: {"funnel_stage": stage} for pk, stage in reached.items()}, {"funnel_stage": 0})


def _site_created(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    if created:
        SiteProgress.objects.get_or_create(site=instance)
    recompute(refresh_stage, [instance.pk])


def _after_migrate(sender, **kwargs) -> None:
    """A database migrated from before the read model (or sites made without it) gets its progress rows."""
    using = kwargs.get("using", "default")
    missing = list(Site.objects.using(using).filter(progress__isnull=True).values_list("pk", flat=True))
    if missing:
        rebuild(missing)


def connect(app_config) -> None:
    from django.db.models.signals import post_migrate

    register("sites", refresh_stage)
    post_save.connect(_site_created, sender=Site, dispatch_uid="progress-site-created")
    on_writes([SiteStatusChange], lambda change: [change.site_id], refresh_stage, "stage")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="progress-after-migrate")


def on_writes(models, site_ids_of: Callable, contributor: Contributor, uid: str) -> None:
    """Keep a contributor's facts true on every ORM write of these models (saves, deletes, and
    `save_if_unchanged`'s conditional updates): `site_ids_of(instance)` says which sites a row concerns."""
    from qic import locking

    def receiver(sender, instance, raw=False, **kwargs):
        if raw:
            return
        recompute(contributor, site_ids_of(instance))

    for model in models:
        name = f"progress-{uid}-{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{name}-save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{name}-delete", weak=False)
        locking.saved.connect(receiver, sender=model, dispatch_uid=f"{name}-locked", weak=False)
