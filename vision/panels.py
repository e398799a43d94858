"""The vision app's panels on the site page (`sites.panels`): the adopted vision, the way to the workspace,
and the public page's publication."""

from sites import panels, progress

from . import publication, selectors


def vision_card(request, site) -> dict:
    """The adopted vision: its version is read only when the site's progress facts (read with the page's site)
    say one was adopted."""
    facts = progress.facts(site)
    vision = selectors.adopted_vision(site) if facts.vision_adopted_at is not None else None
    return {
        "adopted": vision,
        "statement": vision.statement if vision else "",
        "horizon": vision.horizon_year if vision else None,
        "with_strategy": bool(vision and vision.with_strategy),
    }


def publication_panel(request, site) -> dict:
    return publication.panel(site, request.site_access)


def connect() -> None:
    panels.register(panels.Panel("vision", panels.MAIN, 10, "vision/includes/site_card.html", vision_card))
    panels.register(
        panels.Panel(
            "publication", panels.SIDE_TOP, 30, "vision/includes/publication_panel.html", publication_panel
        )
    )
