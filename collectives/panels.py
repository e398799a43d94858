"""The collectives' panels on the site page (`sites.panels`): the collective's work at a glance (agreement,
backbone, pending invitations), and the sessions card (coaching hours, next session)."""

from sites import panels, progress

from .models import SEAT_VALUES
from .services import coaching
from .services.backbone import carried_count


def collective_panel(request, site) -> dict:
    """The agreement's state from the site's progress facts (`sites.SiteProgress`, read with the site: the
    dashboard's column says the same), how many backbone roles are carried, the invitations to a seat."""
    site_access = getattr(request, "site_access", None)
    facts = progress.facts(site)
    return {
        "agreement_since": facts.agreement_in_force_since,
        "agreement_draft": facts.agreement_draft_number is not None,
        "backbone": carried_count(site),
        "pending_seats": list(site.invitations.pending().filter(role__in=SEAT_VALUES)),
        "show_contacts": site_access is not None and site_access.can_see_contacts,
    }


def sessions_card(request, site) -> dict:
    site_access = getattr(request, "site_access", None)
    balance, next_session = coaching.balance_and_next(site)
    return {
        "balance": balance,
        "next_session": next_session,
        "can_plan": bool(site_access and site_access.can_run_sessions),
    }


def connect() -> None:
    panels.register(
        panels.Panel(
            "collective", panels.SIDE_TOP, 20, "collectives/includes/site_panel.html", collective_panel
        )
    )
    panels.register(
        panels.Panel(
            "sessions",
            panels.SIDE_BOTTOM,
            10,
            "sessions/includes/site_card.html",
            sessions_card,
            ("css/sessions.css",),
        )
    )
