"""The facts of a site's progress that evaluation owns (`sites.progress`): its latest self-assessment and
its latest position on the cooperation continuum."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from sites import progress

from .models import SelfAssessment


def refresh(site_ids) -> None:
    latest = SelfAssessment.objects.filter(site=OuterRef("site_id")).order_by("-assessed_on", "-id")
    progress.refresh(
        site_ids,
        last_assessed_on=Subquery(latest.values("assessed_on")[:1]),
        continuum_level=Subquery(latest.filter(continuum_level__isnull=False).values("continuum_level")[:1]),
    )


def connect() -> None:
    progress.register("evaluation", refresh)
    progress.on_writes([SelfAssessment], lambda instance: [instance.site_id], refresh, "evaluation")
