"""Seat handovers: the mandate ends and stays in the history, the newcomer joins and gets the pack."""

import datetime as dt
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from collectives import handover
from collectives.enums import MemberRole
from collectives.models import AgreementSignature, Invitation, Membership, User
from collectives.services import members as member_services
from sites.enums import EventKind
from tests.collectives.factories import agreement_for
from tests.collectives.helpers import token_from
from tests.pdfs import table_tagging_faults

pytestmark = pytest.mark.django_db
STRONG = "un-mot-de-passe-solide-2025"


def _handover_url(site, seat=MemberRole.PREFECT_DELEGATE):
    return reverse("collectives:handover", kwargs={"site_slug": site.slug, "seat": seat.value})


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_handover_ends_the_mandate_keeps_history_and_shows_the_pending_invitation(
    client, world, trinome, sent
):
    old = world.site_a.memberships.get(user=trinome.prefect)
    world.login(client, world.facilitator_a)
    form = client.get(_handover_url(world.site_a)).content.decode()
    assert "Titulaire actuel\u00a0: Karim Benali" in form
    with sent():
        response = client.post(
            _handover_url(world.site_a),
            {
                "ended_on": timezone.localdate().isoformat(),
                "email": "nouvelle.deleguee@exemple.fr",
                "first_name": "Inès",
                "last_name": "Morel",
                "organisation": "Préfecture",
            },
        )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.ended_on == timezone.localdate()
    invitation = Invitation.objects.get(email="nouvelle.deleguee@exemple.fr")
    assert invitation.role == MemberRole.PREFECT_DELEGATE and invitation.replaces == old
    assert "Vous succédez à Karim Benali" in sent.outbox[0].body
    page = client.get(reverse("collectives:members", args=[world.site_a.slug])).content.decode()
    assert "Siège vacant" in page and "Invitation envoyée à <strong>Inès Morel</strong>" in page
    assert "Karim Benali" in page  # in the history
    kinds = list(world.site_a.events.values_list("kind", flat=True))
    assert EventKind.SEAT_HANDOVER in kinds and EventKind.MEMBER_LEFT in kinds


def test_the_newcomer_accepts_history_shows_both_and_the_pack_is_there(
    client, world, trinome, sent, tmp_path
):
    world.login(client, world.facilitator_a)
    with sent():
        client.post(
            _handover_url(world.site_a),
            {"ended_on": timezone.localdate().isoformat(), "email": "ines@exemple.fr"},
        )
    token = token_from(sent.outbox[0])
    client.logout()
    response = client.post(
        reverse("collectives:accept_invitation", args=[token]),
        {"first_name": "Inès", "last_name": "Morel", "password1": STRONG, "password2": STRONG},
    )
    assert response.url == reverse("collectives:members", args=[world.site_a.slug])
    ines = User.objects.get(email="ines@exemple.fr")
    seats = member_services.current_seat_holders(world.site_a)
    assert seats[MemberRole.PREFECT_DELEGATE].user == ines
    history = Membership.objects.filter(site=world.site_a, role=MemberRole.PREFECT_DELEGATE).order_by(
        "started_on"
    )
    assert [m.user for m in history] == [trinome.prefect, ines]
    assert history[0].ended_on is not None and history[1].ended_on is None
    page = client.get(response.url).content.decode()
    assert "Votre dossier de passation" in page  # the newcomer's welcome
    event = world.site_a.events.filter(kind=EventKind.SEAT_HANDOVER).first()
    assert "Inès Morel succède à Karim Benali" in event.summary
    pack = client.get(reverse("collectives:handover_pack", args=[world.site_a.slug]))
    assert pack.status_code == 200 and pack["Content-Type"] == "application/pdf"
    assert pack.content.startswith(b"%PDF")
    text = _pdf_text(pack.content, tmp_path)
    assert "Dossier de passation" in text and "Inès Morel" in text
    for title in ("Vision et analyse de contexte", "Stratégie de changement", "Prochaines sessions"):
        assert title in text
    # Each empty section says what it lacks: a text not yet written, no self-assessment, no session planned.
    assert text.count("Pas encore rédigé") == 2  # vision, strategy
    for empty in (
        "L’entente n’est pas encore commencée.",
        "Aucune auto-évaluation pour le moment.",
        "Aucune session n’est prévue pour le moment.",
    ):
        assert empty in text


def test_the_pack_carries_the_agreement_when_there_is_one(client, world, trinome, tmp_path):
    agreement_for(world.site_a, texts={"principles": "Nous décidons ensemble de tout ce qui compte."})
    world.login(client, trinome.municipality)
    pack = client.get(reverse("collectives:handover_pack", args=[world.site_a.slug]))
    text = _pdf_text(pack.content, tmp_path)
    assert "Nous décidons ensemble de tout ce qui compte." in text
    assert text.count("Pas encore rédigé") == 2  # vision, strategy: the others say theirs
    assert table_tagging_faults(pack.content) == []


def test_the_end_date_cannot_be_in_the_future_or_before_the_mandate(client, world, trinome, sent):
    world.login(client, world.facilitator_a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = client.post(
        _handover_url(world.site_a), {"ended_on": tomorrow.isoformat(), "email": "x@exemple.fr"}
    )
    assert "ne peut pas être dans le futur" in page.content.decode()
    page = client.post(_handover_url(world.site_a), {"ended_on": "2001-01-01", "email": "x@exemple.fr"})
    assert "la fin ne peut pas le précéder" in page.content.decode()
    assert world.site_a.memberships.get(user=trinome.prefect).is_current
    assert not Invitation.objects.exists()


def test_the_outgoing_holder_cannot_succeed_themselves(client, world, trinome, sent):
    world.login(client, world.facilitator_a)
    page = client.post(
        _handover_url(world.site_a),
        {"ended_on": timezone.localdate().isoformat(), "email": trinome.prefect.email},
    )
    assert "ne peut pas s’y succéder" in page.content.decode()
    assert world.site_a.memberships.get(user=trinome.prefect).is_current


def test_seat_holders_do_not_hand_seats_over(client, world, trinome):
    world.login(client, trinome.municipality)
    assert client.get(_handover_url(world.site_a)).status_code == 403
    assert client.post(_handover_url(world.site_a), {"email": "x@exemple.fr"}).status_code == 403


def test_an_unknown_seat_is_a_404(client, world):
    world.login(client, world.national)
    url = reverse("collectives:handover", kwargs={"site_slug": world.site_a.slug, "seat": "partner"})
    assert client.get(url).status_code == 404


def test_a_handover_withdraws_the_outgoing_holders_signature_of_the_draft(world, trinome):
    draft = agreement_for(world.site_a)
    AgreementSignature.objects.create(
        agreement=draft, seat=MemberRole.PREFECT_DELEGATE, signed_by=trinome.prefect
    )
    member_services.end_membership(world.site_a.memberships.get(user=trinome.prefect), actor=world.national)
    assert not draft.signatures.exists()


def test_ending_a_partner_membership_keeps_it_in_the_history(client, world):
    membership = world.site_a.memberships.get(user=world.partner_a)
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:membership_end", args=[world.site_a.slug, membership.pk])
    response = client.post(url, {"ended_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == timezone.localdate()
    page = client.get(reverse("collectives:members", args=[world.site_a.slug])).content.decode()
    assert "Participations terminées (1)" in page
    assert world.site_a.events.filter(kind=EventKind.MEMBER_LEFT).exists()
    # The former partner no longer sees the site.
    world.login(client, world.partner_a)
    assert client.get(reverse("collectives:members", args=[world.site_a.slug])).status_code == 404


def test_the_pack_gathers_every_app_in_reading_order():
    """Vision and evaluation register their sections (collectives never imports them); the pack reads them in
    the order a newcomer needs."""
    assert [section.key for section in handover.registered_sections()] == [
        "vision",
        "strategy",
        "agreement",
        "self_assessment",
        "sessions",
    ]
