"""The panels other apps put on a site's page (the trinôme's landing page): registered at start-up, gathered
by the page's view.

The site page belongs to the registry, below the apps whose work it shows (vision, collectives, evaluation):
they register a panel each (`register`), and the view asks every panel for its context (`gather`): the
queries run in the view, in a known number, and no template tag reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

# LEAD: what awaits the site's people ("À faire"), first on a phone (before the main column), at the top
# of the side column on a desk; MAIN: the page's main column; SIDE_TOP and SIDE_BOTTOM: the side column,
# around the status panel (after the main column on a phone).
LEAD, MAIN, SIDE_TOP, SIDE_BOTTOM = "lead", "main", "side_top", "side_bottom"


@dataclass(frozen=True)
class Panel:
    key: str
    slot: str  # LEAD, MAIN, SIDE_TOP or SIDE_BOTTOM (above)
    order: int
    template: str
    context: Callable  # (request, site) -> dict, or None to leave the panel out
    stylesheets: tuple[str, ...] = ()  # static paths the panel's markup needs, loaded in the page's head


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.key] = panel


def gather(request, site) -> dict[str, list[str]]:
    """The rendered panels of this site's page, by slot, in order, and under "stylesheets" the style sheets
    of the panels shown (a <link> belongs in the page's head, not in a panel). Each panel's template gets its
    own context, the site and the CSRF token (for its forms) only: rendering it with the request would run
    every context processor again (the navigation's queries) for each panel."""
    slots: dict[str, list[str]] = {LEAD: [], MAIN: [], SIDE_TOP: [], SIDE_BOTTOM: [], "stylesheets": []}
    base = {"site": site, "csrf_token": get_token(request)}
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, site)
        if context is not None:
            slots[panel.slot].append(render_to_string(panel.template, {**base, **context}))
            slots["stylesheets"] += [path for path in panel.stylesheets if path not in slots["stylesheets"]]
    return slots
