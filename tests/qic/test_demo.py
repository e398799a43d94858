"""`make demo` data: the real wave 1 sites, the demo accounts and their rights, loaded idempotently."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from collectives.enums import MemberRole, PlatformRole
from collectives.models import Membership, User
from sites.models import ResourceCentre, Site, SiteEvent

pytestmark = pytest.mark.every_database

DEMO_PASSWORD = "qic-demo-2025"
WAVE_1 = {
    "le-teil", "montelimar", "pont-de-claix", "saint-etienne", "chateau-thierry",
    "conde-sur-lescaut", "hazebrouck", "lievin", "koungou",
}  # fmt: skip


@pytest.fixture
def demo(demo_seeded_once, db):
    return demo_seeded_once


def test_demo_prints_the_logins(demo):
    for email in ["national@demo.qic.fr", "comite@demo.qic.fr", "crpv@demo.qic.fr", "trinome@demo.qic.fr"]:
        assert email in demo
    assert DEMO_PASSWORD in demo


def test_demo_has_the_real_wave_1_sites_in_their_regions(demo):
    wave_1 = Site.objects.filter(wave__number=1).select_related("department__region")
    assert {s.slug for s in wave_1} == WAVE_1
    regions = {s.slug: s.department.region.name for s in wave_1}
    assert regions["koungou"] == "Mayotte"
    assert regions["lievin"] == "Hauts-de-France"
    assert regions["le-teil"] == "Auvergne-Rhône-Alpes"
    assert Site.objects.filter(wave__number=2).count() >= 30
    assert Site.objects.filter(wave__number=3).count() == 30


def test_demo_accounts_have_their_roles(demo):
    crpv = User.objects.get(email="crpv@demo.qic.fr")
    assert crpv.role == PlatformRole.FACILITATOR
    assert "84" in crpv.resource_centre.regions.values_list("code", flat=True)
    assert User.objects.get(email="national@demo.qic.fr").role == PlatformRole.NATIONAL
    assert User.objects.get(email="comite@demo.qic.fr").role == PlatformRole.STEERING
    seat = Membership.objects.current().get(user__email="trinome@demo.qic.fr")
    assert (seat.site.slug, seat.role) == ("saint-etienne", MemberRole.CIVIL_SOCIETY)


def test_saint_etienne_trinome_is_complete_and_keeps_its_handover_history(demo):
    site = Site.objects.get(slug="saint-etienne")
    seats = {m.role for m in site.memberships.current().seats()}
    assert seats == {MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY}
    past = site.memberships.filter(ended_on__isnull=False).get()
    assert past.user.email == "ancien.delegue@demo.qic.fr"


def test_demo_shows_vacant_seats_somewhere(demo):
    koungou = Site.objects.get(slug="koungou")
    assert not koungou.memberships.current().filter(role=MemberRole.PREFECT_DELEGATE).exists()


def test_demo_is_idempotent(demo):
    counts = (
        Site.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        SiteEvent.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    again = (
        Site.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        SiteEvent.objects.count(),
    )
    assert again == counts
    assert ResourceCentre.objects.filter(short_name="Labo Cités").count() == 1


@pytest.mark.parametrize("email", ["national@demo.qic.fr", "comite@demo.qic.fr", "crpv@demo.qic.fr",
                                   "trinome@demo.qic.fr"])  # fmt: skip
def test_demo_accounts_sign_in_with_the_demo_password(client, demo, email):
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_trinome_reaches_saint_etienne_and_no_other_site(client, demo):
    client.post(reverse("account_login"), {"login": "trinome@demo.qic.fr", "password": DEMO_PASSWORD})
    assert client.get("/sites/saint-etienne/").status_code == 200
    for slug in Site.objects.exclude(slug="saint-etienne").values_list("slug", flat=True):
        assert client.get(f"/sites/{slug}/").status_code == 404, slug


def test_national_sees_all_wave_1_sites(client, demo):
    client.post(reverse("account_login"), {"login": "national@demo.qic.fr", "password": DEMO_PASSWORD})
    page = client.get(reverse("sites:list"), {"vague": 1}).content.decode()
    for site in Site.objects.filter(wave__number=1):
        assert site.get_absolute_url() in page


def test_demo_statuses_are_dated_by_their_last_transition(demo):
    site = Site.objects.get(slug="saint-etienne")
    last = site.status_changes.order_by("-changed_at").first()
    assert site.status_changed_at == last.changed_at
    assert site.status_changed_at.year == 2022


def test_demo_journal_dates_each_event_by_its_own_day(demo):
    """Self-assessments, the continuum exercise and the closed cycle were all journalled at the moment the
    demo was seeded, so a bilan listed them on the report's own date."""
    from evaluation.models import EvaluationCycle, SelfAssessment

    site = Site.objects.get(slug="saint-etienne")
    for assessment in SelfAssessment.objects.filter(site=site):
        event = site.events.get(subject=f"evaluation.selfassessment:{assessment.pk}")
        assert timezone.localdate(event.occurred_at) == assessment.assessed_on, event.summary
    for cycle in EvaluationCycle.objects.filter(site=site, closed_at__isnull=False):
        event = site.events.get(subject=f"evaluation.evaluationcycle:{cycle.pk}")
        assert event.occurred_at == cycle.closed_at and timezone.localdate(cycle.closed_at) == cycle.ends_on


def test_demo_shows_saint_etiennes_public_page_to_anyone(client, demo):
    """The three seats published it (fixtures/demo/public.py); the other sites' pages stay unpublished."""
    page = client.get(reverse("public:site", kwargs={"slug": "saint-etienne"})).content.decode()
    assert "Mission locale Saint-Étienne" in page and "Webinaire ouvert" in page
    assert client.get(reverse("public:site", kwargs={"slug": "le-teil"})).status_code == 404


def test_demo_api_keys_are_printed_and_work(client, demo):
    """The partner API (issue 19) is tried at once with the demo's keys: a national reader, Saint-Étienne's
    writer, which sees its indicators and records a measurement."""
    from fixtures.demo.api import DEMO_KEYS

    national, saint_etienne = (f"Bearer {key}" for key, *_ in DEMO_KEYS)
    assert all(key in demo for key, *_ in DEMO_KEYS)
    everything = client.get(reverse("api:sites"), {"wave": 1}, HTTP_AUTHORIZATION=national).json()
    assert everything["count"] == len(WAVE_1)
    assert client.get(reverse("api:sites"), HTTP_AUTHORIZATION=saint_etienne).json()["count"] == 1
    indicators = client.get(
        reverse("api:indicators", args=["saint-etienne"]), HTTP_AUTHORIZATION=saint_etienne
    )
    indicator = next(row for row in indicators.json()["results"] if row["kind"] == "quantitative")
    url = reverse("api:measurements", args=["saint-etienne", indicator["id"]])
    measured = {"measured_on": timezone.localdate().isoformat(), "value": 7}
    response = client.post(url, measured, content_type="application/json", HTTP_AUTHORIZATION=saint_etienne)
    assert response.status_code == 201, response.content
