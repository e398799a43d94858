"""Invitations: who invites whom, the email, the first visit, unusable links, existing accounts."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from collectives.enums import MemberRole
from collectives.models import Invitation, Membership, User
from sites.enums import EventKind
from tests.collectives.factories import InvitationFactory, MembershipFactory, UserFactory
from tests.collectives.helpers import token_from

pytestmark = [pytest.mark.django_db, pytest.mark.every_database]

STRONG = "un-mot-de-passe-solide-2025"


def _invite_url(site):
    return reverse("collectives:invite", kwargs={"site_slug": site.slug})


def _accept_url(token):
    return reverse("collectives:accept_invitation", kwargs={"token": token})


def _invite(client, site, sent, **data):
    payload = {
        "role": MemberRole.PARTNER,
        "email": "nouvelle@exemple.fr",
        "first_name": "Léa",
        "last_name": "Roux",
    }
    payload.update(data)
    with sent():
        return client.post(_invite_url(site), payload)


def test_seat_holder_invites_a_partner_and_the_email_carries_a_single_use_link(client, world, sent):
    world.login(client, world.seat_holder_a)
    response = _invite(client, world.site_a, sent, message="Bienvenue parmi nous")
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nouvelle@exemple.fr")
    assert invitation.site == world.site_a and invitation.invited_by == world.seat_holder_a
    assert invitation.role == MemberRole.PARTNER and invitation.status == "pending"
    [message] = sent.outbox
    assert message.to == ["nouvelle@exemple.fr"]
    assert "Invitation au collectif de Quartier A" in message.subject
    assert "Bienvenue parmi nous" in message.body
    token = token_from(message)
    # Only a hash is stored: the token itself is nowhere in the database row.
    assert token not in invitation.token_hash and Invitation.objects.find(token) == invitation


def test_email_is_sent_only_once_the_transaction_commits(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    world.login(client, world.seat_holder_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(_invite_url(world.site_a), {"role": MemberRole.PARTNER, "email": "attente@exemple.fr"})
    assert mailoutbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("who", "role", "allowed"),
    [
        ("facilitator_a", MemberRole.PREFECT_DELEGATE, True),
        ("national", MemberRole.MUNICIPALITY, True),
        ("facilitator_a", MemberRole.RESIDENT, True),
        ("seat_holder_a", MemberRole.RESIDENT, True),
        (
            "seat_holder_a",
            MemberRole.PREFECT_DELEGATE,
            False,
        ),  # the trinôme invites partners and residents only
        ("partner_a", MemberRole.PARTNER, False),
        ("steering", MemberRole.PARTNER, False),
    ],
)
def test_who_may_invite_whom(client, world, sent, who, role, allowed):
    world.login(client, getattr(world, who))
    response = _invite(client, world.site_a, sent, role=role, email="qui@exemple.fr")
    created = Invitation.objects.filter(email="qui@exemple.fr").exists()
    assert created is allowed
    if not allowed:
        assert response.status_code in (200, 403)
        assert sent.outbox == []


def test_partner_does_not_see_the_invite_form(client, world):
    world.login(client, world.partner_a)
    assert client.get(_invite_url(world.site_a)).status_code == 403


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("pas-une-adresse", "Saisissez une adresse électronique valide"),
        ("crpv@exemple.fr", "accède déjà au site sans invitation"),
    ],
)
def test_bad_invitations_are_explained_next_to_the_field(client, world, sent, email, message):
    world.login(client, world.seat_holder_a)
    response = _invite(client, world.site_a, sent, email=email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_existing_member_in_the_same_role_is_not_invited_twice(client, world, sent):
    world.login(client, world.seat_holder_a)
    response = _invite(client, world.site_a, sent, email=world.partner_a.email)
    assert "est déjà membre du collectif" in response.content.decode()


def test_a_pending_invitation_blocks_a_second_one_until_resent_or_revoked(client, world, sent):
    world.login(client, world.seat_holder_a)
    _invite(client, world.site_a, sent)
    response = _invite(client, world.site_a, sent)
    assert "Une invitation est déjà en attente pour cette adresse" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_an_occupied_seat_is_handed_over_not_invited_into(client, world, sent):
    world.login(client, world.facilitator_a)
    response = _invite(client, world.site_a, sent, role=MemberRole.CIVIL_SOCIETY, email="autre@exemple.fr")
    assert "utilisez « Remplacer »" in response.content.decode()
    assert not Invitation.objects.exists()


def test_first_visit_sets_name_and_password_then_lands_on_the_site(client, world):
    invitation = InvitationFactory(site=world.site_a, email="lea@exemple.fr", role=MemberRole.RESIDENT)
    url = _accept_url(invitation.token)
    page = client.get(url)
    assert page.status_code == 200 and "Créer votre compte" in page.content.decode()
    response = client.post(
        url, {"first_name": "Léa", "last_name": "Roux", "password1": STRONG, "password2": STRONG}
    )
    assert response.status_code == 302 and response.url == reverse("sites:detail", args=[world.site_a.slug])
    user = User.objects.get(email="lea@exemple.fr")
    assert user.get_full_name() == "Léa Roux" and user.check_password(STRONG)
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user)
    assert (
        membership.site == world.site_a and membership.role == MemberRole.RESIDENT and membership.is_current
    )
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.accepted_by == user
    # Signed in: the site opens.
    assert client.get(response.url).status_code == 200
    assert world.site_a.events.filter(kind=EventKind.MEMBER_JOINED).exists()


def test_weak_or_mismatched_passwords_are_refused_in_french(client, world):
    invitation = InvitationFactory(site=world.site_a)
    url = _accept_url(invitation.token)
    page = client.post(url, {"first_name": "A", "last_name": "B", "password1": "court", "password2": "court"})
    assert "Ce mot de passe est trop court" in page.content.decode()
    page = client.post(
        url, {"first_name": "A", "last_name": "B", "password1": STRONG, "password2": STRONG + "x"}
    )
    assert "Les deux mots de passe ne sont pas identiques" in page.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize(
    ("state", "status", "title"),
    [
        ("expired", 410, "Ce lien d’invitation a expiré"),
        ("revoked", 410, "Cette invitation a été annulée"),
        ("used", 410, "Ce lien d’invitation a déjà été utilisé"),
    ],
)
def test_unusable_links_get_a_clear_french_page(client, world, state, status, title):
    invitation = InvitationFactory(site=world.site_a)
    if state == "expired":
        invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    elif state == "revoked":
        invitation.revoked_at = timezone.now()
    else:
        invitation.used_at = timezone.now()
    invitation.save()
    url = _accept_url(invitation.token)
    response = client.get(url)
    assert response.status_code == status
    assert title in response.content.decode()
    # Posting a password through a dead link creates nothing.
    client.post(url, {"first_name": "A", "last_name": "B", "password1": STRONG, "password2": STRONG})
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_unknown_link_is_a_404_with_an_explanation(client, world):
    response = client.get(_accept_url("nimporte-quoi"))
    assert response.status_code == 404
    assert "Ce lien d’invitation n’est pas valable" in response.content.decode()


def test_a_link_cannot_be_used_twice(client, world):
    invitation = InvitationFactory(site=world.site_a)
    url = _accept_url(invitation.token)
    client.post(url, {"first_name": "A", "last_name": "B", "password1": STRONG, "password2": STRONG})
    client.logout()
    second = client.post(url, {"first_name": "C", "last_name": "D", "password1": STRONG, "password2": STRONG})
    assert second.status_code == 410
    assert Membership.objects.filter(user__email=invitation.email).count() == 1


def test_an_existing_account_is_attached_not_duplicated(client, world, password):
    person = UserFactory(email="deja@exemple.fr")
    MembershipFactory(site=world.site_b, user=person, role=MemberRole.PARTNER)
    invitation = InvitationFactory(site=world.site_a, email="DEJA@exemple.fr", role=MemberRole.PARTNER)
    url = _accept_url(invitation.token)
    page = client.get(url).content.decode()
    assert "Un compte existe déjà" in page
    # No password form for someone else's account: the invitee signs in first.
    assert 'name="password1"' not in page
    client.force_login(person)
    assert "Rejoindre le collectif" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="deja@exemple.fr").count() == 1
    assert set(person.memberships.current().values_list("site__slug", flat=True)) == {
        "quartier-a",
        "quartier-b",
    }


def test_an_account_without_password_gets_one_through_the_link(client, world):
    person = User.objects.create_user(email="importe@exemple.fr", password=None)
    invitation = InvitationFactory(site=world.site_a, email=person.email)
    client.post(
        _accept_url(invitation.token),
        {"first_name": "I", "last_name": "M", "password1": STRONG, "password2": STRONG},
    )
    person.refresh_from_db()
    assert person.check_password(STRONG) and User.objects.filter(email=person.email).count() == 1
    assert person.memberships.filter(site=world.site_a).exists()


def test_signed_in_as_someone_else_is_told_and_can_switch(client, world):
    invitation = InvitationFactory(site=world.site_a, email="cible@exemple.fr")
    world.login(client, world.partner_a)
    url = _accept_url(invitation.token)
    assert "adressée à une autre personne" in client.get(url).content.decode()
    assert client.post(url, {"action": "logout"}).status_code == 302
    assert "Créer votre compte" in client.get(url).content.decode()
    assert world.partner_a.memberships.filter(site=world.site_a).count() == 1  # nothing attached to them


def test_resend_makes_a_new_link_and_kills_the_old_one(client, world, sent):
    invitation = InvitationFactory(site=world.site_a, expires_at=timezone.now() - dt.timedelta(days=1))
    old = invitation.token
    world.login(client, world.seat_holder_a)
    url = reverse("collectives:invitation_resend", args=[world.site_a.slug, invitation.pk])
    with sent():
        # Without the count of sendings the page showed, nothing is sent (twenty presses, twenty e-mails).
        assert client.post(url).status_code == 302
        assert not sent.outbox and Invitation.objects.get(pk=invitation.pk).send_count == 1
        response = client.post(url, {"envois": "1"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.send_count == 2
    new = token_from(sent.outbox[0])
    assert new != old and Invitation.objects.find(old) is None and Invitation.objects.find(new) == invitation


def test_revoke_kills_the_link(client, world):
    invitation = InvitationFactory(site=world.site_a)
    world.login(client, world.seat_holder_a)
    client.post(reverse("collectives:invitation_revoke", args=[world.site_a.slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "revoked" and invitation.revoked_by == world.seat_holder_a
    client.logout()
    assert client.get(_accept_url(invitation.token)).status_code == 410


def test_a_seat_holder_cannot_revoke_a_trinome_invitation(client, world):
    invitation = InvitationFactory(site=world.site_a, role=MemberRole.PREFECT_DELEGATE)
    world.login(client, world.seat_holder_a)
    response = client.post(reverse("collectives:invitation_revoke", args=[world.site_a.slug, invitation.pk]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_invitation_list_shows_each_state(client, world, django_assert_max_num_queries):
    InvitationFactory(site=world.site_a, email="attente@exemple.fr")
    InvitationFactory(
        site=world.site_a, email="expiree@exemple.fr", expires_at=timezone.now() - dt.timedelta(days=1)
    )
    InvitationFactory(site=world.site_a, email="revoquee@exemple.fr", revoked_at=timezone.now())
    InvitationFactory(site=world.site_b, email="autre-site@exemple.fr")
    world.login(client, world.facilitator_a)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("collectives:invitations", args=[world.site_a.slug])).content.decode()
    assert "attente@exemple.fr" in page and "Expirée" in page and "Révoquée" in page
    assert "autre-site@exemple.fr" not in page


def test_an_account_signed_in_without_a_password_joins_without_setting_one(client, world):
    """A State agent signed in through ProConnect (no local password) just confirms."""
    agent = User.objects.create_user(email="agent@interieur.gouv.fr", password=None)
    invitation = InvitationFactory(site=world.site_a, email=agent.email, role=MemberRole.PREFECT_DELEGATE)
    client.force_login(agent)
    url = _accept_url(invitation.token)
    page = client.get(url).content.decode()
    assert "Rejoindre le collectif" in page and 'name="password1"' not in page
    client.post(url)
    agent.refresh_from_db()
    assert not agent.has_usable_password()
    assert agent.memberships.get(site=world.site_a).role == MemberRole.PREFECT_DELEGATE


def test_an_existing_account_is_not_taken_over_by_posting_a_password(client, world, password):
    person = UserFactory(email="proprietaire@exemple.fr")
    invitation = InvitationFactory(site=world.site_a, email=person.email)
    client.post(
        _accept_url(invitation.token),
        {"first_name": "X", "last_name": "Y", "password1": STRONG, "password2": STRONG},
    )
    person.refresh_from_db()
    assert person.check_password(password) and not person.check_password(STRONG)
    assert not person.memberships.filter(site=world.site_a).exists()
