"""The stored count of a site's filled trinôme seats follows every change of its collective."""

from django.urls import reverse

from collectives.enums import MemberRole
from collectives.models import Membership
from collectives.services import members
from sites import progress
from sites.models import Site, SiteProgress
from tests.collectives.factories import MembershipFactory, UserFactory
from tests.sites.factories import SiteFactory


def _filled(site) -> int:
    return SiteProgress.objects.values_list("seats_filled", flat=True).get(site=site)


def test_seats_filled_follows_joining_leaving_and_changing_role(db):
    site = SiteFactory()
    assert _filled(site) == 0
    mayor, prefect, partner = UserFactory(), UserFactory(), UserFactory()
    members.join(site, mayor, MemberRole.MUNICIPALITY)
    prefect_seat = members.join(site, prefect, MemberRole.PREFECT_DELEGATE)
    members.join(site, partner, MemberRole.PARTNER)
    assert _filled(site) == 2  # a partner holds no seat

    members.end_membership(prefect_seat)
    assert _filled(site) == 1  # a former holder no longer counts

    members.join(site, partner, MemberRole.CIVIL_SOCIETY)  # the partner takes the vacant civil-society seat
    assert _filled(site) == 2

    Membership.objects.filter(site=site, user=mayor).get().delete()
    assert _filled(site) == 1
    assert _filled(SiteFactory()) == 0


def test_recount_repairs_counts_after_writes_that_bypass_signals(db):
    first, second = SiteFactory(), SiteFactory()
    since = "2025-01-06"
    Membership.objects.bulk_create(
        [
            Membership(site=first, user=UserFactory(), role=MemberRole.MUNICIPALITY, started_on=since),
            Membership(site=first, user=UserFactory(), role=MemberRole.CIVIL_SOCIETY, started_on=since),
            Membership(site=second, user=UserFactory(), role=MemberRole.PARTNER, started_on=since),
        ]
    )
    assert (_filled(first), _filled(second)) == (0, 0)  # bulk_create sends no signal

    assert progress.rebuild([first.pk]) == 1
    assert (_filled(first), _filled(second)) == (2, 0)
    assert progress.rebuild() == Site.objects.count()


def test_the_dashboard_sorts_by_filled_seats_and_flags_vacant_seats(client, world):
    """What a national user sees: sites sorted by how complete their trinôme is, and the vacant-seat alert."""
    wave = world.site_a.wave
    complete = SiteFactory(name="Trinôme complet", wave=wave, status="active")
    for role in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY):
        MembershipFactory(site=complete, role=role)
    empty = SiteFactory(name="Trinôme à constituer", wave=wave, status="active")
    client.force_login(world.national)

    def table(**params):
        page = client.get(reverse("sites:dashboard"), params).content.decode()
        # The sites' table (the map's table of departments comes before it).
        return page.split('<table id="sites-table">', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]

    rows = table(vague=wave.number, tri="-trinome")
    assert rows.index("Trinôme complet") < rows.index("Quartier A") < rows.index("Trinôme à constituer")
    rows = table(vague=wave.number, tri="trinome")
    assert rows.index("Trinôme à constituer") < rows.index("Quartier A") < rows.index("Trinôme complet")

    vacant = table(alerte="siege-vacant")
    assert empty.name in vacant and complete.name not in vacant


def test_sites_without_a_value_come_last_whichever_the_sort_direction(client, world):
    """Sorting by the agreement date, either way, lists first the sites that have one."""
    import datetime as dt

    from collectives.models import CooperationAgreement

    wave = world.site_a.wave
    older = SiteFactory(name="Entente ancienne", wave=wave)
    newer = SiteFactory(name="Entente récente", wave=wave)
    for site, day in ((older, dt.date(2025, 3, 1)), (newer, dt.date(2026, 2, 1))):
        CooperationAgreement.objects.create(site=site, number=1, status="in_force", in_force_since=day)
    client.force_login(world.national)

    def order(sort):
        page = client.get(reverse("sites:dashboard"), {"vague": wave.number, "tri": sort}).content.decode()
        rows = page.split('<table id="sites-table">', 1)[1].split("</tbody>", 1)[0]  # not the map's table
        names = ("Entente ancienne", "Entente récente", "Quartier A")
        return sorted(names, key=rows.index)

    assert order("-entente") == ["Entente récente", "Entente ancienne", "Quartier A"]
    assert order("entente") == ["Entente ancienne", "Entente récente", "Quartier A"]
