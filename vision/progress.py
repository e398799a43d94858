"""The facts of a site's progress that vision owns (`sites.progress`): when its vision was last adopted,
when with its change strategy, and how many changes the strategy holds."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sites import progress

from .models import Change, Revision


def refresh(site_ids) -> None:
    site = OuterRef("site_id")
    adopted = Revision.objects.filter(site=site, adopted_at__isnull=False).order_by("-adopted_at")
    changes = Change.objects.filter(site=site).order_by().values("site").annotate(n=Count("pk")).values("n")
    progress.refresh(
        site_ids,
        vision_adopted_at=Subquery(adopted.values("adopted_at")[:1]),
        strategy_adopted_at=Subquery(adopted.filter(adopted_with_strategy=True).values("adopted_at")[:1]),
        strategy_change_count=Coalesce(Subquery(changes[:1], output_field=IntegerField()), Value(0)),
    )


def connect() -> None:
    progress.register("vision", refresh)
    progress.on_writes([Revision, Change], lambda instance: [instance.site_id], refresh, "vision")
