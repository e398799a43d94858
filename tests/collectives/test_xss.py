"""Every text field of the collectives takes hostile input: it is shown as text, never as markup, and the PDF
renderer never fetches what it names."""

import pytest
from django.urls import reverse

from collectives.enums import MemberRole
from collectives.models import Invitation
from tests.collectives.factories import InvitationFactory, agreement_for
from tests.collectives.helpers import XSS_PAYLOADS, assert_escaped
from tests.qic.test_pdf import spy_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.every_database]
HTMX = {"HTTP_HX_REQUEST": "true"}
SPACE_FIELDS = ("name", "purpose", "frequency", "participants", "decisions")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_agreement_parts_and_spaces(client, world, payload):
    world.login(client, world.seat_holder_a)
    slug = world.site_a.slug
    for part in ("principles", "spaces", "power", "communication", "talents"):
        url = reverse("collectives:agreement_section", args=[slug, part])
        response = client.post(url, {"text": f"{payload}\n- {payload}", "version": 1}, **HTMX)
        assert_escaped(response.content.decode(), payload)
    data = dict.fromkeys(SPACE_FIELDS, payload) | {"version": 1}
    response = client.post(reverse("collectives:space_add", args=[slug]), data, **HTMX)
    assert_escaped(response.content.decode(), payload)
    for url in (
        reverse("collectives:agreement", args=[slug]),
        reverse("collectives:agreement_versions", args=[slug]),
        reverse("collectives:agreement_version", args=[slug, 1]),
    ):
        assert_escaped(client.get(url).content.decode(), payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_conflict_view_escapes_both_versions(client, world, payload):
    agreement_for(world.site_a, texts={"power": payload})
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:agreement_section", args=[world.site_a.slug, "power"])
    response = client.post(url, {"text": payload + " (moi)", "version": 0}, **HTMX)
    html = response.content.decode()
    assert "Enregistrement refusé" in html
    assert_escaped(html, payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_backbone_fields(client, world, payload):
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:backbone_role", args=[world.site_a.slug, "policy"])
    response = client.post(url, {"organisation": payload[:200], "note": payload, "version": 1}, **HTMX)
    assert_escaped(response.content.decode(), payload)
    assert_escaped(
        client.get(reverse("collectives:backbone", args=[world.site_a.slug])).content.decode(), payload
    )


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_invitation_fields_and_the_invitee_pages(client, world, sent, payload):
    world.login(client, world.facilitator_a)
    data = {"role": MemberRole.PARTNER, "email": "cible@exemple.fr", "first_name": payload[:150],
            "last_name": payload[:150], "organisation": payload[:200], "message": payload}  # fmt: skip
    with sent():
        client.post(reverse("collectives:invite", args=[world.site_a.slug]), data)
    assert Invitation.objects.filter(email="cible@exemple.fr").exists()
    assert_escaped(
        client.get(reverse("collectives:invitations", args=[world.site_a.slug])).content.decode(), payload
    )
    client.logout()
    invitation = InvitationFactory(site=world.site_a, first_name=payload[:150], message=payload)
    url = reverse("collectives:accept_invitation", args=[invitation.token])
    assert_escaped(client.get(url).content.decode(), payload)
    # The invitee's chosen name is shown to the collective as text too.
    strong = "un-mot-de-passe-solide-2025"
    client.post(
        url, {"first_name": payload[:150], "last_name": "X", "password1": strong, "password2": strong}
    )
    world.login(client, world.seat_holder_a)
    assert_escaped(
        client.get(reverse("collectives:members", args=[world.site_a.slug])).content.decode(), payload
    )


def test_the_pdfs_never_fetch_what_users_typed(client, world, spy_server):  # noqa: F811
    base, hits = spy_server
    hostile = (
        f'<img src="{base}/a.png"> <link rel="stylesheet" href="{base}/b.css"> <img src="file:///etc/passwd">'
    )
    draft = agreement_for(world.site_a, texts={"principles": hostile})
    draft.spaces.update(name=hostile[:150], purpose=hostile)
    world.login(client, world.seat_holder_a)
    agreement_pdf = client.get(reverse("collectives:agreement_pdf", args=[world.site_a.slug, 1]))
    pack = client.get(reverse("collectives:handover_pack", args=[world.site_a.slug]))
    assert agreement_pdf.status_code == pack.status_code == 200
    assert hits == []
