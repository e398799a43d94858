"""Views of collectives/sessions/views/sessions.py: the list of one's sessions, planning, a session's page,
editing (concurrent edits refused, both versions shown) and cancelling."""

import datetime as dt

import pytest
from django.urls import reverse

from collectives.enums import SessionKind
from collectives.models import Session
from tests.collectives.factories import FacilitatorFactory
from tests.sessions.factories import at, make_session
from tests.sites.factories import ResourceCentreFactory, region

LIST = reverse("sessions:list")
PLAN = reverse("sessions:plan")


@pytest.fixture
def facilitator_b(world):
    return FacilitatorFactory(
        email="crpv-b@exemple.fr", resource_centre=ResourceCentreFactory(regions=[region("32")])
    )


def _form(site_ids, **extra):
    day = at(days=14).date()
    data = {
        "version": "0",
        "kind": SessionKind.REGIONAL_MODULE,
        "title": "Module 3 — l’entente de coopération",
        "region": str(region("84").pk),
        "sites": [str(pk) for pk in site_ids],
        "date": day.isoformat(),
        "start_time": "09:30",
        "end_time": "16:30",
        "end_date": "",
        "place": "Maison de quartier",
        "online_url": "",
        "agenda": "- Continuum\n- Prototype d’entente",
        "notes": "",
        "overbooking_reason": "",
    }
    data.update(extra)
    return data


def test_members_see_the_sessions_of_their_sites_only(client, world, module):
    make_session([world.site_b], title="Session de Roubaix")
    world.login(client, world.partner_a)
    page = client.get(LIST).content.decode()
    assert module.title in page
    assert "Session de Roubaix" not in page
    assert "Planifier une session" not in page


def test_a_facilitator_switches_from_their_sessions_to_their_regions(client, world, site_a2, module):
    theirs = make_session([site_a2], title="Accompagnement sans moi", kind=SessionKind.SITE_COACHING)
    make_session([world.site_b], title="Session de Roubaix")
    world.login(client, world.facilitator_a)
    mine = client.get(LIST).content.decode()
    assert module.title in mine and theirs.title not in mine
    region_wide = client.get(LIST, {"vue": "toutes"}).content.decode()
    assert theirs.title in region_wide and "Session de Roubaix" not in region_wide


def test_past_sessions_and_kinds_are_filtered(client, world, module):
    past = make_session([world.site_a], title="Module 1", starts_at=at(days=-30))
    world.login(client, world.seat_holder_a)
    assert past.title not in client.get(LIST).content.decode()
    assert past.title in client.get(LIST, {"periode": "passees"}).content.decode()
    assert module.title not in client.get(LIST, {"type": SessionKind.WEBINAR}).content.decode()


def test_the_list_answers_htmx_with_its_results_only(client, world, module):
    world.login(client, world.seat_holder_a)
    response = client.get(LIST, {"periode": "a-venir"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content and module.title in content
    # The period's tags are swapped with the results: their ids let HTMX give the focus back to the one used.
    assert 'id="periode-a-venir"' in content and 'id="periode-passees"' in content


def test_the_list_takes_a_fixed_number_of_queries(client, world, site_a2, django_assert_max_num_queries):
    world.login(client, world.facilitator_a)
    make_session([world.site_a, site_a2], facilitators=[world.facilitator_a])
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for index in range(8):
        make_session([world.site_a, site_a2], title=f"Session {index}", facilitators=[world.facilitator_a])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST).content.decode()
    assert "Session 7" in page


def test_the_list_counts_each_sessions_participants_and_those_present(client, world, site_a2):
    held = make_session([world.site_a, site_a2], title="Session tenue", facilitators=[world.facilitator_a])
    held.participants.filter(user=world.seat_holder_a).update(present=True)
    invited = held.participants.count()
    assert invited >= 2
    make_session(
        [world.site_a], title="Session sans invités", facilitators=[world.facilitator_a], invite=False
    )
    world.login(client, world.facilitator_a)
    page = client.get(LIST).content.decode()

    def counts(title):
        aside = page[page.index(title) :]
        aside = aside[aside.index('class="qic-session__aside"') :]
        return aside[: aside.index("</p>")]

    assert "<strong>1</strong> présent<br>" in counts("Session tenue")
    assert f"sur {invited} invités<" in counts("Session tenue")
    assert "<strong>0</strong> présent<br>" in counts("Session sans invités")
    assert "sur 0 invité<" in counts("Session sans invités")


def test_a_facilitator_is_offered_the_sites_of_their_region(client, world, site_a2):
    world.login(client, world.facilitator_a)
    page = client.get(PLAN).content.decode()
    assert world.site_a.name in page and site_a2.name in page
    assert world.site_b.name not in page
    assert "Journée de formation nationale" not in page  # national kinds are for national staff


def test_planning_invites_the_members_and_opens_the_session(client, world, site_a2):
    world.login(client, world.facilitator_a)
    response = client.post(
        PLAN, _form([world.site_a.pk, site_a2.pk], facilitators=[str(world.facilitator_a.pk)])
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert session.participants.count() == 3
    assert session.created_by == world.facilitator_a
    page = client.get(response.url).content.decode()
    assert "3 personnes invitées" in page


def test_a_refused_plan_explains_itself_next_to_the_field(client, world):
    world.login(client, world.facilitator_a)
    response = client.post(PLAN, _form([world.site_a.pk], place=""))
    assert response.status_code == 200
    content = response.content.decode()
    place_group = content[content.index('for="id_place"') : content.index('for="id_online_url"')]
    assert "Indiquez un lieu ou un lien de connexion." in place_group
    assert not Session.objects.exists()


def test_a_form_sent_empty_lists_every_point_to_correct_at_once_above_it(client, world):
    """A long form: every error is said at the first try (the sites too, not after the others are fixed),
    and counted above the form with a link to each field."""
    world.login(client, world.facilitator_a)
    data = {**_form([], title=""), "date": "", "start_time": ""}
    content = client.post(PLAN, data).content.decode()
    summary = content[
        content.index("qic-error-summary") : content.index("</ul>", content.index("qic-error-summary"))
    ]
    assert "Rien n’a été enregistré\u00a0: 4 points à corriger" in summary
    assert '<a href="#sites-choices">Sites concernés</a>\u00a0: Choisissez au moins un site.' in summary
    assert '<a href="#id_title">Intitulé</a>' in summary and '<a href="#id_date">Date</a>' in summary
    assert "Choisissez au moins un site." in content[content.index('id="sites-choices"') :]
    assert not Session.objects.exists()


def test_a_facilitator_cannot_slip_in_a_site_of_another_region(client, world):
    world.login(client, world.facilitator_a)
    response = client.post(PLAN, _form([world.site_a.pk, world.site_b.pk]))
    assert response.status_code == 200
    assert "Ce site ne peut pas être choisi ici." in response.content.decode()
    assert not Session.objects.exists()


def test_refreshing_the_region_shows_its_sites_without_saving_or_errors(client, world):
    world.login(client, world.national)
    response = client.post(PLAN, {"actualiser": "1", "region": str(region("32").pk), "title": ""})
    content = response.content.decode()
    assert world.site_b.name in content and world.site_a.name not in content
    assert "fr-message--error" not in content
    assert not Session.objects.exists()


def test_an_overbooked_coaching_needs_its_reason(client, world):
    make_session([world.site_a], kind=SessionKind.SITE_COACHING, starts_at=at(days=-5), hours=9)
    world.login(client, world.facilitator_a)
    data = _form([world.site_a.pk], kind=SessionKind.SITE_COACHING, start_time="09:00", end_time="11:00")
    response = client.post(PLAN, data)
    assert "indiquez la raison du dépassement" in response.content.decode()
    assert Session.objects.count() == 1
    response = client.post(PLAN, {**data, "overbooking_reason": "Changement de délégué du préfet"})
    assert response.status_code == 302
    assert (
        "Hors budget"
        in client.get(reverse("sessions:site_sessions", args=[world.site_a.slug])).content.decode()
    )


def test_a_session_page_shows_members_their_site_but_not_the_guest_list(client, world, site_a2, module):
    world.login(client, world.seat_holder_a)
    page = client.get(module.get_absolute_url()).content.decode()
    assert module.title in page and "votre site" in page
    assert site_a2.memberships.get().user.get_full_name() not in page
    assert "Noter les présences" not in page


def test_a_shared_session_links_only_the_sites_each_person_may_open(client, world, site_a2, module):
    """A session of two sites: a member of one sees the other by name, not as a link to a page they cannot
    open ("page introuvable"); the facilitator who covers both opens each. Every link of the page opens."""
    import re

    def site_links(page: str) -> list[str]:
        return re.findall(r'href="(/sites/[^"#?]*)"', page)

    for user, linked, unlinked in [
        (world.seat_holder_a, [world.site_a], [site_a2]),
        (world.facilitator_a, [world.site_a, site_a2], []),
    ]:
        world.login(client, user)
        page = client.get(module.get_absolute_url()).content.decode()
        for site in linked:
            assert f'<a class="fr-link" href="{site.get_absolute_url()}">{site.name}</a>' in page
        for site in unlinked:
            assert site.name in page and f'href="{site.get_absolute_url()}"' not in page
        for href in set(site_links(page)):
            assert client.get(href).status_code == 200, (user, href)


def test_the_facilitator_sees_who_is_invited(client, world, site_a2, module):
    world.login(client, world.facilitator_a)
    page = client.get(module.get_absolute_url()).content.decode()
    assert site_a2.memberships.get().user.get_full_name() in page
    assert "Noter les présences" in page and "Feuille d’émargement" in page


def test_a_facilitator_of_another_region_does_not_find_the_session(client, world, module, facilitator_b):
    world.login(client, facilitator_b)
    assert client.get(module.get_absolute_url()).status_code == 404
    assert client.get(reverse("sessions:edit", args=[module.pk])).status_code == 404
    assert module.title not in client.get(LIST, {"vue": "toutes"}).content.decode()


def test_a_stale_edit_shows_both_versions(client, world, module):
    world.login(client, world.facilitator_a)
    url = reverse("sessions:edit", args=[module.pk])
    assert client.get(url).status_code == 200
    stale = _form([world.site_a.pk], title="Titre de l’une", version=str(module.version))
    fresh = _form([world.site_a.pk], title="Titre de l’autre", version=str(module.version))
    assert client.post(url, fresh).status_code == 302
    response = client.post(url, stale)
    content = response.content.decode()
    assert "Enregistrement refusé" in content
    assert "Titre de l’une" in content and "Titre de l’autre" in content
    module.refresh_from_db()
    assert module.title == "Titre de l’autre"


def test_cancelling_a_session_to_come(client, world, module):
    world.login(client, world.facilitator_a)
    url = reverse("sessions:cancel", args=[module.pk])
    assert "Annuler la session" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Grève des transports"}, follow=True)
    assert "est annulée" in response.content.decode()
    module.refresh_from_db()
    assert module.is_cancelled
    assert client.get(reverse("sessions:edit", args=[module.pk])).status_code == 403


def test_a_past_session_is_not_cancelled(client, world):
    past = make_session([world.site_a], starts_at=at(days=-3))
    world.login(client, world.facilitator_a)
    assert client.get(reverse("sessions:cancel", args=[past.pk])).status_code == 403
    assert "Annuler la session" not in client.get(past.get_absolute_url()).content.decode()


def test_members_may_not_plan_or_edit(client, world, module):
    world.login(client, world.seat_holder_a)
    assert client.get(PLAN).status_code == 403
    assert client.get(reverse("sessions:edit", args=[module.pk])).status_code == 403
    assert client.post(reverse("sessions:cancel", args=[module.pk])).status_code == 403


def test_a_multi_day_session(client, world):
    world.login(client, world.national)
    day = at(days=20).date()
    data = _form(
        [world.site_a.pk, world.site_b.pk],
        kind=SessionKind.NATIONAL_TRAINING,
        region="",
        date=day.isoformat(),
        start_time="14:00",
        end_time="12:30",
        end_date=(day + dt.timedelta(days=1)).isoformat(),
    )
    assert client.post(PLAN, data).status_code == 302
    session = Session.objects.get()
    assert session.duration_minutes == (22 * 60 + 30)
    assert "au" in client.get(session.get_absolute_url()).content.decode()


def test_a_session_longer_than_three_days_is_refused_next_to_its_end(client, world):
    world.login(client, world.facilitator_a)
    day = at(days=14).date()
    data = _form([world.site_a.pk], end_date=(day + dt.timedelta(days=5)).isoformat())
    content = client.post(PLAN, data).content.decode()
    end_group = content[content.index('for="id_end_date"') : content.index('for="id_place"')]
    assert "Une session dure au plus 3 jours." in end_group
    assert not Session.objects.exists()


def test_lists_of_sessions_leave_their_agenda_and_notes_unread(client, world, site_a2, keys):
    """An agenda and notes are up to 10,000 characters each, read on the session's own page: not by the lists
    (sessions, a site's sessions, the partner API's) nor by the hourly task that journals held coaching."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collectives.services import coaching
    from tests.api.helpers import bearer
    from tests.queries import columns_read

    long = "Ordre du jour détaillé. " * 400
    for days in (-2, 5):
        make_session(
            [world.site_a],
            kind=SessionKind.SITE_COACHING,
            title=f"Accompagnement J{days:+d}",
            starts_at=at(days=days),
            facilitators=[world.facilitator_a],
            agenda=long,
            notes=long,
        )

    def read(queries) -> list[str]:
        return columns_read(queries, '"collectives_session"."agenda"', '"collectives_session"."notes"')

    world.login(client, world.facilitator_a)
    pages = [
        (LIST, {}),
        (LIST, {"periode": "passees"}),
        (reverse("sessions:site_sessions", kwargs={"site_slug": world.site_a.slug}), {}),
        (reverse("api:sessions"), bearer(keys.site_a)),
    ]
    for url, headers in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **headers)
        assert response.status_code == 200 and b"Accompagnement J" in response.content, url
        assert read(queries) == [], url
    with CaptureQueriesContext(connection) as queries:
        assert coaching.record_held() == 1  # the session held two days ago enters the site's journal
    assert read(queries) == []
    session = Session.objects.get(title="Accompagnement J+5")
    with CaptureQueriesContext(connection) as queries:
        assert "Ordre du jour détaillé." in client.get(session.get_absolute_url()).content.decode()
    assert read(queries)  # its page shows it
