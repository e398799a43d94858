"""What other apps read from the vision app: the adopted vision and strategy, and dashboard annotations.

The national dashboard, the site page and the PDF reports show the *adopted* version (drafts stay in the
workspace). Everything here is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.fields.json import KT

from . import document, rules
from .diagram import render_svg
from .models import Revision


@dataclass(frozen=True)
class AdoptedVision:
    statement: str
    horizon_year: int | None
    adopted_at: object
    number: int
    with_strategy: bool = False  # the same version adopted a change strategy too


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


def _vision_of(revision: Revision) -> AdoptedVision:
    vision = revision.snapshot["vision"]
    return AdoptedVision(
        vision["statement"],
        vision["horizon_year"],
        revision.adopted_at,
        revision.number,
        revision.adopted_with_strategy,
    )


def adopted_vision(site) -> AdoptedVision | None:
    """The latest adopted vision: its statement and horizon are read out of the version's document by the
    database (the site page's card), not the whole document (changes, actions, narrative: tens of kB)."""
    row = (
        Revision.objects.filter(site=site, adopted_at__isnull=False)
        .order_by("-number")
        .values(
            "number",
            "adopted_at",
            "adopted_with_strategy",
            statement=KT("snapshot__vision__statement"),
            horizon=KT("snapshot__vision__horizon_year"),
        )
        .first()
    )
    if row is None:
        return None
    horizon = int(row["horizon"]) if row["horizon"] not in (None, "") else None
    return AdoptedVision(
        row["statement"] or "", horizon, row["adopted_at"], row["number"], row["adopted_with_strategy"]
    )


def adopted(site) -> tuple[AdoptedVision | None, AdoptedStrategy | None]:
    """The adopted vision and strategy together (the public page, the API): one read of one version when the
    latest adopted version holds both, as it usually does (a version may adopt the vision alone)."""
    latest = adopted_revision(site)
    if latest is None:
        return None, None
    if latest.adopted_with_strategy:
        return _vision_of(latest), AdoptedStrategy(latest.snapshot, latest.adopted_at, latest.number)
    return _vision_of(latest), adopted_strategy(site)


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
    "adopted",
    "adopted_revision",
    "adopted_strategy",
    "adopted_vision",
    "draft_snapshot",
    "strategy_is_complete",
]
