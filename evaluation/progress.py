"""The facts of a site's progress that evaluation owns (`sites.progress`): its latest self-assessment and
its latest position on the cooperation continuum."""

from __future__ import annotations

from sites import progress

from .models import SelfAssessment

NONE = {"last_assessed_on": None, "continuum_level": None}


def refresh(site_ids) -> None:
    ids = list(site_ids)
    latest: dict[int, tuple] = {}
    placed: dict[int, tuple] = {}
    rows = (
        SelfAssessment.objects.filter(site__in=ids)
        .order_by()
        .values_list("site_id", "assessed_on", "id", "continuum_level")
    )
    for site_id, on, pk, level in rows:
        if site_id not in latest or (on, pk) > latest[site_id]:
            latest[site_id] = (on, pk)
        if level is not None and (site_id not in placed or (on, pk) > placed[site_id][:2]):
            placed[site_id] = (on, pk, level)
    facts = {
        site_id: {"last_assessed_on": on, "continuum_level": placed.get(site_id, (None, None, None))[2]}
        for site_id, (on, _) in latest.items()
    }
    progress.write(ids, facts, NONE)


def connect() -> None:
    progress.register("evaluation", refresh)
    progress.on_writes([SelfAssessment], lambda instance: [instance.site_id], refresh, "evaluation")
