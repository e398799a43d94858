"""The handover pack: what a newcomer to a trinôme seat needs to read, as one PDF.

Each section has one provider function and one template under `templates/collectives/pdf/handover/`. A
provider returns the section's template context, or None while the site has nothing to show there (the PDF
then says the section's `empty` text: "Pas encore rédigé", "Aucune session n’est prévue"...). The pack gathers
every app, but collectives sits below vision and evaluation: those apps register their sections (vision and
strategy, self-assessments) with `register_section` in their `AppConfig.ready`, and collectives never imports
them.
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
from .services.coaching import balance_of
from .services.members import collective
from .sessions.services import site_sessions, upcoming


@dataclass(frozen=True)
class PackSection:
    key: str
    title: str
    template: str
    provider: Callable[[object], dict | None]
    position: int  # the section's place in the pack, smallest first
    empty: str = "Pas encore rédigé."  # what the pack says while the provider has nothing to show


_SECTIONS: dict[str, PackSection] = {}


def register_section(section: PackSection) -> None:
    """Add (or replace, by key) a section of the pack."""
    _SECTIONS[section.key] = section


def registered_sections() -> list[PackSection]:
    return sorted(_SECTIONS.values(), key=lambda section: section.position)


def agreement_section(site) -> dict | None:
    """The agreement in force, or the draft being written when none is in force yet."""
    agreement = agreement_services.in_force(site) or agreement_services.draft_of(site)
    if agreement is None:
        return None
    return agreement_context(agreement, site)


def sessions_section(site) -> dict | None:
    """The site's upcoming sessions (training days, coaching) and its coaching hours (Sessions issue)."""
    sessions = list(
        upcoming(site_sessions(site).active().without_texts()).prefetch_related("facilitators")[:8]
    )
    balance = balance_of(site)
    if not sessions and not balance.used_minutes and not balance.planned_minutes:
        return None
    return {"sessions": sessions, "balance": balance}


# Vision and strategy (positions 10, 20) come from vision, the self-assessments (40) from evaluation.
register_section(
    PackSection(
        "agreement",
        "Entente de coopération",
        "collectives/pdf/handover/agreement.html",
        agreement_section,
        30,
        empty="L’entente n’est pas encore commencée.",
    )
)
register_section(
    PackSection(
        "sessions",
        "Prochaines sessions",
        "collectives/pdf/handover/sessions.html",
        sessions_section,
        50,
        empty="Aucune session n’est prévue pour le moment.",
    )
)


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
    for section in registered_sections():
        content = section.provider(site)
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "template": section.template,
                "content": content,
                "empty": section.empty,
            }
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
