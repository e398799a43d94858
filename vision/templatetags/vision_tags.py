"""Template helpers of the vision app for other pages (the site page's card)."""

from django import template

from vision import selectors

register = template.Library()


@register.inclusion_tag("vision/includes/site_card.html")
def vision_card(site):
    """The site page's card: the adopted vision (and its date) and the way to the workspace."""
    revision = selectors.adopted_revision(site)
    return {
        "site": site,
        "adopted": revision,
        "statement": revision.snapshot["vision"]["statement"] if revision else "",
        "horizon": revision.snapshot["vision"]["horizon_year"] if revision else None,
        "with_strategy": bool(revision and revision.adopted_with_strategy),
    }
