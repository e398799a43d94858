"""Each site's stored progress facts (`sites.SiteProgress`) stay true through the app's writes, and a
recomputation finds nothing to change: on the demo data, and after writes through services and the ORM."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.services import members
from evaluation.models import SelfAssessment
from sites import progress
from sites.models import Site, SiteProgress
from tests.collectives.factories import UserFactory
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.every_database


@pytest.fixture
def demo(demo_seeded_once, db):
    return demo_seeded_once


def test_every_demo_site_has_its_facts_and_they_are_true(demo):
    assert SiteProgress.objects.count() == Site.objects.count() > 0
    assert progress.stale() == {}
    out = io.StringIO()
    call_command("rebuild_progress", "--check", stdout=out)
    assert "à jour" in out.getvalue()
    # The demo tells a story the facts must show: Saint-Étienne adopted its vision, its trinôme is complete.
    adopted = SiteProgress.objects.filter(vision_adopted_at__isnull=False)
    assert adopted.exists()
    assert SiteProgress.objects.filter(seats_filled=3).exists()


def test_a_write_that_bypasses_the_services_is_found_and_repaired(demo):
    facts = SiteProgress.objects.filter(seats_filled__gt=0).first()
    SiteProgress.objects.filter(pk=facts.pk).update(seats_filled=0, seats_held="")
    with pytest.raises(CommandError, match="pas à jour"):
        call_command("rebuild_progress", "--check", stdout=io.StringIO())
    call_command("rebuild_progress", stdout=io.StringIO())
    assert progress.stale() == {}
    assert SiteProgress.objects.get(pk=facts.pk).seats_filled == facts.seats_filled


def test_a_new_site_starts_with_a_row_of_no_facts_and_each_write_moves_its_own_fact(db):
    site = SiteFactory()
    facts = SiteProgress.objects.get(site=site)
    assert (facts.seats_filled, facts.vision_adopted_at, facts.last_assessed_on) == (0, None, None)

    members.join(site, UserFactory(), MemberRole.MUNICIPALITY)
    assessment = SelfAssessment.objects.create(site=site, assessed_on=dt.date(2026, 5, 4), continuum_level=3)
    facts.refresh_from_db()
    assert (facts.seats_filled, facts.seats_held) == (1, "municipality,")
    assert (str(facts.last_assessed_on), facts.continuum_level) == ("2026-05-04", 3)

    assessment.delete()  # removing the only assessment takes its facts away, in the same transaction
    facts.refresh_from_db()
    assert (facts.last_assessed_on, facts.continuum_level) == (None, None)
    assert progress.stale() == {}


def test_writes_of_a_deferred_block_move_their_facts_once_at_its_end(db):
    site, other = SiteFactory(), SiteFactory()
    facts = SiteProgress.objects.get(site=site)
    with progress.deferred():
        for role in (MemberRole.MUNICIPALITY, MemberRole.PREFECT_DELEGATE):
            members.join(site, UserFactory(), role)
        SelfAssessment.objects.create(site=other, assessed_on=dt.date(2026, 5, 4), continuum_level=3)
        with progress.deferred():  # a nested block is the outer one's
            members.join(other, UserFactory(), MemberRole.CIVIL_SOCIETY)
        facts.refresh_from_db()
        assert facts.seats_filled == 0  # not yet: recomputed at the end
        assert set(progress.stale()) == {site.pk, other.pk}
    facts.refresh_from_db()
    assert (facts.seats_filled, facts.seats_held) == (2, "prefect_delegate,municipality,")
    assert SiteProgress.objects.get(site=other).continuum_level == 3
    assert progress.stale() == {}


def test_a_deferred_block_that_fails_recomputes_nothing_and_the_next_writes_are_not_deferred(db):
    site = SiteFactory()
    with pytest.raises(RuntimeError), progress.deferred():
        members.join(site, UserFactory(), MemberRole.MUNICIPALITY)
        raise RuntimeError("the caller's transaction rolls back")
    members.join(site, UserFactory(), MemberRole.PREFECT_DELEGATE)
    assert SiteProgress.objects.get(site=site).seats_filled == 2  # the second write, recomputed at once


def test_a_site_without_a_row_reads_as_one_without_facts(client, world):
    """Rows made outside the app (a restore of an old dump, a bulk import) must not break any page."""
    SiteProgress.objects.filter(site=world.site_a).delete()
    world.login(client, world.national)
    assert client.get(reverse("sites:dashboard")).status_code == 200
    assert client.get(reverse("sites:detail", args=[world.site_a.slug])).status_code == 200
    assert client.get(reverse("sites:list")).status_code == 200
    call_command("rebuild_progress", stdout=io.StringIO())
    assert SiteProgress.objects.filter(site=world.site_a).exists()
