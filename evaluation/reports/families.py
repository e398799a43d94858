"""Sections of a site's bilan fed by the other apps: vision and strategy, agreement, learnings,
self-assessments, sessions and coaching hours. Each reads a fixed number of queries and returns JSON values.

They plug into `snapshot.SITE_SECTIONS`; their per-site comparable facts are in `facts.py`.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from collectives.enums import TRINOME_SEATS, AgreementPart, AgreementStatus, BackboneRole, SessionKind
from collectives.models import CooperationSpace, Session
from collectives.services import coaching
from evaluation.enums import CONDITIONS, PRECONDITIONS, ConditionKey, ConditionLevel, ContinuumLevel
from evaluation.models import ConditionAssessment
from sites.models import Site

LEARNING_ITEMS = 5
SELF_ASSESSMENT_ITEMS = 6
SESSION_ITEMS = 8


def iso(value) -> str | None:
    """A date or date-time as an ISO string (local time), for JSON."""
    if value is None:
        return None
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value)
    return value.isoformat()


def person_name(user) -> str:
    return user.get_full_name() or user.email.split("@")[0]


# --- Vision and change strategy (vision app) -------------------------------------------------------------


def site_vision(site: Site) -> dict:
    """The adopted vision, else the draft (said as such), with its context analysis."""
    from vision.reports import vision_section

    content = vision_section(site)
    if content is None:
        return {"available": True, "statement": "", "adopted": None}
    adopted = content["adopted"]
    return {
        "available": True,
        "statement": content["statement"],
        "horizon_year": content["horizon_year"],
        "adopted": {"number": adopted.number, "at": iso(adopted.adopted_at)} if adopted else None,
        "positive": content["positive"],
        "negative": content["negative"],
    }


def site_strategy(site: Site) -> dict:
    """The adopted change strategy (else the draft): its one-page diagram as SVG, the chain as text."""
    from vision.reports import strategy_section

    content = strategy_section(site)
    if content is None:
        return {"available": True, "svg": "", "adopted": None}
    adopted = content["adopted"]
    return {
        "available": True,
        "adopted": {"number": adopted.number, "at": iso(adopted.adopted_at)} if adopted else None,
        "svg": str(content["svg"]),
        "counts": [{"label": label, "count": count} for label, count in content["counts"].items()],
        "chain": content["chain"],
        "vision": content["snap"]["vision"],
        "actions": content["actions"],
        "narrative_html": str(content["narrative"]),  # sanitised by the vision app (qic.sanitize)
    }


# --- Cooperation agreement and backbone (collectives app) ------------------------------------------------


def _agreement(agreement) -> dict | None:
    if agreement is None:
        return None
    texts = {s.part: s.text.strip() for s in agreement.sections.all()}
    spaces = [space.name for space in agreement.spaces.all()]
    parts = [
        {
            "label": part.label,
            "written": bool(texts.get(part)) or (part == AgreementPart.SPACES and bool(spaces)),
        }
        for part in AgreementPart
    ]
    signatures = {s.seat: s for s in agreement.signatures.all()}
    return {
        "number": agreement.number,
        "in_force_since": iso(agreement.in_force_since),
        "parts": parts,
        "written": sum(1 for p in parts if p["written"]),
        "spaces": spaces,
        "signatures": [
            {
                "seat": seat.label,
                "by": person_name(signatures[seat].signed_by) if seat in signatures else None,
                "on": iso(signatures[seat].signed_on) if seat in signatures else None,
            }
            for seat in TRINOME_SEATS
        ],
    }


def site_agreement(site: Site) -> dict:
    """The agreement in force and the draft being written (parts, spaces, signatures); the backbone roles."""
    agreements = list(site.agreements.order_by("-number"))
    current = [a for a in agreements if a.status in (AgreementStatus.IN_FORCE, AgreementStatus.DRAFT)]
    # The bilan names the spaces and the roles' holders: not what each space is for, nor how a role is held.
    named = CooperationSpace.objects.defer("purpose", "participants", "decisions")
    spaces = Prefetch("spaces", queryset=named)
    prefetch_related_objects(current, "sections", spaces, "signatures__signed_by")
    carried = {}
    for assignment in site.backbone_assignments.select_related("person").defer("note"):
        who = assignment.organisation.strip() or (person_name(assignment.person) if assignment.person else "")
        if who:
            carried[assignment.role] = who
    return {
        "available": True,
        "in_force": _agreement(next((a for a in current if a.status == AgreementStatus.IN_FORCE), None)),
        "draft": _agreement(next((a for a in current if a.status == AgreementStatus.DRAFT), None)),
        "versions": len(agreements),
        "backbone": {
            "carried": len(carried),
            "total": len(BackboneRole),
            "roles": [{"label": role.label, "by": carried.get(role)} for role in BackboneRole],
        },
    }


# --- Learning log and self-assessments (evaluation app) --------------------------------------------------


def site_learnings(site: Site) -> dict:
    """The latest entries of the site's learning log."""
    entries = list(site.learnings.order_by("-occurred_on", "-id")[:LEARNING_ITEMS])
    return {
        "available": True,
        "total": site.learnings.count(),
        "entries": [
            {
                "title": e.title,
                "on": iso(e.occurred_on),
                "what_happened": e.what_happened,
                "what_we_learned": e.what_we_learned,
                "what_we_change": e.what_we_change,
                "tags": e.tag_list,
            }
            for e in entries
        ],
    }


def _trend(levels: list[int | None]) -> str:
    known = [level for level in levels if level is not None]
    if len(known) < 2 or known[-1] == known[-2]:
        return "stable" if len(known) >= 2 else ""
    return "up" if known[-1] > known[-2] else "down"


def site_self_assessments(site: Site) -> dict:
    """The latest self-assessments, oldest first: continuum position and conditions over time."""
    assessments = list(
        site.self_assessments.order_by("-assessed_on", "-id").prefetch_related(
            Prefetch("conditions", queryset=ConditionAssessment.objects.defer("comment"))
        )[:SELF_ASSESSMENT_ITEMS]
    )
    assessments.reverse()
    ratings = [{c.condition: c.level for c in a.conditions.all()} for a in assessments]
    continuum = [a.continuum_level for a in assessments]
    labels = dict(ConditionLevel.choices)

    def row(key: ConditionKey) -> dict:
        levels = [r.get(key) for r in ratings]
        return {
            "label": key.label,
            "levels": [labels.get(level) for level in levels],
            "values": levels,
            "trend": _trend(levels),
        }

    latest = assessments[-1] if assessments else None
    return {
        "available": True,
        "total": site.self_assessments.count(),
        "dates": [iso(a.assessed_on) for a in assessments],
        "continuum": [
            {"on": iso(a.assessed_on), "level": a.continuum_level, "label": a.get_continuum_level_display()}
            for a in assessments
        ],
        "continuum_trend": _trend(continuum),
        "continuum_levels": list(ContinuumLevel.labels),
        "condition_groups": [
            {"label": "Les trois préconditions", "rows": [row(key) for key in PRECONDITIONS]},
            {"label": "Les cinq conditions de l’impact collectif", "rows": [row(key) for key in CONDITIONS]},
        ],
        "latest_moved_by": latest.continuum_moved_by if latest else "",
        "latest_comment": latest.comment if latest else "",
    }


def handover_self_assessments(site: Site) -> dict | None:
    """The handover pack's section (collectives.handover): the same layout, None while there is none."""
    content = site_self_assessments(site)
    return content if content["dates"] else None


# --- Sessions and coaching hours (collectives app, sessions) ---------------------------------------------


def site_sessions(site: Site) -> dict:
    """Sessions the site took part in (with its people present), and its coaching hours against the budget."""
    now = timezone.now()
    held = list(
        Session.objects.active()
        .filter(session_sites__site=site, starts_at__lte=now)
        .annotate(
            present=Count("participants", filter=Q(participants__site=site, participants__present=True))
        )
        .order_by("-starts_at", "-id")
        .values_list("title", "kind", "starts_at", "duration_minutes", "present")
    )
    upcoming = Session.objects.active().filter(session_sites__site=site, starts_at__gt=now).count()
    balance = coaching.balance_of(site)
    kinds = dict(SessionKind.choices)
    return {
        "available": True,
        "held": len(held),
        "attended": sum(1 for row in held if row[4]),
        "upcoming": upcoming,
        "recent": [
            {
                "title": title,
                "kind": kinds.get(kind, kind),
                "on": iso(starts_at),
                "hours": float(coaching.to_hours(minutes)),
                "present": present,
            }
            for title, kind, starts_at, minutes, present in held[:SESSION_ITEMS]
        ],
        "coaching": {
            "budget": float(balance.budget),
            "used": float(balance.used),
            "planned": float(balance.planned),
            "left": float(balance.left),
            "percent": balance.percent_used,
            "over_budget": balance.over_budget,
        },
    }
