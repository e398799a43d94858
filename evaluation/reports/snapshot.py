"""The data snapshot of a report: everything the document shows, read once and frozen as JSON.

A report is rendered from its snapshot only, never from the live database: the PDF and the data it was drawn
from never change, and two reports can be compared (`compare.py`).

HOOK for later issues — each section is produced by one function per data family:
- per-site bilan: `SITE_SECTIONS` below, functions `(site) -> dict`, each with its template
  `templates/reports/pdf/site/<key>.html` (the families fed by the other apps are in `families.py`);
- national roll-up: `NATIONAL_SECTIONS` in `national.py`, functions `(context) -> dict`;
- comparable per-site values: `facts.FAMILIES` (continuum, conditions, adoptions, hours…).
A function whose data has not landed returns `pending("…")` (today: indicators only): the document says "pas
encore disponible" rather than leaving the section out. To plug a family in, replace its function body (keep
the key and the title) and return `{"available": True, …}` with JSON values only (dates as ISO strings, SVG
as a string). A section with no data yet says so in its template ("Aucune … à ce jour"). Each function reads
a fixed number of queries, whatever the site's amount of data (tests/evaluation/test_report_families.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from collectives.enums import TRINOME_SEATS, MemberRole
from sites.models import Site

from . import facts as fact_families
from .families import (
    iso,
    person_name,
    site_agreement,
    site_learnings,
    site_self_assessments,
    site_sessions,
    site_strategy,
    site_vision,
)

SCHEMA = 1
JOURNAL_ITEMS = 12
STATUS_HISTORY_ITEMS = 10


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    build: Callable


def pending(message: str) -> dict:
    """A section whose data comes with a capability not yet in service."""
    return {"available": False, "message": message}


# --- Site bilan: one function per data family ------------------------------------------------------------


def site_identity(site: Site) -> dict:
    changes = list(site.status_changes.order_by("-changed_at", "-id")[:STATUS_HISTORY_ITEMS])
    wave = site.wave
    return {
        "available": True,
        "name": site.name,
        "kind": site.get_kind_display(),
        "communes": site.communes,
        "department": str(site.department),
        "region": site.department.region.name,
        "qpv_code": site.qpv_code,
        "status": site.get_status_display(),
        "status_since": iso(site.status_changed_at),
        "wave": {
            "number": wave.number,
            "name": wave.name,
            "starts_on": iso(wave.starts_on),
            "training_starts_on": iso(wave.training_starts_on),
            "training_days": wave.training_days,
        },
        "last_activity_at": iso(site.last_activity_at),
        "status_history": [
            {
                "at": iso(c.changed_at),
                "from": c.get_from_status_display() if c.from_status else "",
                "to": c.get_to_status_display(),
                "reason": c.reason,
            }
            for c in changes
        ],
    }


def site_trinome(site: Site) -> dict:
    memberships = list(site.memberships.select_related("user").order_by("role", "-started_on", "-id"))
    seats = []
    for seat in TRINOME_SEATS:
        holder = next((m for m in memberships if m.role == seat and m.ended_on is None), None)
        seats.append(
            {
                "seat": seat.label,
                "holder": person_name(holder.user) if holder else None,
                "organisation": holder.organisation if holder else "",
                "since": iso(holder.started_on) if holder else None,
            }
        )
    handovers = [
        {
            "seat": MemberRole(m.role).label,
            "holder": person_name(m.user),
            "organisation": m.organisation,
            "from": iso(m.started_on),
            "to": iso(m.ended_on),
        }
        for m in sorted(memberships, key=lambda m: m.ended_on or m.started_on, reverse=True)
        if m.role in TRINOME_SEATS and m.ended_on is not None
    ]
    current = [m for m in memberships if m.ended_on is None]
    return {
        "available": True,
        "seats": seats,
        "complete": all(s["holder"] for s in seats),
        "handovers": handovers,
        "partners": sum(1 for m in current if m.role == MemberRole.PARTNER),
        "residents": sum(1 for m in current if m.role == MemberRole.RESIDENT),
    }


def site_indicators(site: Site) -> dict:
    from .indicators import site_indicators as build

    return build(site)


def site_journal(site: Site) -> dict:
    events = site.events.select_related("actor").order_by("-occurred_at", "-id")[:JOURNAL_ITEMS]
    return {
        "available": True,
        "events": [
            {"at": iso(e.occurred_at), "kind": e.get_kind_display(), "summary": e.summary} for e in events
        ],
    }


SITE_SECTIONS: tuple[Section, ...] = (
    Section("identity", "Identité et vague", site_identity),
    Section("trinome", "Trinôme et passations", site_trinome),
    Section("vision", "Vision adoptée", site_vision),
    Section("strategy", "Stratégie de changement", site_strategy),
    Section("agreement", "Entente de coopération", site_agreement),
    Section("indicators", "Indicateurs", site_indicators),
    Section("learnings", "Derniers apprentissages", site_learnings),
    Section("self_assessments", "Auto-évaluations", site_self_assessments),
    Section("sessions", "Sessions et accompagnement", site_sessions),
    Section("journal", "Faits marquants", site_journal),
)


def _site_row(site_values: dict, table: fact_families.FactTable) -> dict:
    return {**site_values, "facts": table.by_site.get(site_values["id"], {})}


def site_snapshot(site_id: int) -> dict:
    """The frozen data of a site's bilan."""
    site = Site.objects.with_geography().get(pk=site_id)
    sections = []
    for section in SITE_SECTIONS:
        sections.append({"key": section.key, "title": section.title, **section.build(site)})
    table = fact_families.collect(Site.objects.filter(pk=site.pk))
    row = {
        "id": site.pk,
        "name": site.name,
        "slug": site.slug,
        "wave": site.wave.number,
        "region": site.department.region.name,
        "department": site.department.code,
    }
    return {
        "schema": SCHEMA,
        "kind": "site",
        "title": f"Bilan de {site.name}",
        "scope": {"label": site.name, "site": site.pk},
        "taken_at": iso(timezone.now()),
        "sections": sections,
        "facts": table.definitions,
        "sites": [_site_row(row, table)],
    }


def annex_rows(sites: QuerySet, table: fact_families.FactTable) -> list[dict]:
    rows = sites.order_by("wave__number", "department__region__name", "name").values(
        "pk",
        "name",
        "slug",
        "wave__number",
        "department__region__name",
        "department__code",
        "communes",
        "last_activity_at",
        "created_at",
    )
    return [
        _site_row(
            {
                "id": r["pk"],
                "name": r["name"],
                "slug": r["slug"],
                "wave": r["wave__number"],
                "region": r["department__region__name"],
                "department": r["department__code"],
                "communes": r["communes"],
                "last_activity_at": iso(r["last_activity_at"]),
                "created_at": iso(r["created_at"]),
            },
            table,
        )
        for r in rows
    ]
