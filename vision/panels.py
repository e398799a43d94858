"""The vision app's panel on the site page (`sites.panels`): the adopted vision, the way to the workspace."""

from sites import panels

from . import selectors


def vision_card(request, site) -> dict:
    revision = selectors.adopted_revision(site)
    return {
        "adopted": revision,
        "statement": revision.snapshot["vision"]["statement"] if revision else "",
        "horizon": revision.snapshot["vision"]["horizon_year"] if revision else None,
        "with_strategy": bool(revision and revision.adopted_with_strategy),
    }


def connect() -> None:
    panels.register(panels.Panel("vision", panels.MAIN, 10, "vision/includes/site_card.html", vision_card))
