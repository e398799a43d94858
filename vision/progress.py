"""The facts of a site's progress that vision owns (`sites.progress`): when its vision was last adopted,
when with its change strategy, and how many changes the strategy holds."""

from __future__ import annotations

from django.db.models import Count

from sites import progress

from .models import Change, Revision

NONE = {"vision_adopted_at": None, "strategy_adopted_at": None, "strategy_change_count": 0}


def refresh(site_ids) -> None:
    ids = list(site_ids)
    facts: dict[int, dict] = {}
    adopted = (
        Revision.objects.filter(site__in=ids, adopted_at__isnull=False)
        .order_by()
        .values_list("site_id", "adopted_at", "adopted_with_strategy")
    )
    for site_id, at, with_strategy in adopted:
        site = facts.setdefault(site_id, dict(NONE))
        if site["vision_adopted_at"] is None or at > site["vision_adopted_at"]:
            site["vision_adopted_at"] = at
        if with_strategy and (site["strategy_adopted_at"] is None or at > site["strategy_adopted_at"]):
            site["strategy_adopted_at"] = at
    changes = Change.objects.filter(site__in=ids).order_by().values("site_id").annotate(n=Count("pk"))
    for site_id, count in changes.values_list("site_id", "n"):
        facts.setdefault(site_id, dict(NONE))["strategy_change_count"] = count
    progress.write(ids, facts, NONE)


def connect() -> None:
    progress.register("vision", refresh)
    progress.on_writes([Revision, Change], lambda instance: [instance.site_id], refresh, "vision")
