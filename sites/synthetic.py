"""Synthetic data at scale: thousands of sites across waves, with trinômes, status histories and journals,
and the life of each site (vision, agreement, sessions, coaching, self-assessments, indicators:
`synthetic_activity.py`).

For load tests and the benchmark (`bench/`), never for real use: every synthetic site's slug starts with
`synth-` and every synthetic person's email ends with `@synthetique.qic.fr` (the sessions are planned by
synthetic CRPV facilitators): a new run replaces the last one. Deterministic for a given seed. Everything is
written with `bulk_create` (which the audit log records like any write, as "système"), so the dashboard's
signals do not see it (the dashboard's cache is bumped at the end); the previous run is removed the same way.
"""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.text import slugify

from collectives.enums import TRINOME_SEATS, MemberRole, PlatformRole
from collectives.models import Membership, User
from qic.models import AuditEntry

from . import progress
from . import synthetic_activity as activity
from .enums import EventKind, SiteKind, SiteStatus, WavePrerequisite
from .geography import ensure_geography
from .models import (
    Department,
    PrerequisiteCheck,
    Region,
    ResourceCentre,
    Site,
    SiteEvent,
    SiteStatusChange,
    Wave,
)

SLUG_PREFIX = "synth-"
EMAIL_DOMAIN = "synthetique.qic.fr"

NEIGHBOURHOODS = [
    "Les Tilleuls", "La Source", "Bel-Air", "Les Aubiers", "La Roseraie", "Les Provinces", "Le Plateau",
    "Les Hauts", "La Croix-Rouge", "Le Vieux Moulin", "Les Sablons", "Champ-de-Mars", "La Grande Borne",
    "Les Érables", "Le Chêne Pointu", "La Pierre Collinet", "Les Marronniers", "Le Mail", "La Noue",
    "Les Bosquets", "Beaulieu", "La Madeleine", "Les Coteaux", "Saint-Jacques", "Le Parc", "La Forêt",
    "Les Bruyères", "Le Clos", "Les Glycines", "La Fontaine",
]  # fmt: skip
TOWN_ROOTS = [
    "Mont", "Ville", "Beau", "Clair", "Fontaine", "Roche", "Val", "Bois", "Pont", "Champ", "Saint-Martin",
    "Neuville", "Sainte-Croix", "Castel", "Belle",
]  # fmt: skip
TOWN_ENDS = [
    "-sur-Loire", "-la-Garenne", "-le-Haut", "mont", "ville", "-les-Bains", "-sur-Mer", "-en-Brie", "fort",
    "-le-Pont", "-sur-Seine", "ac", "-d’Azur", "-la-Forêt",
]  # fmt: skip
FIRST_NAMES = [
    "Camille", "Karim", "Sophie", "Nadia", "Julien", "Fatou", "Thomas", "Inès", "Mehdi", "Claire",
    "Yanis", "Aurélie", "Moussa", "Élodie", "Samir", "Léa", "Bruno", "Amina", "Hugo", "Chantal",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Benali", "Durand", "Haddad", "Morel", "Diallo", "Lefèvre", "Bernard", "Petit", "Rousseau",
    "Garnier", "Traoré", "Fontaine", "Chevalier", "Mercier", "Boyer", "Lambert", "Ndiaye",
]  # fmt: skip
NOTES = ["Réunion du trinôme", "Atelier avec les habitant·es", "Point d’étape avec le CRPV",
         "Comité local de pilotage", "Rencontre avec les partenaires associatifs"]  # fmt: skip

# Status mix by age of the wave: the current wave is still being mobilised, older ones are trained.
STATUS_MIX = {
    "old": {"active": 70, "paused": 10, "withdrawn": 15, "in_training": 5},
    "recent": {"in_training": 60, "active": 25, "paused": 5, "withdrawn": 10},
    "current": {"interested": 45, "registering": 35, "withdrawn": 10, "in_training": 10},
}
KIND_MIX = {SiteKind.QPV: 75, SiteKind.CITE_EDUCATIVE: 18, SiteKind.CITE_EMPLOI: 7}
PATH = [SiteStatus.INTERESTED, SiteStatus.REGISTERING, SiteStatus.IN_TRAINING, SiteStatus.ACTIVE]


@dataclass
class Batch:
    sites: list = field(default_factory=list)
    users: list = field(default_factory=list)
    memberships: list = field(default_factory=list)  # (site index, user index, role, start, end)
    changes: list = field(default_factory=list)  # (site index, from, to, at)
    events: list = field(default_factory=list)  # (site index, kind, summary, at, subject)
    checks: list = field(default_factory=list)  # (site index, prerequisite, at)
    profiles: list = field(default_factory=list)  # one `activity.Profile` per site: what its life holds


@contextmanager
def _keep_dates(*fields):
    """Let bulk_create write the dates we give instead of "now" (auto_now_add), for realistic histories."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def _pick(rng: random.Random, mix: dict):
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working hour of that day (not later than now: nothing has happened yet later today)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59))))
    return min(moment, timezone.now())


def ensure_waves_and_centres() -> list[Wave]:
    ensure_geography()
    if not Wave.objects.exists():
        Wave.objects.bulk_create(
            [
                Wave(
                    number=1,
                    name="Vague 1",
                    starts_on=dt.date(2021, 12, 1),
                    ends_on=dt.date(2023, 12, 31),
                    training_starts_on=dt.date(2022, 4, 1),
                    training_days=12,
                ),
                Wave(
                    number=2,
                    name="Vague 2",
                    starts_on=dt.date(2024, 5, 1),
                    ends_on=dt.date(2025, 12, 31),
                    training_starts_on=dt.date(2024, 9, 1),
                ),
                Wave(
                    number=3,
                    name="Vague 3",
                    starts_on=dt.date(2025, 5, 1),
                    ends_on=dt.date(2026, 12, 31),
                    training_starts_on=dt.date(2025, 9, 30),
                ),
                Wave(
                    number=4,
                    name="Vague 4",
                    starts_on=dt.date(2026, 9, 1),
                    training_starts_on=dt.date(2027, 3, 1),
                    is_current=True,
                ),
            ]  # fmt: skip
        )
    if not ResourceCentre.objects.exists():
        for region in Region.objects.all():
            centre = ResourceCentre.objects.create(
                name=f"Centre de ressources {region.name}", short_name=f"CRPV {region.code}"
            )
            centre.regions.set([region])
    return list(Wave.objects.order_by("number"))


@contextmanager
def _without_delete_signals():
    """Delete without the per-row receivers (audit log, dashboard cache): the synthetic rows were written
    without them, and with them Django loads and logs every row of every cascade (minutes instead of
    seconds). Only for this command: the receivers are back as soon as the deletion is done."""
    saved = [(signal, signal.receivers) for signal in (pre_delete, post_delete)]
    for signal, _ in saved:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in saved:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def clear() -> None:
    """Remove everything a previous run wrote (its sessions, sites with all their data, people)."""
    people = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    sites = Site.objects.filter(slug__startswith=SLUG_PREFIX)
    with _without_delete_signals():
        # The audit log outlives deleted sites (qic.models.AuditEntry): the entries of made-up sites go with
        # them, or every run would leave its hundreds of thousands behind.
        AuditEntry.objects.filter(site_id__in=sites.values("pk")).delete()
        activity.synthetic_sessions().delete()
        sites.delete()
        people.delete()


def _plan(count: int, waves: list[Wave], rng: random.Random) -> Batch:
    batch = Batch()
    departments = list(Department.objects.select_related("region"))
    current = next((w for w in waves if w.is_current), waves[-1])
    today = timezone.localdate()
    weights = [1 if w.number == 1 else 4 if w.number == 2 else 7 if w != current else 8 for w in waves]
    for i in range(count):
        wave = rng.choices(waves, weights=weights)[0]
        age = "current" if wave == current else ("recent" if wave.number >= current.number - 1 else "old")
        status = SiteStatus(_pick(rng, STATUS_MIX[age]))
        department = rng.choice(departments)
        kind = _pick(rng, KIND_MIX)
        town = rng.choice(TOWN_ROOTS) + rng.choice(TOWN_ENDS)
        label = rng.choice(NEIGHBOURHOODS)
        name = f"{town} — {label}" if kind == SiteKind.QPV else f"{SiteKind(kind).label} de {town}"
        qpv = ""
        if kind == SiteKind.QPV and department.code.isdigit():
            qpv = f"QP{int(department.code):03d}S{_base36(i)}"
        site = Site(
            name=name,
            slug=f"{SLUG_PREFIX}{i:05d}-{slugify(name)}"[:220],
            kind=kind,
            communes=town,
            department=department,
            wave=wave,
            qpv_code=qpv,
            status=status,
        )
        site.search_text = site.build_search_text()
        batch.sites.append(site)
        # The status history, along the lifecycle, dated from the wave's calendar.
        start = wave.starts_on + dt.timedelta(days=rng.randint(0, 60))
        training = wave.training_starts_on or start + dt.timedelta(days=120)
        dates = {
            SiteStatus.INTERESTED: start,
            SiteStatus.REGISTERING: start + dt.timedelta(days=rng.randint(20, 90)),
            SiteStatus.IN_TRAINING: training,
            SiteStatus.ACTIVE: training + dt.timedelta(days=rng.randint(150, 240)),
        }
        if status in PATH:
            steps = PATH[: PATH.index(status) + 1]
        else:
            reached = rng.randint(1, 3) if status == SiteStatus.WITHDRAWN else rng.randint(3, 4)
            steps = PATH[:reached]
        end_of_path = dates[steps[-1]]
        if status == SiteStatus.PAUSED:
            dates[status] = end_of_path + dt.timedelta(days=rng.randint(30, 120))
            steps = [*steps, status]
        elif status == SiteStatus.WITHDRAWN:
            dates[status] = end_of_path + dt.timedelta(days=rng.randint(20, 150))
            steps = [*steps, status]
        steps_dates = [(s, min(dates[s], today)) for s in steps]
        for (previous, _), (step, day) in zip(steps_dates, steps_dates[1:], strict=False):
            at = _aware(day, rng)
            batch.changes.append((i, previous.value, step.value, at))
            batch.events.append(
                (i, EventKind.STATUS_CHANGED, f"Statut : {previous.label} → {step.label}", at, "")
            )
        site.status_changed_at = _aware(steps_dates[-1][1], rng)
        site.created_at = _aware(min(start, today), rng)
        # The trinôme: complete most of the time once registering; a vacant seat now and then.
        engaged = status not in (SiteStatus.INTERESTED,)
        trained = status in (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE, SiteStatus.PAUSED)
        for seat in TRINOME_SEATS:
            if rng.random() < (0.96 if trained else 0.9 if engaged else 0.3):
                since = min(dates[SiteStatus.REGISTERING] if engaged else start, today)
                if seat == MemberRole.PREFECT_DELEGATE and engaged and rng.random() < 0.15:
                    handover = min(since + dt.timedelta(days=rng.randint(120, 400)), today)
                    batch.memberships.append((i, _person(batch, rng), seat, since, handover))
                    since = handover
                batch.memberships.append((i, _person(batch, rng), seat, since, None))
                batch.events.append(
                    (i, EventKind.MEMBER_JOINED, f"Arrivée : {seat.label}", _aware(since, rng), "")
                )
        if status in (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE, SiteStatus.PAUSED):
            for _ in range(rng.randint(0, 3)):
                batch.memberships.append(
                    (i, _person(batch, rng), MemberRole.PARTNER, min(training, today), None)
                )
        # Prerequisites: ticked during registration.
        if status != SiteStatus.INTERESTED:
            for prerequisite in WavePrerequisite:
                if status != SiteStatus.REGISTERING or rng.random() < 0.6:
                    checked_on = min(dates[SiteStatus.REGISTERING], today)
                    batch.checks.append((i, prerequisite.value, _aware(checked_on, rng)))
        # Life of the site: a few notes (its sessions, coaching and the rest: `activity`); some sites fall
        # silent for months.
        quiet_from = dates.get(status) if status in (SiteStatus.PAUSED, SiteStatus.WITHDRAWN) else today
        if status in (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE, SiteStatus.REGISTERING):
            silent = rng.random() < 0.15
            last = today - dt.timedelta(days=rng.randint(70, 200) if silent else rng.randint(0, 40))
            first = max(
                training if status != SiteStatus.REGISTERING else dates[SiteStatus.REGISTERING], start
            )
            if silent:
                quiet_from = last
            for n in range(rng.randint(1, 6)):
                day = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
                if n == 0:
                    day = last  # the latest sign of life: recent, unless the site fell silent
                rng.random()  # (was the kind of event: sessions and coaching now have their own rows)
                batch.events.append((i, EventKind.NOTE, rng.choice(NOTES), _aware(min(day, last), rng), ""))
        batch.profiles.append(
            activity.Profile(
                index=i,
                status=status,
                wave=wave,
                region_id=department.region_id,
                training_on=dates[SiteStatus.IN_TRAINING] if SiteStatus.IN_TRAINING in steps else None,
                active_on=dates[SiteStatus.ACTIVE] if SiteStatus.ACTIVE in steps else None,
                quiet_from=min(quiet_from, today),
            )
        )
    return batch


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(3):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def _person(batch: Batch, rng: random.Random) -> int:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    index = len(batch.users)
    batch.users.append(
        User(
            email=f"{slugify(first)}.{slugify(last)}.{index}@{EMAIL_DOMAIN}",
            first_name=first,
            last_name=last,
            role=PlatformRole.MEMBER,
            password=make_password(None),
        )
    )
    return index


@transaction.atomic
def generate(count: int, seed: int = 2025) -> dict:
    """Replace the synthetic sites by `count` new ones; return how many rows of each kind were written."""
    rng = random.Random(seed)
    waves = ensure_waves_and_centres()
    clear()
    batch = _plan(count, waves, rng)
    with _keep_dates(Site._meta.get_field("created_at"), Site._meta.get_field("status_changed_at")):
        sites = Site.objects.bulk_create(batch.sites, batch_size=500)
    users = User.objects.bulk_create(batch.users, batch_size=1000)
    Membership.objects.bulk_create(
        [
            Membership(site=sites[s], user=users[u], role=role, started_on=start, ended_on=end)
            for s, u, role, start, end in batch.memberships
        ],
        batch_size=1000,
    )
    with _keep_dates(SiteStatusChange._meta.get_field("changed_at")):
        SiteStatusChange.objects.bulk_create(
            [
                SiteStatusChange(
                    site=sites[s], from_status=a, to_status=b, changed_at=at, reason="Données synthétiques"
                )
                for s, a, b, at in batch.changes
            ],
            batch_size=1000,
        )
    with _keep_dates(PrerequisiteCheck._meta.get_field("checked_at")):
        PrerequisiteCheck.objects.bulk_create(
            [PrerequisiteCheck(site=sites[s], prerequisite=p, checked_at=at) for s, p, at in batch.checks],
            batch_size=1000,
        )
    counts = activity.write(batch, sites, users, seed)
    SiteEvent.objects.bulk_create(
        [
            SiteEvent(site=sites[s], kind=k, summary=text[:300], occurred_at=at, subject=subject)
            for s, k, text, at, subject in batch.events
        ],
        batch_size=1000,
    )
    last = {}
    for s, _, _, at, _ in batch.events:
        if s not in last or at > last[s]:
            last[s] = at
    for index, site in enumerate(sites):
        site.last_activity_at = last.get(index)
    Site.objects.bulk_update(sites, ["last_activity_at"], batch_size=500)
    progress.rebuild([site.pk for site in sites])  # bulk writes bypass model signals
    return {
        "sites": len(sites),
        "people": len(users),
        "memberships": len(batch.memberships),
        "status changes": len(batch.changes),
        "journal events": len(batch.events),
        "prerequisites": len(batch.checks),
        **counts,
    }
