"""Template tags of the collectives for other apps' pages (the site page's collective panel)."""

from django import template

from ..models import SEAT_VALUES
from ..services import agreement as agreement_services
from ..services.backbone import coverage

register = template.Library()


@register.inclusion_tag("collectives/includes/site_panel.html", takes_context=True)
def collective_panel(context, site):
    """The collective's work at a glance: the agreement's state, backbone coverage, links to the pages."""
    return {
        "site": site,
        "agreement": agreement_services.working_version(site),
        "in_force": agreement_services.in_force(site),
        "backbone": coverage(site),
        "pending_seats": list(site.invitations.pending().filter(role__in=SEAT_VALUES)),
        "show_contacts": getattr(context.get("request"), "site_access", None) is not None
        and context["request"].site_access.can_see_contacts,
    }
