"""The collectives' panels on the site page (`sites.panels`): the collective's work at a glance (agreement,
backbone, pending invitations), and the sessions card (coaching hours, next session)."""

from sites import panels

from .models import SEAT_VALUES
from .services import agreement as agreement_services
from .services import coaching
from .services.backbone import coverage


def collective_panel(request, site) -> dict:
    site_access = getattr(request, "site_access", None)
    draft, in_force = agreement_services.current_versions(site)
    return {
        "agreement": draft or in_force,
        "in_force": in_force,
        "backbone": coverage(site),
        "pending_seats": list(site.invitations.pending().filter(role__in=SEAT_VALUES)),
        "show_contacts": site_access is not None and site_access.can_see_contacts,
    }


def sessions_card(request, site) -> dict:
    from .sessions.services import site_sessions, upcoming

    site_access = getattr(request, "site_access", None)
    return {
        "balance": coaching.balance_of(site),
        "next_session": upcoming(site_sessions(site).active()).first(),
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
