"""Identity only from proof: an address someone merely typed in never becomes a login address, nor gets a seat
through an import, an invitation, a seat handover or ProConnect. Every case goes through the views."""

import base64
import hashlib
import importlib
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from collectives.enums import MemberRole
from collectives.models import Invitation, Membership, User
from collectives.security.models import ProConnectIdentity
from sites.models import Site
from tests.collectives.factories import PASSWORD, InvitationFactory, MembershipFactory
from tests.collectives.helpers import token_from
from tests.collectives.test_proconnect import (
    back_from_provider,
    messages_of,
    sign_in_with_proconnect,
    signed_in_user_id,
    start,
    through_provider,
)
from tests.sites.factories import WaveFactory

pytestmark = pytest.mark.every_database

LOGIN = reverse("account_login")
EMAIL_PAGE = reverse("account_email")
OWNED = "delegue.prefet@aygalades.gouv.fr"  # the address of someone who has no account yet
STRONG = "un-mot-de-passe-solide-2025"


@pytest.fixture
def claimant(world):
    """A partner of site A whose account has no verified address: the kind allauth let choose any address."""
    user = User.objects.create_user(email="partenaire.malin@exemple.fr", password=PASSWORD)
    MembershipFactory(site=world.site_a, user=user, role=MemberRole.PARTNER)
    return user


def claim(user, email):
    """What a self-service change left before this fix: the typed address became the login address,
    unverified (allauth's primary row, never verified)."""
    EmailAddress.objects.filter(user=user).update(primary=False)
    user.email = email
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def signed_in(client):
    return client.session.get("_auth_user_id")


# --- the address page ---------------------------------------------------------------------------------------


def test_an_account_without_a_verified_address_cannot_take_another_address(
    client, claimant, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(claimant)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(EMAIL_PAGE, {"email": OWNED, "action_add": ""})
    client.post(EMAIL_PAGE, {"email": OWNED, "action_primary": ""})
    claimant.refresh_from_db()
    assert claimant.email == "partenaire.malin@exemple.fr"
    assert not EmailAddress.objects.filter(email=OWNED).exists()
    assert any("n’a jamais été vérifiée" in message for message in messages_of(refused))
    # It is asked to prove its current address first; nothing goes to the other one.
    assert [message.to for message in mailoutbox] == [[claimant.email]]
    assert client.get(EMAIL_PAGE).status_code == 200


def test_an_added_address_is_not_a_login_address_until_verified(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    user = world.partner_a
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EMAIL_PAGE, {"email": OWNED, "action_add": ""})
    response = client.post(EMAIL_PAGE, {"email": OWNED, "action_primary": ""})
    user.refresh_from_db()
    assert user.email != OWNED
    assert not EmailAddress.objects.filter(email=OWNED, verified=True).exists()
    assert any("n’est pas encore vérifiée" in message for message in messages_of(response))
    assert [OWNED] in [message.to for message in mailoutbox]  # the link that would prove it
    # The added address neither signs in to the account nor resets its password.
    client.logout()
    client.post(LOGIN, {"login": OWNED, "password": PASSWORD})
    assert signed_in(client) is None
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": OWNED})
    assert not any("/password/reset/key/" in message.body for message in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert any("/password/reset/key/" in message.body for message in mailoutbox)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert signed_in(client) == str(user.pk)


def test_the_added_address_replaces_the_login_address_once_its_link_is_followed(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    user = world.seat_holder_a
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EMAIL_PAGE, {"email": "nouvelle@exemple.fr", "action_add": ""})
    user.refresh_from_db()
    assert user.email != "nouvelle@exemple.fr"
    [message] = [m for m in mailoutbox if m.to == ["nouvelle@exemple.fr"]]
    link = next(word for word in message.body.split() if "/comptes/confirm-email/" in word)
    client.post(link[link.index("/comptes/") :])
    user.refresh_from_db()
    assert user.email == "nouvelle@exemple.fr"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("nouvelle@exemple.fr", True, True)
    ]


# --- imports ------------------------------------------------------------------------------------------------

HEADER = "Nom du site;Type;Commune;Département;Code QPV;Prénom;Nom;Courriel;Siège"


def _import(client, *lines):
    content = "\n".join([HEADER, *lines]).encode()
    response = client.post(
        reverse("sites:import"),
        {"wave": "4", "initial_status": "registering", "file": SimpleUploadedFile("i.csv", content)},
    )
    assert response.status_code == 302, response.content
    return client.post(response.url, follow=True)


def test_the_issue_chain_an_added_address_gets_no_seat_from_an_import(
    client, world, claimant, mailoutbox, django_capture_on_commit_callbacks
):
    WaveFactory(number=4, is_current=True)
    client.force_login(claimant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EMAIL_PAGE, {"email": OWNED, "action_add": ""})
    client.post(EMAIL_PAGE, {"email": OWNED, "action_primary": ""})

    national = world.login(client.__class__(), world.national)
    _import(national, f"Les Aygalades;QPV;Marseille;13;;Inès;Morel;{OWNED};Délégué·e du préfet")
    seat = Membership.objects.get(site__name="Les Aygalades", role=MemberRole.PREFECT_DELEGATE)
    assert seat.user != claimant and seat.user.email == OWNED
    assert not claimant.memberships.filter(site=seat.site).exists()
    # The claimant's unproven request for the address is withdrawn.
    assert not EmailAddress.objects.filter(user=claimant, email=OWNED).exists()


def test_an_address_made_a_login_address_without_proof_gets_an_invitation_not_the_seat(
    client, world, claimant, mailoutbox, django_capture_on_commit_callbacks
):
    WaveFactory(number=4, is_current=True)
    claim(claimant, OWNED)
    world.login(client, world.national)
    with django_capture_on_commit_callbacks(execute=True):
        page = _import(client, f"Les Aygalades;QPV;Marseille;13;;Inès;Morel;{OWNED};Délégué·e du préfet")
    assert "1 invitation envoyée aux adresses non vérifiées" in page.content.decode()
    site = Site.objects.get(name="Les Aygalades")
    assert not Membership.objects.filter(site=site, role=MemberRole.PREFECT_DELEGATE).exists()
    invitation = Invitation.objects.get(site=site)
    assert (invitation.email, invitation.role) == (OWNED, MemberRole.PREFECT_DELEGATE)
    assert [OWNED] in [message.to for message in mailoutbox]


# --- invitations and seat handovers -------------------------------------------------------------------------


def test_a_handover_to_a_claimed_address_goes_to_whoever_follows_the_link(
    client, world, claimant, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(site=world.site_a, role=MemberRole.PREFECT_DELEGATE)
    claim(claimant, OWNED)
    world.login(client, world.facilitator_a)
    url = reverse("collectives:handover", args=[world.site_a.slug, MemberRole.PREFECT_DELEGATE.value])
    data = {"ended_on": timezone.localdate().isoformat(), "email": OWNED, "first_name": "Inès"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**data, "last_name": "Morel"}).status_code == 302
    [message] = [m for m in mailoutbox if m.to == [OWNED]]
    accept = reverse("collectives:accept_invitation", args=[token_from(message)])

    owner = client.__class__()
    page = owner.get(accept).content.decode()
    assert "mot de passe" in page.lower() and 'name="password1"' in page  # not "sign in to that account"
    owner.post(accept, {"first_name": "Inès", "last_name": "Morel", "password1": STRONG, "password2": STRONG})
    holder = world.site_a.memberships.current().get(role=MemberRole.PREFECT_DELEGATE).user
    assert holder != claimant and holder.email == OWNED
    assert signed_in(owner) == str(holder.pk)
    claimant.refresh_from_db()
    assert claimant.email != OWNED  # the proven owner took the address back


def test_an_invitation_to_a_verified_address_still_names_the_existing_account(client, world):
    invitation = InvitationFactory(site=world.site_b, email=world.seat_holder_a.email)
    page = client.get(reverse("collectives:accept_invitation", args=[invitation.token])).content.decode()
    assert 'name="password1"' not in page  # its owner signs in first


# --- ProConnect ---------------------------------------------------------------------------------------------


def test_proconnect_does_not_sign_an_agent_in_to_an_account_that_claimed_their_address(
    client, world, claimant, proconnect
):
    claim(claimant, proconnect.agent.email)
    response = sign_in_with_proconnect(client)
    assert signed_in_user_id(client) is None
    assert response.url == reverse("security:proconnect_unknown")


def test_proconnect_opens_the_invited_agents_account_even_if_another_claimed_the_address(
    client, world, claimant, proconnect
):
    claim(claimant, proconnect.agent.email)
    InvitationFactory(site=world.site_b, email=proconnect.agent.email, role=MemberRole.PREFECT_DELEGATE)
    response = sign_in_with_proconnect(client)
    agent = User.objects.get(email=proconnect.agent.email)
    assert agent != claimant and signed_in_user_id(client) == str(agent.pk)
    assert agent.memberships.get().site == world.site_b
    assert any("Bienvenue dans le collectif de Quartier B" in m for m in messages_of(response))


def test_proconnect_signs_in_the_account_that_verified_the_address(client, world, proconnect):
    proconnect.agent.email = world.seat_holder_b.email
    sign_in_with_proconnect(client)
    assert signed_in_user_id(client) == str(world.seat_holder_b.pk)


# --- the migration ------------------------------------------------------------------------------------------


def test_the_migration_trusts_assigned_addresses_and_not_self_made_ones(db):
    assigned = User.objects.create_user(email="assigne@exemple.fr", password=PASSWORD)
    visited = User.objects.create_user(email="visite@exemple.fr", password=PASSWORD)
    EmailAddress.objects.create(user=visited, email=visited.email, primary=False, verified=False)
    claimed = claim(User.objects.create_user(email="a@exemple.fr", password=PASSWORD), "pris@exemple.fr")
    migration = importlib.import_module("collectives.migrations.0006_t15_identity_verify_assigned_addresses")
    migration.verify_assigned_addresses(django_apps, None)
    verified = set(EmailAddress.objects.filter(verified=True).values_list("user_id", flat=True))
    assert {assigned.pk, visited.pk} <= verified
    assert claimed.pk not in verified


# --- sign-on hardening: ProConnect --------------------------------------------------------------------------


def _query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_the_authorization_request_uses_pkce_and_the_token_request_proves_it(client, world, proconnect):
    proconnect.agent.email = world.national.email
    authorize = start(client)
    query = _query(authorize)
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256 digest
    back_from_provider(client, through_provider(authorize))
    [token_request] = proconnect.token_requests
    verifier = token_request["code_verifier"]
    assert 43 <= len(verifier) <= 128
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert digest == query["code_challenge"]
    assert signed_in_user_id(client) == str(world.national.pk)


def test_a_code_stolen_from_the_callback_is_useless_without_the_verifier(client, world, proconnect):
    """Another browser replaying the callback has a state of its own, never this session's verifier."""
    proconnect.agent.email = world.national.email
    start(client)  # the victim starts; the attacker's own session redeems the victim's code
    attacker = client.__class__()
    location = through_provider(start(attacker))
    victim_code = _query(through_provider(start(client)))["code"]
    response = back_from_provider(attacker, location.replace(_query(location)["code"], victim_code))
    assert signed_in_user_id(attacker) is None
    assert response.url == LOGIN
    assert "n’a plus reconnu cette tentative de connexion" in messages_of(response)[0]  # PKCE, at the token


ISSUER_CASES = [
    ("wrong_iss", False),
    ("wrong_iss", True),
    ("no_iss", True),
]


@pytest.mark.parametrize(("tamper", "announced"), ISSUER_CASES)
def test_the_issuer_named_on_the_callback_is_checked(client, world, proconnect, tamper, announced):
    proconnect.agent.email = world.national.email
    proconnect.announces_iss = announced
    proconnect.tamper = tamper
    response = sign_in_with_proconnect(client)
    assert response.url == LOGIN
    assert signed_in_user_id(client) is None
    assert proconnect.token_requests == []  # refused before the code is spent
    assert "n’était pas destinée à cette plateforme" in messages_of(response)[0]


def test_a_callback_without_issuer_is_accepted_from_a_provider_that_does_not_announce_it(
    client, world, proconnect
):
    proconnect.agent.email = world.national.email
    proconnect.tamper = "no_iss"
    sign_in_with_proconnect(client)
    assert signed_in_user_id(client) == str(world.national.pk)


def test_a_token_stamped_a_few_seconds_ahead_is_accepted(client, world, proconnect):
    proconnect.agent.email = world.national.email
    proconnect.tamper = "issued_ahead"
    sign_in_with_proconnect(client)
    assert signed_in_user_id(client) == str(world.national.pk)


def test_a_token_stamped_far_ahead_is_refused_without_saying_expired(client, world, proconnect):
    proconnect.agent.email = world.national.email
    proconnect.tamper = "issued_far_ahead"
    response = sign_in_with_proconnect(client)
    assert signed_in_user_id(client) is None
    [message] = messages_of(response)
    assert "expir" not in message
    assert "porte une date à venir" in message and "horloge" in message


CALLBACK_ERRORS = [
    ("access_denied", "L’agent a refusé", "n’a pas confirmé votre identité"),
    ("temporarily_unavailable", "Maintenance en cours", "difficulté passagère"),
    ("server_error", "Erreur interne", "difficulté passagère"),
    ("invalid_scope", "Scope siret inconnu", "mal configurée"),
    ("login_required", "Session expirée", "a expiré ou a été interrompue"),
]


@pytest.mark.parametrize(("error", "description", "explanation"), CALLBACK_ERRORS)
def test_errors_on_the_callback_are_told_apart_and_logged(
    client, db, proconnect, caplog, error, description, explanation
):
    state = _query(start(client))["state"]
    callback = reverse("security:proconnect_callback")
    response = client.get(
        callback, {"error": error, "error_description": description, "state": state, "iss": proconnect.issuer}
    )
    assert response.url == LOGIN
    [message] = messages_of(response)
    assert explanation in message
    assert error in caplog.text and description in caplog.text


TOKEN_ERRORS = [
    ("token_invalid_client", "mal configurée", "Client authentication failed"),
    ("token_server_error", "difficulté passagère", "500"),
    ("token_unreachable", "ProConnect ne répond pas", "token request failed"),
]


@pytest.mark.parametrize(("tamper", "explanation", "logged"), TOKEN_ERRORS)
def test_errors_of_the_token_endpoint_are_told_apart_and_logged(
    client, world, proconnect, caplog, tamper, explanation, logged
):
    proconnect.agent.email = world.national.email
    proconnect.tamper = tamper
    response = sign_in_with_proconnect(client)
    assert response.url == LOGIN
    assert signed_in_user_id(client) is None
    [message] = messages_of(response)
    assert explanation in message
    assert logged in caplog.text


def test_a_spent_code_is_told_as_a_stale_attempt(client, world, proconnect, caplog):
    proconnect.agent.email = world.national.email
    location = through_provider(start(client))
    proconnect._codes.clear()  # the provider no longer knows the code (used, or too old)
    response = back_from_provider(client, location)
    assert "n’a plus reconnu cette tentative de connexion" in messages_of(response)[0]
    assert "invalid_grant" in caplog.text


def test_a_provider_gone_down_since_its_discovery_was_cached_gets_nobody_sent_to_it(
    client, world, proconnect
):
    start(client)  # the discovery document is now cached
    proconnect.down = True
    response = client.post(reverse("security:proconnect_login"))
    assert response.url == LOGIN  # not to the provider's authorization page
    [message] = messages_of(response)
    assert "ProConnect" in message and "Réessayez dans quelques minutes" in message
    proconnect.down = False
    assert start(client).startswith(f"{proconnect.issuer}/authorize?")  # back as soon as it answers


def test_an_account_national_staff_create_in_the_admin_is_found_by_its_address(client, world, proconnect):
    world.login(client, world.national)
    response = client.post(
        reverse("admin:collectives_user_add"),
        {
            "email": "Agent.Prefecture@nord.gouv.fr",
            "first_name": "Hugo",
            "last_name": "Lambert",
            "role": "member",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="agent.prefecture@nord.gouv.fr")
    assert EmailAddress.objects.filter(user=created, email=created.email, verified=True).exists()
    proconnect.agent.email = created.email
    sign_in_with_proconnect(client.__class__())
    assert ProConnectIdentity.objects.get().user == created
