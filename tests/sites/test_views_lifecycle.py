"""Views of a site's lifecycle: the status form, the prerequisites checklist, the journal."""

import re

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from sites import journal
from sites.enums import EventKind, SiteStatus, WavePrerequisite
from sites.models import PrerequisiteCheck, Site, SiteStatusChange
from tests.collectives.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _status_url(site):
    return reverse("sites:status", kwargs={"site_slug": site.slug})


def _prerequisites_url(site):
    return reverse("sites:prerequisites", kwargs={"site_slug": site.slug})


def test_national_staff_change_a_status_with_a_reason(client, world):
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(status=SiteStatus.IN_TRAINING)
    world.login(client, world.national)
    response = client.post(
        _status_url(site),
        {"to_status": "paused", "reason": "Élections municipales", "seen_status": "in_training"},
    )
    assert response.status_code == 302
    assert response.url == f"{site.get_absolute_url()}#statut"
    change = SiteStatusChange.objects.get(site=site)
    assert (change.to_status, change.reason, change.changed_by) == (
        "paused",
        "Élections municipales",
        world.national,
    )
    page = client.get(site.get_absolute_url()).content.decode()
    assert "Élections municipales" in page
    assert "En pause" in page


def test_a_status_change_without_reason_is_explained_next_to_the_field(client, world):
    world.login(client, world.national)
    response = client.post(
        _status_url(world.site_a), {"to_status": "paused", "reason": "", "seen_status": "active"}
    )
    assert response.status_code == 400
    assert "Indiquez le motif du changement de statut." in response.content.decode()
    assert not SiteStatusChange.objects.exists()


def test_a_stale_status_form_is_refused_with_the_current_status(client, world):
    world.login(client, world.national)
    response = client.post(
        _status_url(world.site_a), {"to_status": "paused", "reason": "Pause", "seen_status": "in_training"}
    )
    assert response.status_code == 400
    assert "entre-temps" in response.content.decode()
    assert Site.objects.get(pk=world.site_a.pk).status == SiteStatus.ACTIVE


@pytest.mark.parametrize("role", ["steering", "facilitator_a", "seat_holder_a", "partner_a"])
def test_only_national_staff_change_a_status(client, world, role):
    world.login(client, getattr(world, role))
    response = client.post(
        _status_url(world.site_a), {"to_status": "paused", "reason": "Pause", "seen_status": "active"}
    )
    assert response.status_code == 403
    assert Site.objects.get(pk=world.site_a.pk).status == SiteStatus.ACTIVE
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Changer le statut" not in page


def test_status_history_page_lists_every_change(client, world):
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(status=SiteStatus.INTERESTED)
    site.refresh_from_db()
    from sites import services

    services.move_site(
        site, "registering", by=world.national, reason="Dossier reçu", seen_status="interested"
    )
    services.move_site(
        site, "withdrawn", by=world.national, reason="Retrait de la ville", seen_status="registering"
    )
    world.login(client, world.steering)
    page = client.get(_status_url(site)).content.decode()
    assert page.index("Retrait de la ville") < page.index("Dossier reçu")  # newest first
    assert "<form" not in page.split("<main", 1)[1]  # steering reads, does not change


def test_facilitator_ticks_a_prerequisite_of_a_registering_site_with_htmx(client, world):
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(status=SiteStatus.REGISTERING)
    world.login(client, world.facilitator_a)
    tick = {"prerequisite": "trinome", "action": "check"}
    refused = client.post(_prerequisites_url(site), tick, headers={"HX-Request": "true"}).content.decode()
    assert "Le trinôme n’est pas constitué" in refused and "0 sur 3 validés" in refused  # seats are vacant
    for seat in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY):
        MembershipFactory(site=site, role=seat)
    response = client.post(_prerequisites_url(site), tick, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="prerequis-checklist">')
    assert "1 sur 3 validés" in body
    assert world.facilitator_a.get_full_name() in body
    # The item's button keeps its id from « Valider » to « Retirer »: HTMX gives the focus back to it.
    assert re.search(r'<button type="submit" id="prerequis-trinome" class="[^"]*">Retirer', body)
    check = PrerequisiteCheck.objects.get(site=site)
    assert (check.prerequisite, check.checked_by) == (WavePrerequisite.TRINOME, world.facilitator_a)


def test_prerequisites_work_without_javascript(client, world):
    site = world.site_a
    Site.objects.filter(pk=site.pk).update(status=SiteStatus.REGISTERING)
    world.login(client, world.national)
    response = client.post(_prerequisites_url(site), {"prerequisite": "adheres", "action": "check"})
    assert response.status_code == 302
    assert response.url.endswith("#prerequis")
    page = client.get(site.get_absolute_url()).content.decode()
    assert "Prérequis de la vague" in page
    assert "1 sur 3 validés" in page
    client.post(_prerequisites_url(site), {"prerequisite": "adheres", "action": "uncheck"})
    assert not PrerequisiteCheck.objects.exists()


@pytest.mark.parametrize("role", ["steering", "seat_holder_a", "partner_a"])
def test_others_cannot_tick_prerequisites(client, world, role):
    Site.objects.filter(pk=world.site_a.pk).update(status=SiteStatus.REGISTERING)
    world.login(client, getattr(world, role))
    response = client.post(_prerequisites_url(world.site_a), {"prerequisite": "adheres", "action": "check"})
    assert response.status_code == 403
    assert not PrerequisiteCheck.objects.exists()


def test_prerequisites_are_not_ticked_once_the_site_is_in_training(client, world):
    world.login(client, world.national)
    client.post(_prerequisites_url(world.site_a), {"prerequisite": "adheres", "action": "check"})
    assert not PrerequisiteCheck.objects.exists()


def test_journal_lists_events_newest_first_and_filters_by_kind(client, world):
    site = world.site_a
    journal.record(site, EventKind.NOTE, "Réunion de lancement en mairie", actor=world.national)
    journal.record(site, EventKind.SESSION_ATTENDED, "Journée de formation n°2")
    world.login(client, world.seat_holder_a)
    page = client.get(reverse("sites:journal", kwargs={"site_slug": site.slug})).content.decode()
    assert page.index("Journée de formation n°2") < page.index("Réunion de lancement en mairie")
    filtered = client.get(reverse("sites:journal", kwargs={"site_slug": site.slug}), {"type": "note"})
    assert "Réunion de lancement en mairie" in filtered.content.decode()
    assert "Journée de formation n°2" not in filtered.content.decode()


def test_site_page_shows_the_journal_feed(client, world):
    journal.record(world.site_a, EventKind.NOTE, "Visite du CRPV", actor=world.facilitator_a)
    world.login(client, world.partner_a)
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Journal du site" in page
    assert "Visite du CRPV" in page


def test_journal_pagination_shows_the_current_page_and_keeps_the_filter(client, world):
    """Deep in a long journal, the pager marks the page being read and its links keep the chosen filter."""
    import datetime as dt

    from django.utils import timezone

    from sites.models import SiteEvent

    site, start = world.site_a, timezone.now() - dt.timedelta(days=400)
    SiteEvent.objects.bulk_create(
        [
            SiteEvent(
                site=site, kind=EventKind.NOTE, summary=f"Note {n}", occurred_at=start + dt.timedelta(days=n)
            )
            for n in range(30 * 20)
        ]
    )
    world.login(client, world.seat_holder_a)
    url = reverse("sites:journal", kwargs={"site_slug": site.slug})
    page = client.get(url, {"type": "note", "page": 10}).content.decode()
    pager = page.split('aria-label="Pagination"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-current="page" title="Page 10">10</a>' in pager
    for shown in (1, 2, 7, 8, 9, 11, 12, 13, 19, 20):
        assert f'href="?type=note&amp;page={shown}" title="Page {shown}"' in pager
    assert 'title="Page 5"' not in pager and 'title="Page 16"' not in pager
    assert pager.count("…") == 2  # 3 to 6 and 14 to 18 are elided
    assert 'href="?type=note&amp;page=9">Page précédente' in pager
    assert 'href="?type=note&amp;page=11">Page suivante' in pager
