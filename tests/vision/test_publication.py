"""The public page of a site: the three seats' decision to publish it, its withdrawal at once, and what it
shows (nothing unpublished: markers planted in every kind of private data are looked for on the public
pages)."""

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.services import members
from qic.models import AuditEntry
from sites.enums import EventKind, NotificationKind
from sites.models import Notification
from tests.collectives.factories import MembershipFactory
from tests.sessions.factories import at, make_session
from tests.vision.factories import chain_strategy, full_trinome
from vision import publication, services
from vision.models import Publication, Revision, Vision


@pytest.fixture
def trinome(world):
    """Site A's three seat holders, by seat."""
    return full_trinome(world.site_a, civil_society=world.seat_holder_a)


def _post(client, user, act, site, **data):
    client.force_login(user)
    response = client.post(
        reverse(f"vision:publication_{act}", kwargs={"site_slug": site.slug}), data, follow=True
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def _public(site):
    return Client().get(reverse("public:site", kwargs={"slug": site.slug}))


def _kinds(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def test_three_seats_publish_and_one_unpublishes_at_once(client, world, trinome):
    site = world.site_a
    prefect, municipality, civil = (trinome[seat] for seat in MemberRole.values[:3])
    assert _public(site).status_code == 404

    messages = _post(client, prefect, "propose", site)
    assert messages == [
        "Votre proposition est enregistrée : la publication attend l’accord des sièges « Collectivité », "
        "« Société civile »."
    ]
    assert _kinds(NotificationKind.PUBLICATION_PROPOSED) == sorted([municipality.pk, civil.pk])
    number = Publication.objects.get(site=site).number
    # Everyone who reads the site sees the state; a partner has no act to do.
    client.force_login(world.partner_a)
    panel = client.get(reverse("sites:detail", kwargs={"site_slug": site.slug})).content.decode()
    assert "En attente des autres sièges" in panel and "Donner mon accord" not in panel

    assert _post(client, municipality, "approve", site, proposition=number) == [
        "Votre accord est enregistré ; la publication attend l’accord du siège « Société civile »."
    ]
    assert _post(client, municipality, "approve", site, proposition=number) == [
        "Votre accord était déjà enregistré ; la publication attend l’accord du siège « Société civile »."
    ]
    assert _public(site).status_code == 404
    assert _post(client, civil, "approve", site, proposition=number) == [
        "La page publique est publiée : les trois sièges du trinôme ont donné leur accord."
    ]
    assert _public(site).status_code == 200
    assert site.name in Client().get(reverse("public:index")).content.decode()
    assert _kinds(NotificationKind.PAGE_PUBLISHED) == sorted([prefect.pk, municipality.pk, civil.pk])
    assert not Notification.objects.filter(
        kind=NotificationKind.PUBLICATION_PROPOSED, closed_at=None
    ).exists()
    assert site.events.filter(kind=EventKind.PAGE_PUBLISHED).count() == 1

    assert _post(client, municipality, "unpublish", site) == [
        "La page publique est retirée : elle n’est plus visible sans connexion."
    ]
    assert _public(site).status_code == 404
    assert site.name not in Client().get(reverse("public:index")).content.decode()
    assert _kinds(NotificationKind.PAGE_UNPUBLISHED) == sorted([prefect.pk, civil.pk])
    assert site.events.filter(kind=EventKind.PAGE_UNPUBLISHED).count() == 1
    withdrawal = AuditEntry.objects.filter(model="vision.publication", actor=municipality).get()
    assert withdrawal.before["ended_at"] is None and withdrawal.after["ended_at"]
    # A late agreement to the ended publication is told why nothing happens.
    assert _post(client, prefect, "approve", site, proposition=number)[0].startswith(
        "Cette publication a été retirée le "
    )
    # Signed-in readers of the site keep a preview; others signed in get the same 404 as anonymous visitors.
    client.force_login(world.partner_a)
    preview = client.get(reverse("public:site", kwargs={"slug": site.slug}))
    assert "Aperçu : cette page n’est pas publiée" in preview.content.decode()
    client.force_login(world.seat_holder_b)
    assert client.get(reverse("public:site", kwargs={"slug": site.slug})).status_code == 404


def test_agreeing_to_a_withdrawn_proposal_is_refused(client, world, trinome):
    site = world.site_a
    prefect, municipality = trinome[MemberRole.PREFECT_DELEGATE], trinome[MemberRole.MUNICIPALITY]
    _post(client, prefect, "propose", site)
    assert _post(client, prefect, "unpublish", site) == [
        "La proposition de publication est retirée : rien n’est publié."
    ]
    messages = _post(client, municipality, "approve", site, proposition=1)
    assert (
        messages[0].startswith("Cette proposition a été retirée le ") and "rien n’est publié" in messages[0]
    )
    assert _post(client, municipality, "approve", site, proposition=99) == [
        "Cette proposition de publication n’existe pas."
    ]
    assert _post(client, municipality, "unpublish", site) == [
        "La page publique n’est pas publiée : il n’y a rien à retirer."
    ]
    assert not publication.is_published(site)


def test_a_second_proposal_at_the_same_time_is_an_agreement(world, trinome):
    site = world.site_a
    publication.propose(site, trinome[MemberRole.PREFECT_DELEGATE])
    outcome = publication.propose(site, trinome[MemberRole.MUNICIPALITY])
    assert outcome.message.startswith("Votre accord est enregistré")
    assert Publication.objects.filter(site=site).count() == 1


def test_a_vacant_seat_holds_the_publication_back(client, world):
    site = world.site_a
    municipality = MembershipFactory(site=site, role=MemberRole.MUNICIPALITY).user
    _post(client, world.seat_holder_a, "propose", site)
    assert _post(client, municipality, "approve", site, proposition=1) == [
        "Votre accord est enregistré ; la publication attend l’accord du siège « Délégué·e du préfet »."
    ]
    client.force_login(municipality)
    panel = client.get(reverse("sites:detail", kwargs={"site_slug": site.slug})).content.decode()
    assert "siège vacant, la publication attend qu’il soit pourvu" in panel
    assert not publication.is_published(site)


def test_a_seat_changing_hands_needs_the_new_holders_agreement(client, world, trinome):
    site = world.site_a
    publication.propose(site, trinome[MemberRole.PREFECT_DELEGATE])
    publication.approve(site, trinome[MemberRole.MUNICIPALITY], number=1)
    leaving = trinome[MemberRole.MUNICIPALITY]
    membership = site.memberships.current().get(user=leaving)
    members.end_membership(membership, actor=world.national)
    newcomer = MembershipFactory(site=site, role=MemberRole.MUNICIPALITY).user
    outcome = publication.approve(site, trinome[MemberRole.CIVIL_SOCIETY], number=1)
    assert outcome.message.endswith(
        "l’accord du siège « Collectivité »."
    )  # the old holder's no longer counts
    # The person who left may not act any more.
    client.force_login(leaving)
    url = reverse("vision:publication_approve", kwargs={"site_slug": site.slug})
    assert client.post(url, {"proposition": 1}).status_code in (403, 404)
    assert publication.approve(site, newcomer, number=1).message.startswith("La page publique est publiée")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between two connections need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_the_last_two_seats_agreeing_at_the_same_moment(world):
    site = world.site_a
    trinome = full_trinome(site, civil_society=world.seat_holder_a)
    publication.propose(site, trinome[MemberRole.PREFECT_DELEGATE])
    barrier, outcomes = threading.Barrier(2), []

    def agree(user):
        try:
            barrier.wait(timeout=10)
            outcomes.append(publication.approve(site, user, number=1).message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=agree, args=(trinome[seat],))
        for seat in (MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2
    assert sum(message.startswith("La page publique est publiée") for message in outcomes) == 1
    assert site.events.filter(kind=EventKind.PAGE_PUBLISHED).count() == 1


# --- Nothing unpublished on the public pages ----------------------------------------------------------------

MARKERS = (
    "MARQUEUR-BROUILLON",
    "MARQUEUR-CHANGEMENT",
    "MARQUEUR-SESSION-PRIVEE",
    "MARQUEUR-ORDRE-DU-JOUR",
    "MARQUEUR-LIEN",
    "MARQUEUR-ANNULEE",
    "MARQUEUR-PASSEE",
    "MARQUEUR-COMMENTAIRE",
    "MARQUEUR-HABITANT",
    "MARQUEUR-ANCIEN-PARTENAIRE",
    "MARQUEUR-SITE-B",
)


def _plant(world, trinome):
    site, user = world.site_a, world.seat_holder_a
    chain_strategy(site, user, statement="Un quartier où chacun trouve sa place en 2040.")
    head = Revision.objects.filter(site=site).order_by("-number").first().number
    for holder in trinome.values():
        services.approve(site, holder, number=head)
    # After the adoption: a draft and a change nobody adopted, a remark.
    version = Vision.objects.get(site=site).version
    services.save_statement(
        site, user, expected_version=version, statement="MARQUEUR-BROUILLON", horizon_year=2050
    )
    services.add_change(site, user, level="direct", register="knowledge", title="MARQUEUR-CHANGEMENT")
    services.add_comment(site, user, body="MARQUEUR-COMMENTAIRE")
    # Sessions: a public one (its agenda and link stay private), a private one, a cancelled and a past one.
    make_session(
        [site], title="Forum ouvert du quartier", is_public=True, agenda="MARQUEUR-ORDRE-DU-JOUR",
        online_url="https://visio.exemple.fr/MARQUEUR-LIEN",
    )  # fmt: skip
    make_session([site], title="MARQUEUR-SESSION-PRIVEE")
    make_session([site], title="MARQUEUR-ANNULEE", is_public=True, cancelled_at=at(days=-1))
    make_session([site], title="MARQUEUR-PASSEE", is_public=True, starts_at=at(days=-10))
    # People: partners' organisations are shown, not their names; residents and former partners are not.
    site.memberships.filter(user=world.partner_a).update(organisation="Régie de quartier des Tilleuls")
    MembershipFactory(site=site, role=MemberRole.RESIDENT, organisation="MARQUEUR-HABITANT")
    gone = MembershipFactory(site=site, role=MemberRole.PARTNER, organisation="MARQUEUR-ANCIEN-PARTENAIRE")
    members.end_membership(gone, actor=world.national)
    # Another site, unpublished.
    services.save_statement(
        world.site_b, world.seat_holder_b, expected_version=1, statement="MARQUEUR-SITE-B", horizon_year=2045
    )
    world.site_b.name = "MARQUEUR-SITE-B"
    world.site_b.save()
    publication.propose(site, trinome[MemberRole.PREFECT_DELEGATE])
    for seat in (MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY):
        publication.approve(site, trinome[seat], number=1)


def test_public_pages_show_nothing_unpublished(world, trinome, django_assert_num_queries):
    # People get names no page could show by chance (a generated "Paris" is also a city).
    persons = [*trinome.values(), world.partner_a, world.seat_holder_b]
    for number, user in enumerate(persons):
        user.last_name = f"Marqueurnom{number}"
        user.save(update_fields=["last_name"])
    _plant(world, trinome)
    people = [text for user in persons for text in (user.email, user.last_name)]
    anonymous = Client()
    page_url = reverse("public:site", kwargs={"slug": world.site_a.slug})
    # The site, the adopted version (its vision and its strategy: one read of one document), the partners'
    # organisations, the public sessions.
    with django_assert_num_queries(4):
        page = anonymous.get(page_url).content.decode()
    shown = ("Un quartier où chacun trouve sa place en 2040.", "Forum ouvert du quartier", "<svg")
    shown += ("Régie de quartier des Tilleuls", "Un quartier où l’on choisit de rester")
    assert all(text in page for text in shown), [text for text in shown if text not in page]
    start = [reverse("public:index"), page_url]
    seen, queue = set(), list(start)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = anonymous.get(url)
        body = response.content.decode() if response.get("Content-Type", "").startswith("text/") else ""
        leaks = [marker for marker in (*MARKERS, *people) if marker in body]
        assert not leaks, f"{url} shows {leaks}"
        if url in start:
            queue += [
                link
                for link in re.findall(r'href="(/[^"#]*)', body)
                if not link.startswith("/static/") and link not in seen
            ]
    assert len(seen) > 5  # the pages, and what they link to (sign-in, legal pages…) were read


def test_the_planner_marks_a_session_public_on_its_form(client, world):
    from collectives.models import Session
    from tests.sessions.test_views_sessions import _form

    world.login(client, world.facilitator_a)
    data = _form([world.site_a.pk], is_public="on", facilitators=[str(world.facilitator_a.pk)])
    assert client.post(reverse("sessions:plan"), data).status_code == 302
    session = Session.objects.get()
    assert session.is_public
    edit = client.get(reverse("sessions:edit", args=[session.pk])).content.decode()
    assert 'name="is_public" checked' in edit


def test_visitors_search_the_published_quartiers_by_name_commune_or_region(world):
    """Found by a review of the public pages: the list of published quartiers (60 a page) had no search."""
    from django.utils import timezone

    from tests.sites.factories import SiteFactory

    now = timezone.now()
    for site in (world.site_a, SiteFactory(name="Les Étangs", communes="Pontoise")):
        Publication.objects.create(site=site, number=1, proposed_at=now, published_at=now)
    hidden = SiteFactory(name="Étangs du Nord")  # not published: never listed, whatever the search
    url = reverse("public:index")
    page = Client().get(url, {"q": "etangs"}).content.decode()
    assert "Les Étangs" in page and world.site_a.name not in page and hidden.name not in page
    assert "1 quartier pour «\u00a0etangs\u00a0»" in page
    assert "Les Étangs" in Client().get(url, {"q": "PONTOISE"}).content.decode()
    none = Client().get(url, {"q": "zzz"}).content.decode()
    assert "0 quartier pour" in none and "Aucun quartier n’a encore publié" not in none
