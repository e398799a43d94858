"""Views of collectives/sessions/views/exercises.py: the facilitator's live board (polled by HTMX while open),
opening and closing, each site's answer page (its own members, from a phone) and the free outputs."""

import pytest
from django.urls import reverse

from collectives.sessions import exercises as services
from evaluation.models import SelfAssessment
from tests.sessions.factories import make_output, make_session


def _board(session):
    return reverse("sessions:continuum", args=[session.pk])


def _answer_url(site, session):
    return reverse("sessions:site_continuum", args=[site.slug, session.pk])


@pytest.fixture
def open_module(world, module):
    services.open_continuum(module, user=world.facilitator_a)
    return module


def test_the_facilitator_opens_the_exercise(client, world, module):
    world.login(client, world.facilitator_a)
    assert "Ouvrir l’exercice" in client.get(_board(module)).content.decode()
    client.post(reverse("sessions:continuum_open", args=[module.pk]))
    assert services.exercise_of(module).is_open


def test_the_board_is_polled_every_three_seconds_while_open(client, world, open_module):
    services.answer_continuum(
        open_module,
        world.site_a,
        level=5,
        moved_by="Un comité mensuel",
        user=world.seat_holder_a,
        expected_version=0,
    )
    world.login(client, world.facilitator_a)
    fragment = client.get(_board(open_module), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 3s"' in fragment
    assert "1 site sur 2" in fragment
    assert "Positions des sites et ce qui les a fait bouger" in fragment  # the text equivalent
    assert "5/7 — Coordination" in fragment and "Un comité mensuel" in fragment


def test_closing_saves_self_assessments_and_stops_the_polling(client, world, open_module):
    services.answer_continuum(
        open_module, world.site_a, level=4, moved_by="", user=world.seat_holder_a, expected_version=0
    )
    world.login(client, world.facilitator_a)
    response = client.post(reverse("sessions:continuum_close", args=[open_module.pk]), follow=True)
    content = response.content.decode()
    assert "1 position enregistrée" in content
    assert "every 3s" not in content
    assert SelfAssessment.objects.get(site=world.site_a).source_session == open_module


def test_members_neither_see_the_board_nor_run_it(client, world, open_module):
    world.login(client, world.seat_holder_a)
    assert client.get(_board(open_module)).status_code == 403
    assert client.post(reverse("sessions:continuum_close", args=[open_module.pk])).status_code == 403
    assert services.exercise_of(open_module).is_open


def test_a_member_places_their_site(client, world, open_module):
    world.login(client, world.partner_a)
    page = client.get(_answer_url(world.site_a, open_module)).content.decode()
    assert "Concurrence" in page and "Intégration" in page and "Enregistrer notre position" in page
    response = client.post(
        _answer_url(world.site_a, open_module),
        {"version": "0", "level": "6", "moved_by": "Des décisions communes"},
    )
    assert response.status_code == 302
    answer = services.answer_of(services.exercise_of(open_module), world.site_a)
    assert (answer.level, answer.updated_by) == (6, world.partner_a)


def test_answering_with_htmx_keeps_the_form_at_the_new_version(client, world, open_module):
    world.login(client, world.seat_holder_a)
    response = client.post(
        _answer_url(world.site_a, open_module), {"version": "0", "level": "3"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "<html" not in content and "Position enregistrée\u00a0: Communication" in content
    assert 'name="version" value="1"' in content


def test_a_missing_level_is_explained(client, world, open_module):
    world.login(client, world.seat_holder_a)
    content = client.post(
        _answer_url(world.site_a, open_module), {"version": "0", "moved_by": "…"}
    ).content.decode()
    assert "Choisissez l’un des sept niveaux." in content


def test_a_concurrent_answer_of_the_same_site_shows_both(client, world, open_module):
    services.answer_continuum(
        open_module,
        world.site_a,
        level=4,
        moved_by="Le point de vue du siège",
        user=world.seat_holder_a,
        expected_version=0,
    )
    world.login(client, world.partner_a)
    content = client.post(
        _answer_url(world.site_a, open_module), {"version": "0", "level": "6", "moved_by": "Le mien"}
    ).content.decode()
    assert "Enregistrement refusé" in content
    assert "Assistance" in content and "Collaboration" in content
    assert services.answer_of(services.exercise_of(open_module), world.site_a).level == 4


def test_the_page_waits_for_the_exercise_to_open(client, world, module):
    world.login(client, world.seat_holder_a)
    content = client.get(_answer_url(world.site_a, module)).content.decode()
    assert "pas encore ouvert" in content and 'hx-trigger="every 5s"' in content
    assert client.post(_answer_url(world.site_a, module), {"version": "0", "level": "3"}).status_code == 200
    assert services.exercise_of(module) is None


def test_a_site_cannot_answer_through_another_sites_url(client, world, site_a2, open_module):
    world.login(client, world.seat_holder_a)
    # site A's member, through site A2's page: A2 is not their site
    assert client.get(_answer_url(site_a2, open_module)).status_code == 404
    other = make_session([world.site_b], title="Ailleurs")
    services.open_continuum(other, user=world.national)
    assert client.get(_answer_url(world.site_a, other)).status_code == 404


def test_the_steering_committee_reads_but_does_not_answer(client, world, open_module):
    world.login(client, world.steering)
    page = client.get(_answer_url(world.site_a, open_module)).content.decode()
    assert "Enregistrer notre position" not in page
    assert (
        client.post(_answer_url(world.site_a, open_module), {"version": "0", "level": "3"}).status_code == 403
    )


def test_outputs_are_kept_per_site(client, world, module):
    world.login(client, world.seat_holder_a)
    url = reverse("sessions:site_outputs", args=[world.site_a.slug, module.pk])
    response = client.post(
        url, {"version": "0", "title": "Prototype d’entente", "text": "- Principes\n- Lieux"}
    )
    assert response.status_code == 302
    output = module.outputs.get()
    page = client.get(url).content.decode()
    assert "Prototype d’entente" in page and "<li>Principes</li>" in page
    edit = reverse("sessions:site_output", args=[world.site_a.slug, module.pk, output.pk])
    assert client.post(edit, {"version": "1", "title": "Prototype v2", "text": "…"}).status_code == 302
    conflict = client.post(
        edit, {"version": "1", "title": "Prototype v2 bis", "text": "autre"}
    ).content.decode()
    assert "Enregistrement refusé" in conflict
    delete = reverse("sessions:site_output_delete", args=[world.site_a.slug, module.pk, output.pk])
    client.post(delete, {"version": "2"})
    assert not module.outputs.exists()


def test_outputs_of_another_site_are_not_reachable(client, world, site_a2, module):
    output = make_output(module, site_a2)
    world.login(client, world.seat_holder_a)
    url = reverse("sessions:site_output", args=[world.site_a.slug, module.pk, output.pk])
    assert client.get(url).status_code == 404


def test_what_is_polled_during_a_session_leaves_its_agenda_notes_and_outputs_unread(
    client, world, open_module
):
    """The board (every 3 s, on the facilitator's screen) and each site's answer page (every 5 s, on phones)
    show positions: not the session's agenda and notes (10,000 characters each); the session's page lists
    the outputs by their titles (each text is on its site's page of outputs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.queries import columns_read

    long = "Un texte long. " * 600
    type(open_module).objects.filter(pk=open_module.pk).update(agenda=long, notes=long)
    make_output(open_module, world.site_a, title="Prototype d’entente", text=long)
    texts = ('"collectives_session"."agenda"', '"collectives_session"."notes"')
    polled = [
        (world.facilitator_a, _board(open_module)),
        (world.seat_holder_a, _answer_url(world.site_a, open_module)),
    ]
    for person, url in polled:
        world.login(client, person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        assert columns_read(queries, *texts) == [], url
    world.login(client, world.facilitator_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(open_module.get_absolute_url()).content.decode()
    assert "Prototype d’entente" in page and "Un texte long." in page  # the agenda, on its own page
    assert columns_read(queries, '"collectives_sessionoutput"."text"') == []
