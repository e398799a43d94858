"""Counts and sums read as the database gives them (qic/aggregates.py): Python integers, equal to Django's,
on the database the tests run on (PostgreSQL and SQLite in CI)."""

import pytest
from django.db import models
from django.db.models import F, When

from qic import aggregates
from sites.models import Site, SiteProgress
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.every_database


def test_counts_sums_and_cases_of_integers_are_the_integers_django_would_give(db):
    for level, status in ((3, "active"), (5, "active"), (None, "active"), (7, "paused")):
        site = SiteFactory(status=status)
        facts = {"continuum_level": level, "funnel_stage": 2}
        SiteProgress.objects.update_or_create(site=site, defaults=facts)
    SiteFactory(status="interested")  # no progress row: NULLs in the join

    def rows(count, total, case):
        ones = case(When(progress__continuum_level__gte=5, then=1), default=0)
        return list(
            Site.objects.order_by("status")
            .annotate(stage=case(When(status="active", then=F("progress__funnel_stage"))))
            .values_list("status", "stage")
            .annotate(n=count("pk"), placed=count("progress__continuum_level"))
            .annotate(levels=total("progress__continuum_level"), high=total(ones))
        )

    given = rows(aggregates.Count, aggregates.Sum, aggregates.Case)
    assert given == rows(models.Count, models.Sum, models.Case)
    assert given == [
        ("active", 2, 3, 2, 8, 1),
        ("interested", None, 1, 0, None, 0),
        ("paused", None, 1, 1, 7, 1),
    ]
    assert {type(value) for row in given for value in row[1:] if value is not None} == {int}
