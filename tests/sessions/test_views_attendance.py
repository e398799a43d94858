"""Views of collectives/sessions/views/attendance.py: ticking presence (HTMX fragment, or a form POST without
JavaScript), guests, and the sign-in sheet PDF."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from collectives.sessions import services
from sites.enums import EventKind
from sites.models import SiteEvent
from tests.collectives.factories import FacilitatorFactory
from tests.pdfs import table_tagging_faults
from tests.sessions.factories import at, make_session
from tests.sites.factories import ResourceCentreFactory, region


def _mark(session, participant):
    return reverse("sessions:mark", args=[session.pk, participant.pk])


def test_the_attendance_screen_lists_everyone_as_a_toggle(client, world, site_a2, module):
    world.login(client, world.facilitator_a)
    page = client.get(reverse("sessions:attendance", args=[module.pk])).content.decode()
    assert page.count('aria-pressed="false"') == 3
    assert world.seat_holder_a.get_full_name() in page and site_a2.name in page
    assert "0</strong> présent" in page


def test_one_tap_with_htmx_returns_the_row_and_the_new_count(client, world, module):
    participant = module.participants.get(user=world.seat_holder_a)
    world.login(client, world.facilitator_a)
    response = client.post(_mark(module, participant), {"present": "1"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert f'id="participant-{participant.pk}"' in content and 'aria-pressed="true"' in content
    assert 'hx-swap-oob="true"' in content and "1</strong> présent" in content
    participant.refresh_from_db()
    assert participant.present and participant.marked_by == world.facilitator_a
    assert SiteEvent.objects.filter(site=world.site_a, kind=EventKind.SESSION_ATTENDED).count() == 1
    # tapping again unticks
    client.post(_mark(module, participant), {"present": "0"}, HTTP_HX_REQUEST="true")
    participant.refresh_from_db()
    assert not participant.present


def test_without_javascript_each_tap_is_a_post_and_a_redirect(client, world, module):
    participant = module.participants.get(user=world.partner_a)
    world.login(client, world.facilitator_a)
    response = client.post(_mark(module, participant), {"present": "1"})
    assert response.status_code == 302
    assert response.url.endswith(f"/presences/#participant-{participant.pk}")
    page = client.get(response.url.split("#")[0]).content.decode()
    assert "notée présente" in page


def test_a_member_may_not_tick(client, world, module):
    participant = module.participants.get(user=world.partner_a)
    world.login(client, world.seat_holder_a)
    assert client.get(reverse("sessions:attendance", args=[module.pk])).status_code == 403
    assert client.post(_mark(module, participant), {"present": "1"}).status_code == 403
    participant.refresh_from_db()
    assert not participant.present


def test_a_facilitator_of_another_region_neither_sees_nor_ticks(client, world, module):
    other = FacilitatorFactory(resource_centre=ResourceCentreFactory(regions=[region("32")]))
    participant = module.participants.get(user=world.partner_a)
    world.login(client, other)
    assert client.get(reverse("sessions:attendance", args=[module.pk])).status_code == 404
    assert client.post(_mark(module, participant), {"present": "1"}).status_code == 404
    assert client.get(reverse("sessions:sign_in_sheet", args=[module.pk])).status_code == 404
    participant.refresh_from_db()
    assert not participant.present


def test_a_participant_of_another_session_is_not_found(client, world, module):
    other = make_session([world.site_a], title="Autre")
    stranger = other.participants.first()
    world.login(client, world.facilitator_a)
    assert client.post(_mark(module, stranger), {"present": "1"}).status_code == 404


def test_ticking_needs_a_post(client, world, module):
    world.login(client, world.facilitator_a)
    assert client.get(_mark(module, module.participants.first())).status_code == 405


def test_a_cancelled_session_is_not_ticked(client, world, module):
    services.cancel_session(module, user=world.facilitator_a)
    world.login(client, world.facilitator_a)
    assert client.post(_mark(module, module.participants.first()), {"present": "1"}).status_code == 403


def test_adding_a_guest(client, world, module):
    world.login(client, world.facilitator_a)
    url = reverse("sessions:guest_add", args=[module.pk])
    invalid = client.post(url, {"name": "", "email": "pas-une-adresse"})
    content = invalid.content.decode()
    assert "Saisissez une adresse électronique valide" in content
    response = client.post(
        url,
        {
            "name": "Inès Martin",
            "organisation": "CAF de la Loire",
            "email": "ines@exemple.fr",
            "site": world.site_a.pk,
        },
    )
    assert response.status_code == 302
    guest = module.participants.get(email="ines@exemple.fr")
    assert guest.site == world.site_a and guest.is_guest
    again = client.post(url, {"name": "Inès M.", "email": "ines@exemple.fr"})
    assert "déjà invitée" in again.content.decode()


def test_removing_someone_not_present(client, world, module):
    guest = services.add_guest(module, name="Inès Martin", organisation="", email="", actor=None)
    present = module.participants.get(user=world.seat_holder_a)
    services.set_presence(present, True, actor=None)
    world.login(client, world.facilitator_a)
    client.post(reverse("sessions:participant_remove", args=[module.pk, guest.pk]))
    assert not module.participants.filter(pk=guest.pk).exists()
    response = client.post(reverse("sessions:participant_remove", args=[module.pk, present.pk]), follow=True)
    assert "notée présente" in response.content.decode()
    assert module.participants.filter(pk=present.pk).exists()


def test_the_attendance_screen_takes_a_fixed_number_of_queries(
    client, world, site_a2, django_assert_max_num_queries
):
    session = make_session([world.site_a, site_a2], facilitators=[world.facilitator_a])
    world.login(client, world.facilitator_a)
    url = reverse("sessions:attendance", args=[session.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for index in range(10):
        services.add_guest(
            session, name=f"Invité {index}", organisation="", email=f"i{index}@exemple.fr", actor=None
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Invité 9" in client.get(url).content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_the_sign_in_sheet_lists_everyone_with_a_signature_column(client, world, site_a2, tmp_path):
    session = make_session(
        [world.site_a, site_a2],
        title="Module 3 — l’entente",
        starts_at=at(days=3, hour=9, minute=30),
        facilitators=[world.facilitator_a],
    )
    services.add_guest(session, name="Inès Martin", organisation="CAF de la Loire", email="", actor=None)
    world.login(client, world.facilitator_a)
    response = client.get(reverse("sessions:sign_in_sheet", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    path = tmp_path / "feuille.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Feuille d’émargement" in text
    assert "Module 3 — l’entente" in text
    assert "Signature" in text and "Nom et prénom" in text
    for person in [world.seat_holder_a, world.partner_a, site_a2.memberships.get().user]:
        assert person.get_full_name() in text
    assert "Inès Martin" in text and "CAF de la Loire" in text
    assert "9 h 30" in text
    assert "Personnes non inscrites" in text
    assert table_tagging_faults(response.content) == []  # its hidden caption made tables nested in the table
    assert text.index(world.site_a.name) < text.index(site_a2.name)  # grouped by site


def _sheet_pages(client, session) -> list[str]:
    content = client.get(reverse("sessions:sign_in_sheet", args=[session.pk])).content
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return text.stdout.decode().split("\f")[:-1]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_a_short_sign_in_sheet_is_one_page_and_the_facilitators_box_never_stands_alone(client, world):
    session = make_session([world.site_a], starts_at=at(days=3, hour=9), facilitators=[world.facilitator_a])
    world.login(client, world.facilitator_a)
    pages = _sheet_pages(client, session)
    assert len(pages) == 1 and "SIGNATURE DE L’ANIMATION" in pages[0].upper()
    blank = [n for n in range(1, 12) if re.search(rf"^\s*{n}\s*$", pages[0], re.M)]
    assert len(blank) >= 3  # lines for people who come uninvited, numbered after the invited ones

    for index in range(14):
        services.add_guest(
            session, name=f"Invité {index}", organisation="", email=f"i{index}@exemple.fr", actor=None
        )
    pages = _sheet_pages(client, session)
    assert len(pages) > 1
    last = pages[-1]
    assert "SIGNATURE DE L’ANIMATION" in last.upper() and re.search(r"^\s*\d+\s*$", last, re.M)  # with rows
