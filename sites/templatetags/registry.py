"""Template helpers of the registry: how a status looks; the sites on the map of France."""

from django import template
from django.utils.html import format_html

from .. import geography
from ..enums import SiteStatus

register = template.Library()

STATUS_BADGES = {
    SiteStatus.INTERESTED: "fr-badge--blue-ecume",
    SiteStatus.REGISTERING: "fr-badge--new",
    SiteStatus.IN_TRAINING: "fr-badge--info",
    SiteStatus.ACTIVE: "fr-badge--success",
    SiteStatus.PAUSED: "fr-badge--warning",
    SiteStatus.WITHDRAWN: "",
}


@register.simple_tag
def status_badge(status: str, size: str = "") -> str:
    """A DSFR badge for a site status, coloured by stage of the lifecycle."""
    label = SiteStatus(status).label if status in SiteStatus.values else status
    classes = " ".join(
        c for c in ("fr-badge", STATUS_BADGES.get(status, ""), "fr-badge--sm" if size else "") if c
    )
    return format_html('<span class="{} fr-badge--no-icon">{}</span>', classes, label)


@register.simple_tag(takes_context=True)
def query_without(context, *names):
    """The current query string without some parameters (a filter tag's "remove" link; back to page 1)."""
    query = context["request"].GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return query.urlencode()


@register.inclusion_tag("includes/france_map.html")
def france_map(rows, colour_by="status", table="open", map_id="carte-sites", url=""):
    """The map of France of `rows` (`sites.geography.department_counts`, gathered by the view: this tag
    makes no query), its legend and its table (`table`: "open", "accordion" or ""). For any page, e.g. the
    open data: `{% load registry %}{% france_map rows colour_by="status" %}`."""
    return {
        "map": geography.site_map(rows, colour_by=colour_by, map_id=map_id, url=url),
        "table": table,
        "heading_id": "",
    }
