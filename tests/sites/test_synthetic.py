"""Synthetic data at scale, and the dashboard's constant number of queries on it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collectives.models import CooperationAgreement, Membership, Participant, Session, User
from evaluation import search
from evaluation.dashboard import columns
from evaluation.models import Indicator, Measurement, SelfAssessment
from evaluation.reports import national
from fixtures.synthetic import sites as synthetic
from qic.models import AuditEntry
from sites.enums import EventKind
from sites.models import ResourceCentre, Site, SiteEvent, SiteStatusChange
from tests.conftest import written_once
from vision.models import Approval, Revision

pytestmark = pytest.mark.django_db


def test_seed_synthetic_spreads_realistic_sites_across_waves(capsys):
    call_command("seed_synthetic", "--sites", "120")
    sites = Site.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)
    assert sites.count() == 120
    assert sites.values("wave").distinct().count() == 4
    assert sites.values("status").distinct().count() >= 5
    assert Membership.objects.filter(site__in=sites, ended_on__isnull=True).count() > 120
    assert Membership.objects.filter(site__in=sites, ended_on__isnull=False).exists()  # seat handovers
    assert SiteEvent.objects.filter(site__in=sites).count() > 120
    assert SiteStatusChange.objects.filter(site__in=sites).exists()
    active = sites.filter(status="active").first()
    # Found by the dashboard's and the header's search (nothing stored for it: bulk-created rows too).
    assert active in search.site_matching(sites, search.words(active.name))
    assert active.last_activity_at is not None
    assert User.objects.filter(email__endswith="@synthetique.qic.fr", role="member").exists()
    member = Membership.objects.filter(site=active).first().user
    assert not User.objects.get(pk=member.pk).has_usable_password()
    assert "120 sites" in capsys.readouterr().out


def test_seed_synthetic_replaces_the_previous_run():
    synthetic.generate(30)
    synthetic.generate(12)
    assert Site.objects.filter(slug__startswith=synthetic.SLUG_PREFIX).count() == 12
    synthetic_people = User.objects.filter(email__endswith="@synthetique.qic.fr")
    members = synthetic_people.filter(role="member")
    assert members.count() == Membership.objects.filter(user__in=synthetic_people).count()
    # One facilitator per CRPV (they plan the sessions), not one more per run.
    assert synthetic_people.exclude(role="member").count() == ResourceCentre.objects.count()


@pytest.fixture
def waves(db):
    """The programme's four waves (before `world`, whose factories would otherwise make the only wave)."""
    return synthetic.ensure_waves_and_centres()


def test_dashboard_queries_do_not_grow_from_40_to_300_sites(waves, client, world, settings):
    world.login(client, world.national)
    url = reverse("sites:dashboard")

    def count(params):
        """The page's queries but its alerts' examples, and whether its table has rows with coaching booked
        (an empty page reads no column data, a page whose sites have no coaching booked has no hours to come
        to look up, an alert that concerns no site no example: the synthetic calendar decides which filters
        have sites, and which alerts, on a given day)."""
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
            assert response.status_code == 200
        board = response.context["board"]
        examples = sum(1 for alert in board.alerts if alert.count)  # one short list per alert with sites
        booked = any(site.progress.coaching_booked_minutes for site in board.rows)
        return len(captured) - examples, booked

    synthetic.generate(40)
    # A wave and region whose page shows every kind of data, sessions attended included (a page without
    # any skips the lookup of their titles: one query fewer, whatever the number of sites).
    region = (
        Participant.objects.filter(present=True, site__wave__number=3)
        .values_list("site__department__region__code", flat=True)
        .first()
    )
    filters = [
        {},
        {"vague": "3", "region": region},
        {"statut": "active", "tri": "-trinome"},
        {"alerte": "inactif"},
    ]
    few = [count(params) for params in filters]
    synthetic.generate(300)
    many = [count(params) for params in filters]
    assert few[0][1] and many[0][1]  # the whole programme's page has sites in both
    for (few_queries, few_rows), (many_queries, many_rows) in zip(few, many, strict=True):
        assert many_queries == few_queries if few_rows == many_rows else many_queries == few_queries + 1, (
            few,
            many,
        )
    # Every fact read from the sites' progress rows: 14 queries at most, whatever the number of sites (13, and
    # the header's count of unread notifications since issue 18), three of them the alerts' examples.
    assert max(queries for queries, _ in many) <= 14 - 3


def _row(site) -> dict[str, str]:
    """The site's line of the national dashboard, as the cells' texts by column label (read as the table
    reads its rows)."""
    site = columns.table_queryset(Site.objects.all(), "nom").get(pk=site.pk)
    columns.enrich([site])
    return {column.label: column.cell(site).text for column in columns.COLUMNS}


def test_rerun_replaces_everything_and_leaves_the_demo_data_alone(world):
    from vision.models import Vision

    demo_session = Session.objects.create(
        kind="webinar",
        title="Webinaire réel",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    demo_assessment = SelfAssessment.objects.create(site=world.site_a, continuum_level=3)
    synthetic.generate(60, seed=7)
    first = _table_counts()
    synthetic.generate(60, seed=7)
    assert _table_counts() == first  # same seed: the same rows, no duplicates
    synthetic.generate(20)
    assert Site.objects.filter(slug__startswith=synthetic.SLUG_PREFIX).count() == 20
    assert Session.objects.filter(pk=demo_session.pk).exists()
    assert SelfAssessment.objects.filter(pk=demo_assessment.pk).exists()
    assert Site.objects.filter(pk__in=[world.site_a.pk, world.site_b.pk]).count() == 2
    synthetic.clear()
    for model in (Session, SelfAssessment, Revision, Vision, CooperationAgreement, Participant, Indicator):
        assert model.objects.count() == (1 if model in (Session, SelfAssessment) else 0), model


def _table_counts() -> dict:
    from vision.models import Change, Vision

    models = (Site, User, Session, Participant, Revision, Vision, Change, Approval, CooperationAgreement)
    models += (SelfAssessment, Indicator, Measurement, SiteEvent, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def test_the_national_roll_up_reads_the_same_number_of_queries_whatever_the_sites(
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    synthetic.generate(30)
    with CaptureQueriesContext(connection) as few:
        national.national_snapshot()
    synthetic.generate(200)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = national.national_snapshot()
    sections = {section["key"]: section for section in data["sections"]}
    continuum = sections["continuum"]["distributions"][0]
    assert continuum["known"] > 0  # sites placed on the continuum: the roll-up's distribution is real
    assert any(row["facts"].get("vision_adopted") for row in data["sites"])
    assert any(row["facts"].get("agreement_signed") for row in data["sites"])


@pytest.fixture(scope="module")
def generated_once(django_db_setup, django_db_blocker):
    """160 synthetic sites, generated once for the tests that only read them (`written_once`): generating
    them took 8 to 10 s for each of five tests."""

    def generate():
        synthetic.generate(160)
        return Site.objects.filter(slug__startswith=synthetic.SLUG_PREFIX)

    yield from written_once(django_db_blocker, generate)


@pytest.fixture
def generated(generated_once, db):
    return generated_once


def test_active_sites_show_their_vision_agreement_sessions_and_self_assessments(generated):
    active = list(generated.filter(status="active"))
    assert len(active) >= 15
    rows = [_row(site) for site in active]

    def share(label, start):
        return sum(1 for row in rows if row[label].startswith(start)) / len(rows)

    assert share("Vision adoptée", "Adoptée le") >= 0.6
    assert share("Stratégie de changement", "Adoptée le") >= 0.4
    assert share("Entente de coopération", "Signée le") >= 0.2
    assert share("Dernière auto-évaluation", "Aucune") <= 0.2
    assert share("Dernière session", "aucune") <= 0.2
    assert share("Accompagnement (heures)", "0 h /") <= 0.2
    # Not everything is done everywhere: some active sites still have their vision to adopt.
    assert share("Vision adoptée", "Non adoptée") > 0
    # Trends: most active sites have assessed themselves more than once, and progressed on the continuum.
    histories = [list(SelfAssessment.objects.filter(site=site).order_by("assessed_on")) for site in active]
    repeated = [h for h in histories if len(h) >= 2]
    assert len(repeated) >= len(active) / 2
    assert all(h[-1].continuum_level >= h[0].continuum_level for h in repeated)
    assert all(h[0].conditions.count() == 8 and h[0].backbone_roles.count() == 7 for h in repeated)
    assert Indicator.objects.filter(site__in=active).exists()
    assert (
        Measurement.objects.filter(site__in=active).count()
        > Indicator.objects.filter(site__in=active).count()
    )


def test_sites_not_yet_in_training_have_nothing(generated):
    early = generated.filter(status__in=["interested", "registering"])
    assert early.exists()
    for site in early[:10]:
        row = _row(site)
        assert row["Vision adoptée"] == "Non adoptée"
        assert row["Stratégie de changement"] == "Non commencée"
        assert row["Entente de coopération"] == "Pas commencée"
        assert row["Dernière auto-évaluation"] == "Aucune"
        assert row["Dernière session"] == "aucune"
        assert row["Accompagnement (heures)"].startswith("0\u00a0h /")
    assert not Revision.objects.filter(site__in=early).exists()
    assert not Participant.objects.filter(site__in=early).exists()
    assert not SelfAssessment.objects.filter(site__in=early).exists()


def test_what_is_adopted_or_signed_was_approved_by_the_three_seat_holders_of_the_day(generated):
    adopted = Revision.objects.filter(site__in=generated, adopted_at__isnull=False)
    assert adopted.exists()
    for revision in adopted[:20]:
        assert revision.number == Revision.objects.filter(site=revision.site).count()  # the latest version
        approvals = Approval.objects.filter(revision=revision)
        assert sorted(approvals.values_list("seat", flat=True)) == sorted(
            ["prefect_delegate", "municipality", "civil_society"]
        )
        day = revision.adopted_at.date()
        for approval in approvals:
            assert approval.approved_at <= revision.adopted_at
            held = Membership.objects.filter(site=revision.site, user=approval.user, role=approval.seat)
            assert held.filter(started_on__lte=day).exclude(ended_on__lte=day).exists()
        assert revision.site.events.filter(
            kind=EventKind.VISION_ADOPTED, occurred_at=revision.adopted_at
        ).exists()
    for agreement in CooperationAgreement.objects.filter(site__in=generated, status="in_force")[:20]:
        assert agreement.signatures.count() == 3
        assert max(agreement.signatures.values_list("signed_on", flat=True)) == agreement.in_force_since
        assert agreement.sections.exclude(text="").count() == 5


def test_journal_holds_the_sessions_and_the_last_activity_follows_it(generated):
    attended = Participant.objects.filter(site__in=generated, present=True)
    assert attended.exists()
    participation = attended.select_related("session", "site").first()
    subject = f"collectives.session:{participation.session_id}"
    assert participation.site.events.filter(kind=EventKind.SESSION_ATTENDED, subject=subject).exists()
    for site in generated.exclude(last_activity_at=None)[:30]:
        latest = site.events.order_by("-occurred_at").first()
        assert site.last_activity_at == latest.occurred_at
    # Most sites at work show recent activity; the alert names the few that fell silent.
    at_work = generated.filter(status__in=["in_training", "active"])
    stale = at_work.filter(last_activity_at__lt=timezone.now() - dt.timedelta(days=60)).count()
    assert 0 < stale <= at_work.count() * 0.3
    # Nothing is recorded as done in the future; future sessions are planned, nobody marked present yet.
    assert not SiteEvent.objects.filter(site__in=generated, occurred_at__gt=timezone.now()).exists()
    assert not Revision.objects.filter(site__in=generated, adopted_at__gt=timezone.now()).exists()
    upcoming = Participant.objects.filter(site__in=generated, session__starts_at__gt=timezone.now())
    assert upcoming.exists() and not upcoming.filter(present=True).exists()


def test_the_alert_counts_match_the_sites_the_table_lists_for_each_alert(generated):
    """The "vision due" count leaves out the sites whose vision was adopted, as the filtered table does."""
    from evaluation.dashboard import alerts, rollups
    from sites.models import Region, Wave

    totals = rollups.totals(
        Site.objects.all(), list(Wave.objects.all()), dict(Region.objects.values_list("pk", "name"))
    )
    for key in (alerts.STALLED, alerts.VACANT_SEAT, alerts.VISION_DUE):
        assert totals.alert_counts[key] == Site.objects.filter(alerts.condition(key)).count(), key
    past_deadline = Site.objects.filter(
        status__in=alerts.TRAINED, wave__training_starts_on__lte=alerts.vision_cutoff()
    )
    assert 0 < totals.alert_counts[alerts.VISION_DUE] < past_deadline.count()
