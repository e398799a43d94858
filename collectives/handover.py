"""The handover pack: what a newcomer to a trinôme seat needs to read, as one PDF.

Each section has one provider function and one template under `templates/collectives/pdf/handover/`.
A provider returns the section's template context, or None while the site has nothing to show there (the PDF
then says "Pas encore rédigé"). Later capabilities fill their section here, in their provider only:
vision and change strategy (Vision issue), latest self-assessment (Evaluation issue), upcoming sessions
(Sessions issue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from qic.access import SiteAccess
from qic.pdf import render_pdf

from .enums import AgreementPart
from .guide import AGREEMENT_QUESTIONS
from .services import agreement as agreement_services
from .services.backbone import coverage
from .services.members import collective


@dataclass
class PackSection:
    key: str
    title: str
    template: str
    provider: Callable[[object], dict | None]


def vision_section(site) -> dict | None:
    """The adopted vision (or the current draft) and its context analysis (vision app)."""
    from vision.reports import vision_section as provide

    return provide(site)


def strategy_section(site) -> dict | None:
    """The change strategy and its one-page diagram (vision app)."""
    from vision.reports import strategy_section as provide

    return provide(site)


def agreement_section(site) -> dict | None:
    """The agreement in force, or the draft being written when none is in force yet."""
    agreement = agreement_services.in_force(site) or agreement_services.draft_of(site)
    if agreement is None:
        return None
    return agreement_context(agreement, site)


def self_assessment_section(site) -> dict | None:
    """The self-assessments over time: the bilan's section (evaluation.reports.families), same layout."""
    from evaluation.reports.families import site_self_assessments

    content = site_self_assessments(site)
    return content if content["dates"] else None


def sessions_section(site) -> dict | None:
    """The site's upcoming sessions (training days, coaching) and its coaching hours (Sessions issue)."""
    from .services.coaching import balance_of
    from .services.sessions import site_sessions, upcoming

    sessions = list(upcoming(site_sessions(site).active()).prefetch_related("facilitators")[:8])
    balance = balance_of(site)
    if not sessions and not balance.used_minutes and not balance.planned_minutes:
        return None
    return {"sessions": sessions, "balance": balance}


SECTIONS = [
    PackSection(
        "vision", "Vision et analyse de contexte", "collectives/pdf/handover/vision.html", vision_section
    ),
    PackSection(
        "strategy", "Stratégie de changement", "collectives/pdf/handover/strategy.html", strategy_section
    ),
    PackSection(
        "agreement", "Entente de coopération", "collectives/pdf/handover/agreement.html", agreement_section
    ),
    PackSection(
        "self_assessment",
        "Dernière auto-évaluation",
        "collectives/pdf/handover/self_assessment.html",
        self_assessment_section,
    ),
    PackSection(
        "sessions", "Prochaines sessions", "collectives/pdf/handover/sessions.html", sessions_section
    ),
]


def agreement_context(agreement, site) -> dict:
    """One agreement version laid out for print (also the agreement's own PDF export)."""
    sections = {s.part: s for s in agreement.sections.all()}
    parts = [
        {
            "part": part,
            "label": part.label,
            "questions": AGREEMENT_QUESTIONS[part],
            "text": sections[part].text if part in sections else "",
        }
        for part in AgreementPart
    ]
    return {
        "agreement": agreement,
        "parts": parts,
        "spaces": list(agreement.spaces.all()),
        "signatures": agreement_services.signature_board(agreement, site),
    }


def pack_context(site, user) -> dict:
    people = collective(site)
    sections = []
    for section in SECTIONS:
        content = section.provider(site)
        sections.append(
            {"key": section.key, "title": section.title, "template": section.template, "content": content}
        )
    return {
        "document_title": f"Dossier de passation — {site.name}",
        "site": site,
        "reader": user,
        # The collective's page rule: e-mail addresses only for those who invite (staff, CRPV, the trinôme).
        "show_contacts": SiteAccess(user, site).can_see_contacts,
        "generated_at": timezone.now(),
        "seats": people["seats"],
        "members": people["members"],
        "handovers": [m for m in people["history"] if m.is_seat][:6],
        "backbone": coverage(site),
        "sections": sections,
    }


def render_pack(site, user) -> bytes:
    return render_pdf("collectives/pdf/handover_pack.html", pack_context(site, user))


def render_agreement(agreement, site) -> bytes:
    context = agreement_context(agreement, site)
    context.update(
        {
            "document_title": f"Entente de coopération — {site.name} — version {agreement.number}",
            "site": site,
            "generated_at": timezone.now(),
        }
    )
    return render_pdf("collectives/pdf/agreement.html", context)
