"""The lifecycle rules: allowed moves, reasons, prerequisites before training, concurrent changes."""

import pytest

from collectives.enums import MemberRole
from sites import services
from sites.enums import EventKind, SiteStatus, WavePrerequisite
from sites.models import PrerequisiteCheck, Site, SiteEvent, SiteStatusChange
from tests.collectives.factories import MembershipFactory, NationalFactory
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_move_site_keeps_the_dated_transition_with_its_reason_and_journals_it():
    site = SiteFactory(status=SiteStatus.INTERESTED)
    national = NationalFactory()
    change = services.move_site(
        site,
        SiteStatus.REGISTERING,
        by=national,
        reason="Lettre d’engagement reçue",
        seen_status="interested",
    )
    site.refresh_from_db()
    assert site.status == SiteStatus.REGISTERING
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        SiteStatus.INTERESTED,
        SiteStatus.REGISTERING,
        "Lettre d’engagement reçue",
        national,
    )
    event = SiteEvent.objects.get(site=site)
    assert event.kind == EventKind.STATUS_CHANGED
    assert "Lettre d’engagement reçue" in event.summary
    assert event.summary.startswith("Statut : Intéressé → En inscription")  # from where, to where
    assert site.last_activity_at == event.occurred_at


def test_move_site_requires_a_reason():
    site = SiteFactory(status=SiteStatus.INTERESTED)
    with pytest.raises(services.LifecycleError, match="motif"):
        services.move_site(site, SiteStatus.REGISTERING, by=None, reason="  ", seen_status="interested")
    assert not SiteStatusChange.objects.exists()


def test_move_site_refuses_a_move_the_lifecycle_does_not_allow():
    site = SiteFactory(status=SiteStatus.INTERESTED)
    with pytest.raises(services.LifecycleError, match="ne peut pas passer"):
        services.move_site(site, SiteStatus.ACTIVE, by=None, reason="raccourci", seen_status="interested")
    assert Site.objects.get(pk=site.pk).status == SiteStatus.INTERESTED


def test_move_site_refuses_when_someone_changed_the_status_meanwhile():
    site = SiteFactory(status=SiteStatus.INTERESTED)
    stale = Site.objects.get(pk=site.pk)
    services.move_site(
        site, SiteStatus.WITHDRAWN, by=None, reason="Le maire renonce", seen_status="interested"
    )
    with pytest.raises(services.LifecycleError, match="entre-temps"):
        services.move_site(stale, SiteStatus.REGISTERING, by=None, reason="Relance", seen_status="interested")
    assert Site.objects.get(pk=site.pk).status == SiteStatus.WITHDRAWN
    assert SiteStatusChange.objects.count() == 1


def test_training_needs_the_three_prerequisites():
    site = SiteFactory(status=SiteStatus.REGISTERING)
    services.check_prerequisite(site, WavePrerequisite.ADHERES, by=None)
    with pytest.raises(services.LifecycleError) as error:
        services.move_site(
            site, SiteStatus.IN_TRAINING, by=None, reason="Formation", seen_status="registering"
        )
    assert "Trinôme constitué" in str(error.value)
    assert "Adhère" not in str(error.value)
    # "Trinôme constitué" is ticked once the three seats are held, and says which are vacant until then.
    MembershipFactory(site=site, role=MemberRole.MUNICIPALITY)
    with pytest.raises(services.LifecycleError) as error:
        services.check_prerequisite(site, WavePrerequisite.TRINOME, by=None)
    assert "les sièges « délégué·e du préfet » et « société civile » sont vacants" in str(error.value)
    MembershipFactory(site=site, role=MemberRole.PREFECT_DELEGATE)
    MembershipFactory(site=site, role=MemberRole.CIVIL_SOCIETY)
    services.check_prerequisite(site, WavePrerequisite.TRINOME, by=None)
    services.check_prerequisite(site, WavePrerequisite.COMMITS, by=None)
    services.move_site(site, SiteStatus.IN_TRAINING, by=None, reason="Formation", seen_status="registering")
    assert Site.objects.get(pk=site.pk).status == SiteStatus.IN_TRAINING


def test_ticking_twice_keeps_the_first_tick_and_unticking_is_journaled():
    site = SiteFactory(status=SiteStatus.REGISTERING)
    first, second = NationalFactory(), NationalFactory()
    assert services.check_prerequisite(site, WavePrerequisite.ADHERES, by=first) is not None
    assert services.check_prerequisite(site, WavePrerequisite.ADHERES, by=second) is None
    assert PrerequisiteCheck.objects.get(site=site).checked_by == first
    assert services.uncheck_prerequisite(site, WavePrerequisite.ADHERES, by=second) is True
    assert services.uncheck_prerequisite(site, WavePrerequisite.ADHERES, by=second) is False
    kinds = list(SiteEvent.objects.filter(site=site).order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.PREREQUISITE_CHECKED, EventKind.PREREQUISITE_UNCHECKED]


def test_site_slugs_never_take_a_reserved_path():
    assert services.unique_site_slug("Tableau de bord") == "tableau-de-bord-2"
    assert services.unique_site_slug("Inscriptions") == "inscriptions-2"
