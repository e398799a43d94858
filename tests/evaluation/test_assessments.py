"""Self-assessments: recorded by the trinôme (every answer checked), trends, latest figures per site."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collectives.enums import BackboneRole
from evaluation.enums import ConditionKey
from evaluation.models import SelfAssessment
from sites.enums import EventKind
from tests.queries import columns_read

pytestmark = pytest.mark.django_db


def _answers(day="2026-05-12", level=3, continuum=5, coverage=1):
    data = {
        "assessed_on": day,
        "continuum_level": str(continuum),
        "continuum_moved_by": "Le forum des acteurs.",
    }
    for key in ConditionKey.values:
        data[f"condition_{key}"] = str(level)
        data[f"condition_{key}_comment"] = ""
    for role in BackboneRole.values:
        data[f"role_{role}"] = str(coverage)
    return data


def test_seat_holder_records_a_self_assessment_and_sees_the_trend(client, world):
    site = world.site_a
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:assessment_add", args=[site.slug])
    first = {
        **_answers("2025-11-10", level=2, continuum=3),
        f"condition_{ConditionKey.URGENCY}_comment": "Oui",
    }
    assert client.post(url, first).status_code == 302
    assert client.post(url, _answers("2026-05-12", level=3, continuum=5, coverage=2)).status_code == 302

    latest = SelfAssessment.objects.filter(site=site).order_by("-assessed_on").first()
    assert latest.continuum_level == 5 and latest.recorded_by == world.seat_holder_a
    assert latest.conditions.count() == 8 and latest.backbone_roles.filter(coverage=2).count() == 7
    assert site.events.filter(kind=EventKind.SELF_ASSESSMENT).count() == 2
    assert (
        "Collaboration" not in site.events.first().summary and "Coordination" in site.events.first().summary
    )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("evaluation:assessments", args=[site.slug])).content.decode()
    assert page.count("<polyline") == 2  # continuum and conditions, two points each
    assert "12 mai 2026" in page and "3,0/4" in page and "2,0/4" in page
    assert "7/7" in page and "Saisie par le trinôme" in page
    # The history shows ratings, not the comments (overall, per condition, per role): they stay unread.
    comments = [f'"evaluation_{table}"."comment"' for table in ("selfassessment", "conditionassessment")]
    assert columns_read(queries, *comments, '"evaluation_backboneroleassessment"."comment"') == []
    # Nor does the form that starts a new one from the last one read them.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert columns_read(queries, *comments) == []


def test_every_answer_is_required_and_checked_next_to_its_field(client, world):
    world.login(client, world.seat_holder_a)
    data = _answers()
    data[f"condition_{ConditionKey.BACKBONE}"] = "9"
    del data[f"role_{BackboneRole.POLICY}"]
    data["continuum_level"] = "huit"
    data["assessed_on"] = "31/02/2026"
    content = client.post(
        reverse("evaluation:assessment_add", args=[world.site_a.slug]), data
    ).content.decode()
    assert "Choisissez l’un des quatre niveaux pour « Structure de soutien »." in content
    assert "Dites si le rôle « Influencer les décideurs » est porté." in content
    assert "Choisissez l’un des sept niveaux du continuum." in content
    assert "Saisissez une date valide" in content
    assert not SelfAssessment.objects.exists()


def test_a_new_self_assessment_starts_from_the_last_one(client, world):
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:assessment_add", args=[world.site_a.slug])
    client.post(url, _answers(level=4, continuum=6))
    form = client.get(url).context["form"]
    assert form.initial[f"condition_{ConditionKey.URGENCY}"] == 4 and form.initial["continuum_level"] == 6


def test_partner_and_facilitator_read_but_do_not_record(client, world):
    for reader in (world.partner_a, world.facilitator_a):
        world.login(client, reader)
        assert client.get(reverse("evaluation:assessments", args=[world.site_a.slug])).status_code == 200
        response = client.post(reverse("evaluation:assessment_add", args=[world.site_a.slug]), _answers())
        assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


def test_assessment_page_query_count(client, world, django_assert_max_num_queries):
    for month in range(1, 7):
        sa = SelfAssessment.objects.create(
            site=world.site_a, assessed_on=dt.date(2026, month, 1), continuum_level=month
        )
        for key in ConditionKey.values:
            sa.conditions.create(condition=key, level=2)
    world.login(client, world.seat_holder_a)
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluation:assessments", args=[world.site_a.slug]))
