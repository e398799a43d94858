"""The bilan's sections fed by the other apps (vision, agreement, learnings, self-assessments, sessions) and
the comparable facts they give the roll-ups and comparisons."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collectives.enums import AgreementStatus, BackboneRole, SessionKind
from collectives.models import AgreementSignature, BackboneAssignment, Participant
from evaluation.enums import ConditionKey, ConditionLevel, ContinuumLevel
from evaluation.models import ConditionAssessment, SelfAssessment
from evaluation.reports import facts, national, render, snapshot
from sites.models import Site
from tests.collectives.factories import agreement_for
from tests.evaluation.factories import LearningFactory
from tests.sessions.factories import at, make_session
from tests.vision.factories import chain_strategy, full_trinome
from vision import services as vision_services

pytestmark = pytest.mark.django_db


def _sections(data):
    return {s["key"]: s for s in data["sections"]}


def _assess(site, on, continuum=None, **conditions):
    assessment = SelfAssessment.objects.create(site=site, assessed_on=on, continuum_level=continuum)
    for key, level in conditions.items():
        ConditionAssessment.objects.create(self_assessment=assessment, condition=key, level=level)
    return assessment


def _populate(world, site, n=1):
    """Vision adopted, an agreement in force with a draft, learnings, self-assessments, sessions attended."""
    holder = world.seat_holder_a if site == world.site_a else world.seat_holder_b
    seats = full_trinome(site, civil_society=holder)
    chain_strategy(site, next(iter(seats.values())), statement=f"Une vision pour {site.name}.")
    number = vision_services.head(site).number
    for user in seats.values():
        vision_services.approve(site, user, number=number)
    in_force = agreement_for(site, status=AgreementStatus.IN_FORCE, spaces=2)
    in_force.in_force_since = dt.date(2026, 6, 1)
    in_force.save()
    for seat, user in seats.items():
        AgreementSignature.objects.create(agreement=in_force, seat=seat, signed_by=user)
    agreement_for(site, number=2, texts={"power": ""})
    BackboneAssignment.objects.create(site=site, role=BackboneRole.VISION, organisation="Centre social")
    for i in range(n):
        LearningFactory(
            site=site, title=f"Apprentissage {i}", occurred_on=dt.date(2026, 1, 1) + dt.timedelta(days=i)
        )
        _assess(
            site,
            dt.date(2025, 1, 1) + dt.timedelta(days=30 * i),
            continuum=min(1 + i, 7),
            **{ConditionKey.SHARED_VISION: min(1 + i, 4), ConditionKey.URGENCY: 3},
        )
        session = make_session([site], kind=SessionKind.SITE_COACHING, starts_at=at(days=-10 - i), hours=2)
        Participant.objects.filter(session=session, site=site).update(present=True)
    make_session([site], kind=SessionKind.REGIONAL_MODULE, starts_at=at(days=20))
    return seats


def test_the_bilan_shows_what_the_other_apps_hold(world):
    _populate(world, world.site_a, n=3)

    sections = _sections(snapshot.site_snapshot(world.site_a.pk))

    vision = sections["vision"]
    assert vision["statement"] == "Une vision pour Quartier A." and vision["adopted"]["number"] >= 1
    strategy = sections["strategy"]
    assert strategy["svg"].startswith("<svg") and strategy["adopted"]
    agreement = sections["agreement"]
    assert agreement["in_force"]["in_force_since"] == "2026-06-01"
    assert all(s["by"] for s in agreement["in_force"]["signatures"])
    assert agreement["draft"]["number"] == 2 and agreement["draft"]["written"] == 4
    assert agreement["backbone"]["carried"] == 1
    learnings = sections["learnings"]
    assert learnings["total"] == 3 and learnings["entries"][0]["title"] == "Apprentissage 2"
    assessments = sections["self_assessments"]
    assert [p["level"] for p in assessments["continuum"]] == [1, 2, 3]
    assert assessments["continuum_trend"] == "up"
    vision_row = assessments["condition_groups"][1]["rows"][0]
    assert (
        vision_row["levels"] == ["Absente", "Émergente", "En développement"] and vision_row["trend"] == "up"
    )
    sessions = sections["sessions"]
    assert (sessions["held"], sessions["attended"], sessions["upcoming"]) == (3, 3, 1)
    assert sessions["coaching"]["used"] == 6.0 and sessions["coaching"]["budget"] == 10.0

    html = render.report_html(snapshot.site_snapshot(world.site_a.pk), data_date=dt.date(2026, 11, 21))
    assert html.count("<svg") == 2  # the strategy diagram (the vision app's) and the continuum chart
    assert "Une vision pour Quartier A." in html and "Apprentissage 2" in html


def test_empty_sections_say_so(world):
    html = render.report_html(snapshot.site_snapshot(world.site_b.pk), data_date=dt.date(2026, 11, 21))
    for sentence in (
        "Aucune vision écrite à ce jour.",
        "Aucune stratégie de changement dessinée à ce jour.",
        "Aucune entente de coopération commencée à ce jour.",
        "Aucun apprentissage consigné à ce jour",
        "Aucune auto-évaluation enregistrée à ce jour.",
        "Aucune session tenue avec le site à ce jour.",
    ):
        assert sentence in html


def test_the_bilans_query_count_does_not_grow_with_any_familys_data(world, django_assert_num_queries):
    _populate(world, world.site_b, n=1)
    with CaptureQueriesContext(connection) as few:
        snapshot.site_snapshot(world.site_b.pk)
    _populate(world, world.site_a, n=8)
    with django_assert_num_queries(len(few.captured_queries)):
        data = snapshot.site_snapshot(world.site_a.pk)
    assert _sections(data)["learnings"]["total"] == 8


def test_facts_and_distributions_come_from_the_latest_self_assessment(world):
    _populate(world, world.site_a, n=3)
    _assess(world.site_b, dt.date(2026, 2, 1), continuum=ContinuumLevel.COORDINATION)

    table = facts.collect(Site.objects.all())

    a, b = table.by_site[world.site_a.pk], table.by_site[world.site_b.pk]
    assert a["vision_adopted"] and a["strategy_adopted"] and a["agreement_signed"]
    assert a["backbone_roles"] == 1 and a["sessions_attended"] == 3 and a["coaching_hours"] == 6.0
    assert (
        a["continuum"] == "Communication"
        and a[f"condition_{ConditionKey.SHARED_VISION}"] == "En développement"
    )
    assert not b["vision_adopted"] and b["continuum"] == "Coordination" and b["coaching_hours"] == 0
    sections = _sections(national.national_snapshot())
    continuum = sections["continuum"]["distributions"][0]
    assert {level["level"]: level["count"] for level in continuum["levels"]}["Communication"] == 1
    assert continuum["known"] == 2
    conditions = sections["conditions"]["distributions"]
    assert [d["label"] for d in conditions][0] == ConditionKey.SHARED_VISION.label
    assert [level["level"] for level in conditions[0]["levels"]] == list(ConditionLevel.labels)
    assert conditions[0]["known"] == 1 and conditions[0]["unknown"] == 1
