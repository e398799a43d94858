"""Template tags of the evaluation loop: the "what is due" panel of a site's page."""

from django import template

from ..due import WORKING, due_for_site

register = template.Library()


@register.inclusion_tag("evaluation/includes/due_panel.html")
def due_panel(site):
    """What is due on this site (the same list the weekly digest sends), for everyone who reads the site."""
    return {"site": site, "items": due_for_site(site), "working": site.status in WORKING}
