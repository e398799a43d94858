"""Signing in: by email, no public sign-up, rate limits, password reset by email, a start page per role."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from collectives.models import User

pytestmark = pytest.mark.every_database


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()  # allauth keeps its rate-limit counters in the cache
    yield
    cache.clear()


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_page_is_french_and_offers_no_sign_up(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert "Connexion à Quartiers à impact collectif" in page
    assert "Adresse électronique" in page
    assert "Mot de passe oublié" in page
    assert 'lang="fr"' in page
    assert "/comptes/signup/" not in page


def test_public_sign_up_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nouveau@exemple.fr",
            "password1": "un-mot-de-passe-long",
            "password2": "un-mot-de-passe-long",
        },
    )
    assert response.status_code == 200
    assert "Les comptes sont ouverts sur invitation" in response.content.decode()
    assert not User.objects.filter(email="nouveau@exemple.fr").exists()


def test_login_by_email_is_case_insensitive(client, world, password):
    response = login(client, world.national.email.upper(), password)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_french_message_next_to_the_form(client, world):
    response = login(client, world.national.email, "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe sont incorrects" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_account_cannot_sign_in(client, world, password):
    world.national.is_active = False
    world.national.save()
    login(client, world.national.email, password)
    assert "_auth_user_id" not in client.session


def test_deactivated_account_is_refused_on_its_next_request(client, world):
    client.force_login(world.seat_holder_a)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200
    world.seat_holder_a.is_active = False
    world.seat_holder_a.save()
    response = client.get(world.site_a.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_failed_logins_are_rate_limited(client, world, password):
    for _ in range(5):
        login(client, world.national.email, "mauvais-mot-de-passe")
    # Even the right password is refused for a while once an account has been hammered.
    response = login(client, world.national.email, password)
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("national", "/sites/tableau-de-bord/"),
        ("steering", "/sites/tableau-de-bord/"),
        ("facilitator_a", "/sites/"),
        ("seat_holder_a", "/sites/quartier-a/"),
        ("outsider", "/sites/"),
    ],
)
def test_each_role_lands_on_its_start_page(client, world, password, role, landing):
    response = login(client, getattr(world, role).email, password)
    assert response.status_code == 302
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == landing


def test_member_without_a_site_is_told_whom_to_ask(client, world):
    client.force_login(world.outsider)
    page = client.get(reverse("sites:list")).content.decode()
    assert "n’est rattaché à aucun site" in page
    assert "centre de ressources" in page


def test_password_reset_sends_a_french_email_after_commit(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": world.partner_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.partner_a.email]
    assert "Réinitialisation de votre mot de passe" in message.subject
    assert "/comptes/password/reset/key/" in message.body
    assert "Bonjour" in message.body


def test_password_reset_for_an_unknown_address_reveals_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    [message] = mail.outbox
    assert "aucun compte" in message.body
    assert "/comptes/signup/" not in message.body


def test_logout_is_a_post_and_ends_the_session(client, world):
    client.force_login(world.national)
    page = client.get(reverse("sites:list")).content.decode()
    assert f'action="{reverse("account_logout")}"' in page
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("sites:list")).status_code == 302


def test_session_key_changes_at_login(client, world, password):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    login(client, world.national.email, password)
    assert client.session.session_key != before
