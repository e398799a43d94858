"""Demo sessions: Labo Cités' modules with three Saint-Étienne-area sites, a past 2-hour coaching session at
Saint-Étienne, its exercise saved as self-assessments; loading twice adds nothing."""

import io

import pytest
from django.core.management import call_command

from collectives.enums import SessionKind
from collectives.models import Session
from collectives.services.coaching import balance_of
from evaluation.models import SelfAssessment
from sites.models import Site

pytestmark = pytest.mark.every_database


@pytest.fixture
def demo(demo_seeded_once, db):
    return demo_seeded_once


def test_the_crpv_has_past_and_upcoming_regional_modules_of_three_sites(demo):
    modules = Session.objects.filter(kind=SessionKind.REGIONAL_MODULE, facilitators__email="crpv@demo.qic.fr")
    assert modules.count() == 2
    past, upcoming = modules.order_by("starts_at")
    assert past.has_ended() and not upcoming.has_ended()
    assert {s.slug for s in upcoming.sites.all()} == {
        "saint-etienne",
        "saint-etienne-montreynaud",
        "saint-etienne-tarentaize-beaubrun",
    }
    assert past.participants.filter(present=True).exists()
    assert SelfAssessment.objects.filter(source_session=past).count() == 3


def test_saint_etienne_had_a_two_hour_coaching_session(demo):
    site = Site.objects.get(slug="saint-etienne")
    coaching = Session.objects.coaching().get(sites=site)
    assert coaching.has_ended() and coaching.duration_minutes == 120
    balance = balance_of(site)
    assert (balance.used, balance.budget) == (2, 10)


def test_loading_the_demo_again_adds_no_session(demo):
    before = (Session.objects.count(), SelfAssessment.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Session.objects.count(), SelfAssessment.objects.count()) == before
