"""What other apps read from the vision app: the adopted vision and strategy, and dashboard annotations.

The national dashboard, the site page and the PDF reports show the *adopted* version (drafts stay in the
workspace). Everything here is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import document, rules
from .diagram import render_svg
from .models import Revision


@dataclass(frozen=True)
class AdoptedVision:
    statement: str
    horizon_year: int | None
    adopted_at: object
    number: int


@dataclass(frozen=True)
class AdoptedStrategy:
    snapshot: dict
    adopted_at: object
    number: int

    @property
    def changes(self) -> list[dict]:
        return self.snapshot["changes"]

    @property
    def narrative(self) -> str:
        return self.snapshot["narrative"]

    def chain(self) -> dict:
        return document.chain(self.snapshot)

    def svg(self, *, title: str = "Stratégie de changement adoptée") -> str:
        return render_svg(self.snapshot, title=title)


def adopted_revision(site) -> Revision | None:
    """The latest adopted version of the site's document, or None."""
    return Revision.objects.filter(site=site, adopted_at__isnull=False).order_by("-number").first()


def adopted_vision(site) -> AdoptedVision | None:
    revision = adopted_revision(site)
    if revision is None:
        return None
    vision = revision.snapshot["vision"]
    return AdoptedVision(vision["statement"], vision["horizon_year"], revision.adopted_at, revision.number)


def adopted_strategy(site) -> AdoptedStrategy | None:
    """The latest adopted version that held a change strategy (a version may adopt the vision alone)."""
    revision = (
        Revision.objects.filter(site=site, adopted_at__isnull=False, adopted_with_strategy=True)
        .order_by("-number")
        .first()
    )
    if revision is None:
        return None
    return AdoptedStrategy(revision.snapshot, revision.adopted_at, revision.number)


def draft_snapshot(site) -> dict:
    """The document as it stands now (the draft being written)."""
    return document.snapshot(document.load(site))


def strategy_is_complete(snap: dict) -> bool:
    return bool(snap["changes"]) and not rules.strategy_problems(snap)


__all__ = [
    "AdoptedStrategy",
    "AdoptedVision",
    "adopted_revision",
    "adopted_strategy",
    "adopted_vision",
    "draft_snapshot",
    "strategy_is_complete",
]
