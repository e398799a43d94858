"""Signing in with ProConnect, end to end against a local mock provider (proconnect_mock.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from collectives.models import User
from collectives.security import proconnect as client_module
from collectives.security.models import ProConnectIdentity
from collectives.security.services import ID_TOKEN_KEY
from tests.collectives.proconnect_mock import CLIENT_ID
from tests.qic.test_settings import PROD_ENV, run_manage

LOGIN = reverse("account_login")


def start(client, **data):
    response = client.post(reverse("security:proconnect_login"), data)
    assert response.status_code == 302, response.content
    return response.url


def through_provider(authorize_url):
    """The browser's visit to ProConnect, which signs the agent in and sends them back."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back_from_provider(client, location):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_with_proconnect(client, **data):
    return back_from_provider(client, through_provider(start(client, **data)))


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


# --- off unless configured ------------------------------------------------------------------------------


def test_without_configuration_there_is_no_button_and_no_page(client, db):
    assert not client_module.is_enabled()
    page = client.get(LOGIN).content.decode()
    assert "ProConnect" not in page
    for name in ("proconnect_login", "proconnect_logout"):
        assert client.post(reverse(f"security:{name}")).status_code == 404
    for name in ("proconnect_callback", "proconnect_unknown", "proconnect_logged_out"):
        assert client.get(reverse(f"security:{name}")).status_code == 404


def test_half_a_configuration_refuses_to_start():
    env = {**PROD_ENV, "PROCONNECT_ISSUER": "https://auth.agentconnect.gouv.fr/api/v2"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "must be set together" in result.stderr


def test_configured_login_page_offers_proconnect_beside_the_password(client, db, proconnect):
    page = client.get(LOGIN).content.decode()
    assert "S’identifier avec" in page and "ProConnect" in page
    assert f'action="{reverse("security:proconnect_login")}"' in page
    assert "Se connecter avec son adresse électronique" in page


def test_authorization_request_carries_long_state_and_nonce_and_nothing_else(client, db, proconnect):
    url = start(client)
    assert url.startswith(f"{proconnect.issuer}/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert set(query) == {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",  # PKCE (tests/trust/test_identity.py)
        "code_challenge_method",
    }
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] != query["nonce"]
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/comptes/proconnect/retour/"
    assert query["scope"].split()[:2] == ["openid", "email"]
    # Another attempt gets fresh values.
    again = {k: v[0] for k, v in parse_qs(urlsplit(start(client)).query).items()}
    assert again["state"] != query["state"] and again["nonce"] != query["nonce"]


# --- the invited agent ------------------------------------------------------------------------------------


def test_invited_agent_is_linked_to_their_account_and_signed_in(client, world, proconnect):
    proconnect.agent.email = "NATIONAL@exemple.fr"  # the provider's case does not matter
    response = sign_in_with_proconnect(client)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_user_id(client) == str(world.national.pk)
    identity = ProConnectIdentity.objects.get()
    assert identity.user == world.national
    assert identity.subject == proconnect.agent.sub
    assert identity.siret == "11000201100044"
    assert identity.last_login_at is not None
    # The client secret went in the body of the token request, as ProConnect expects.
    [token_request] = proconnect.token_requests
    assert token_request["client_secret"] and token_request["grant_type"] == "authorization_code"
    assert client.session[ID_TOKEN_KEY] == proconnect.issued_id_tokens[-1]
    assert client.get(reverse("sites:list")).status_code == 200


def test_linked_agent_is_recognised_by_their_identity_even_if_their_email_changed(client, world, proconnect):
    proconnect.agent.email = world.steering.email
    sign_in_with_proconnect(client)
    client.logout()
    proconnect.agent.email = "nouvelle.adresse@interieur.gouv.fr"
    sign_in_with_proconnect(client)
    assert signed_in_user_id(client) == str(world.steering.pk)


def test_agent_goes_back_to_the_page_they_asked_for(client, world, proconnect):
    proconnect.agent.email = world.national.email
    response = sign_in_with_proconnect(client, next=world.site_a.get_absolute_url())
    assert response.url == world.site_a.get_absolute_url()


def test_deactivated_account_is_not_signed_in(client, world, proconnect):
    world.partner_a.is_active = False
    world.partner_a.save()
    proconnect.agent.email = world.partner_a.email
    response = sign_in_with_proconnect(client)
    assert signed_in_user_id(client) is None
    assert response.url == reverse("account_inactive")
    assert not ProConnectIdentity.objects.exists()


# --- the unknown agent ------------------------------------------------------------------------------------


def test_unknown_agent_gets_no_account_and_is_told_whom_to_ask(client, world, proconnect):
    users_before = User.objects.count()
    proconnect.agent.email = "inconnu@finances.gouv.fr"
    response = sign_in_with_proconnect(client)
    assert response.url == reverse("security:proconnect_unknown")
    assert signed_in_user_id(client) is None
    assert User.objects.count() == users_before
    assert not ProConnectIdentity.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Aucun compte pour cette adresse" in page
    assert "inconnu@finances.gouv.fr" in page
    assert "équipe nationale" in page and "ANCT" in page
    assert "centre de ressources politique de la ville (CRPV) de votre région" in page
    assert world.site_a.name not in page
    # Nothing of the platform opens to them.
    assert client.get(reverse("sites:list")).status_code == 302


def test_unknown_agent_can_sign_out_of_proconnect_to_try_another_identity(client, world, proconnect):
    proconnect.agent.email = "inconnu@finances.gouv.fr"
    sign_in_with_proconnect(client)
    response = client.post(reverse("security:proconnect_logout"))
    assert response.url.startswith(f"{proconnect.issuer}/session/end?")
    back = requests.get(response.url, allow_redirects=False, timeout=5).headers["Location"]
    response = back_from_provider(client, back)
    assert response.url == LOGIN
    assert "Vous êtes déconnecté·e de la plateforme et de ProConnect." in messages_of(response)
    assert client.get(reverse("security:proconnect_unknown")).url == LOGIN


# --- refusals ---------------------------------------------------------------------------------------------

REFUSALS = [
    ("bad_signature", "n’a pas une signature valide"),
    ("unknown_key", "n’a pas une signature valide"),
    ("none_algorithm", "n’a pas une signature valide"),
    ("wrong_nonce", "ne correspond pas à cette tentative de connexion"),
    ("expired", "a expiré"),
    ("wrong_audience", "n’était pas destinée à cette plateforme"),
    ("wrong_issuer", "n’était pas destinée à cette plateforme"),
    ("userinfo_bad_signature", "n’a pas une signature valide"),
    ("userinfo_wrong_audience", "n’était pas destinée à cette plateforme"),
    ("userinfo_as_json", "n’a pas une signature valide"),
    ("userinfo_other_subject", "n’était pas destinée à cette plateforme"),
]


@pytest.mark.parametrize(("tamper", "explanation"), REFUSALS, ids=[t for t, _ in REFUSALS])
def test_tampered_answers_are_refused_with_a_clear_message(client, world, proconnect, tamper, explanation):
    proconnect.agent.email = world.national.email
    proconnect.tamper = tamper
    response = sign_in_with_proconnect(client)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert signed_in_user_id(client) is None
    assert not ProConnectIdentity.objects.exists()
    assert ID_TOKEN_KEY not in client.session
    [message] = messages_of(response)
    assert explanation in message
    page = client.get(LOGIN).content.decode()
    assert explanation in page.replace("&#x27;", "’")


def test_a_callback_cannot_be_replayed(client, world, proconnect):
    proconnect.agent.email = world.national.email
    location = through_provider(start(client))
    back_from_provider(client, location)
    assert signed_in_user_id(client) == str(world.national.pk)
    other = type(client)()
    response = back_from_provider(other, location)
    assert response.url == LOGIN
    assert signed_in_user_id(other) is None
    assert "a expiré ou a été interrompue" in messages_of(response)[0]


def test_a_forged_state_is_refused(client, world, proconnect):
    location = through_provider(start(client))
    response = back_from_provider(client, location.replace("state=", "state=x"))
    assert signed_in_user_id(client) is None
    assert "a expiré ou a été interrompue" in messages_of(response)[0]


def test_a_refusal_by_the_provider_is_explained(client, world, proconnect):
    url = start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(reverse("security:proconnect_callback"), {"error": "access_denied", "state": state})
    assert response.url == LOGIN
    assert "n’a pas confirmé votre identité" in messages_of(response)[0]


def test_an_unreachable_provider_is_explained(client, db, proconnect, settings):
    settings.PROCONNECT_ISSUER = "http://127.0.0.1:9/api/v2"
    response = client.post(reverse("security:proconnect_login"))
    assert response.url == LOGIN
    assert "ProConnect ne répond pas pour le moment" in messages_of(response)[0]


def test_a_provider_announcing_another_issuer_is_not_trusted(client, db, proconnect, settings):
    settings.PROCONNECT_ISSUER = f"http://localhost:{proconnect.port}/api/v2"  # same server, other name
    response = client.post(reverse("security:proconnect_login"))
    assert response.url == LOGIN
    assert "mal configurée" in messages_of(response)[0]


# --- sign-out ---------------------------------------------------------------------------------------------


def test_logout_ends_the_session_here_then_at_proconnect_with_the_id_token(client, world, proconnect):
    proconnect.agent.email = world.national.email
    sign_in_with_proconnect(client)
    session_key = client.session.session_key
    id_token = client.session[ID_TOKEN_KEY]

    response = client.post(reverse("account_logout"))
    assert response.url.startswith(f"{proconnect.issuer}/session/end?")
    assert not SessionStore().exists(session_key)  # the server-side session is gone already
    assert signed_in_user_id(client) is None

    back = requests.get(response.url, allow_redirects=False, timeout=5)
    [end_session] = proconnect.end_session_requests
    assert end_session["id_token_hint"] == id_token
    assert len(end_session["state"]) >= 32
    assert (
        end_session["post_logout_redirect_uri"] == "http://testserver/comptes/proconnect/deconnexion/retour/"
    )
    response = back_from_provider(client, back.headers["Location"])
    assert response.url == LOGIN
    shown = messages_of(response)
    assert "Vous êtes déconnecté·e de la plateforme et de ProConnect." in shown
    assert "Vous êtes déconnecté(e)." not in shown  # said once, not twice


def test_password_sessions_log_out_without_a_detour(client, world, password, proconnect):
    client.post(LOGIN, {"login": world.national.email, "password": password})
    response = client.post(reverse("account_logout"))
    assert response.url == "/"
    assert proconnect.end_session_requests == []


def test_a_wrong_logout_state_shows_no_confirmation(client, db, proconnect):
    response = client.get(reverse("security:proconnect_logged_out"), {"state": "x" * 43})
    assert response.url == LOGIN
    assert messages_of(response) == []


def test_invited_agent_without_an_account_joins_through_proconnect(client, world, proconnect):
    from collectives.enums import MemberRole
    from tests.collectives.factories import InvitationFactory

    invitation = InvitationFactory(
        site=world.site_b, email="delegue.prefet@nord.gouv.fr", role=MemberRole.PREFECT_DELEGATE
    )
    proconnect.agent.email = "Delegue.Prefet@nord.gouv.fr"
    response = sign_in_with_proconnect(client)
    user = User.objects.get(email="delegue.prefet@nord.gouv.fr")
    assert signed_in_user_id(client) == str(user.pk)
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.accepted_by == user
    assert user.memberships.get().role == MemberRole.PREFECT_DELEGATE
    assert ProConnectIdentity.objects.get().user == user
    assert "Bienvenue dans le collectif de Quartier B : vous y êtes délégué·e du préfet." in messages_of(
        response
    )
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == world.site_b.get_absolute_url()


def test_an_expired_invitation_opens_nothing(client, world, proconnect):
    import datetime as dt

    from django.utils import timezone

    from tests.collectives.factories import InvitationFactory

    InvitationFactory(
        site=world.site_b, email="ancien@nord.gouv.fr", expires_at=timezone.now() - dt.timedelta(days=1)
    )
    proconnect.agent.email = "ancien@nord.gouv.fr"
    response = sign_in_with_proconnect(client)
    assert response.url == reverse("security:proconnect_unknown")
    assert not User.objects.filter(email="ancien@nord.gouv.fr").exists()
