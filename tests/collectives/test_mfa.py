"""Two-factor authentication: required for the roles that see every site, optional for others; DSFR pages."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.urls import reverse

from tests.collectives.factories import UserFactory
from tests.collectives.test_proconnect import sign_in_with_proconnect
from tests.qic.test_settings import PROD_ENV, run_manage

LOGIN = reverse("account_login")
ACTIVATE = reverse("mfa_activate_totp")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


@pytest.fixture(autouse=True)
def _fresh(settings, db):
    cache.clear()  # rate limits and used TOTP codes live in the cache
    settings.QIC_MFA_REQUIRED = True
    yield
    cache.clear()


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, user, password):
    return client.post(LOGIN, {"login": user.email, "password": password})


def activate_totp(client):
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret, response


@pytest.mark.parametrize("role", ["national", "steering"])
def test_roles_that_see_every_site_are_sent_to_set_up_totp_and_can_reach_nothing_else(
    client, world, password, role
):
    user = getattr(world, role)
    response = sign_in(client, user, password)
    assert response.url == reverse("home")
    for url in (reverse("home"), reverse("sites:list"), world.site_a.get_absolute_url(), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == ACTIVATE
    assert client.post(world.site_a.get_absolute_url(), {}).url == ACTIVATE
    # The setup page itself, the public pages and the way out stay open.
    assert client.get(ACTIVATE).status_code == 200
    assert client.get(reverse("legal_notice")).status_code == 200
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_superusers_must_use_two_factor_too(client, world, password):
    admin = UserFactory(email="admin@exemple.fr", is_superuser=True)
    sign_in(client, admin, password)
    assert client.get("/admin/").url == ACTIVATE


@pytest.mark.parametrize("role", ["facilitator_a", "seat_holder_a", "partner_a"])
def test_other_roles_may_go_on_without_two_factor(client, world, password, role):
    sign_in(client, getattr(world, role), password)
    assert client.get(reverse("sites:list")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_setup_right_after_sign_in_then_everything_opens(client, world, password):
    sign_in(client, world.national, password)
    page = client.get(ACTIVATE).content.decode()
    # Right after signing in, no second password prompt; the QR code is an image, with no inline script.
    assert "Activer la double authentification" in page
    assert "Obligatoire pour votre compte" in page
    assert re.search(r'<img class="qic-qr" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    assert INLINE_SCRIPT.search(page) is None
    secret, response = activate_totp(client)
    assert response.url == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response.url).content.decode()
    assert "Vos codes de secours" in codes_page
    assert codes_page.count("<li>") >= 10
    assert client.get(reverse("sites:list")).status_code == 200
    assert Authenticator.objects.filter(user=world.national, type="totp").exists()


def test_a_wrong_code_is_explained_next_to_the_field(client, world, password):
    sign_in(client, world.national, password)
    client.get(ACTIVATE)
    page = client.post(ACTIVATE, {"code": "000000"}).content.decode()
    assert "fr-input-group--error" in page
    assert "Code incorrect" in page
    assert not Authenticator.objects.filter(user=world.national).exists()


def test_next_sign_in_asks_for_the_code(client, world, password):
    sign_in(client, world.national, password)
    secret, _ = activate_totp(client)
    client.post(reverse("account_logout"))

    response = sign_in(client, world.national, password)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "Double authentification" in page and "Code à six chiffres" in page
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"}).content.decode()
    assert "Code incorrect" in wrong
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.national.pk)
    assert client.get(reverse("sites:list")).status_code == 200


def reauthenticate(client, password):
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()


def test_turning_two_factor_off_asks_for_the_password_again(client, world, password):
    sign_in(client, world.partner_a, password)
    activate_totp(client)
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_required_two_factor_cannot_be_turned_off(client, world, password):
    sign_in(client, world.national, password)
    activate_totp(client)
    reauthenticate(client, password)
    page = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_deactivate_totp") not in page
    page = client.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "Désactivation impossible" in page
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=world.national, type="totp").exists()


def test_optional_two_factor_can_be_turned_off(client, world, password):
    sign_in(client, world.partner_a, password)
    activate_totp(client)
    reauthenticate(client, password)
    assert reverse("mfa_deactivate_totp") in client.get(reverse("mfa_index")).content.decode()
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=world.partner_a, type="totp").exists()


def test_without_the_requirement_staff_sign_in_with_a_password_alone(client, world, password, settings):
    settings.QIC_MFA_REQUIRED = False
    sign_in(client, world.national, password)
    assert client.get(reverse("sites:list")).status_code == 200


def test_an_htmx_request_is_sent_to_the_setup_page_as_a_whole_page(client, world, password):
    sign_in(client, world.national, password)
    response = client.get(reverse("sites:list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == ACTIVATE


def test_every_two_factor_page_renders_in_french_without_inline_script(client, world, password):
    sign_in(client, world.partner_a, password)
    pages = {
        reverse("mfa_index"): "Double authentification",
        ACTIVATE: "Activer la double authentification",
    }
    for url, title in pages.items():
        page = client.get(url).content.decode()
        assert title in page and INLINE_SCRIPT.search(page) is None, url
    activate_totp(client)
    for url in (reverse("account_reauthenticate"), reverse("mfa_reauthenticate")):
        page = client.get(url).content.decode()
        assert "Confirmer qu’il s’agit bien de vous" in page and INLINE_SCRIPT.search(page) is None, url
    reauthenticate(client, password)
    pages = {
        reverse("mfa_index"): "Codes de secours",
        reverse("mfa_view_recovery_codes"): "Vos codes de secours",
        reverse("mfa_generate_recovery_codes"): "Générer de nouveaux codes de secours",
        reverse("mfa_deactivate_totp"): "Désactiver la double authentification",
        reverse("usersessions_list"): "Mes sessions",
        reverse("security:account_security"): "Activée",
    }
    for url, title in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert title in page and INLINE_SCRIPT.search(page) is None, url
        assert 'lang="fr"' in page
    codes = client.get(reverse("mfa_download_recovery_codes"))
    assert codes.status_code == 200
    # Signing in again shows the code page; reauthentication asks for a code too.
    client.post(reverse("account_logout"))
    sign_in(client, world.partner_a, password)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Code à six chiffres" in page and INLINE_SCRIPT.search(page) is None


def test_proconnect_agent_invited_as_national_staff_must_set_up_totp(client, world, proconnect):
    world.national.set_unusable_password()  # invited agents may have no password at all
    world.national.save()
    proconnect.agent.email = world.national.email
    response = sign_in_with_proconnect(client)
    assert client.session["_auth_user_id"] == str(world.national.pk)
    assert client.get(response.url).url == ACTIVATE
    assert client.get(ACTIVATE).status_code == 200
    activate_totp(client)
    assert client.get(reverse("sites:list")).status_code == 200


def test_proconnect_does_not_skip_the_second_factor(client, world, password, proconnect):
    sign_in(client, world.national, password)
    activate_totp(client)
    client.post(reverse("account_logout"))
    proconnect.agent.email = world.national.email
    response = sign_in_with_proconnect(client)
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("debug", "required"), [("false", "True"), ("true", "False")])
def test_two_factor_is_required_by_default_in_production_only(debug, required):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.QIC_MFA_REQUIRED)",
        env={**PROD_ENV, "DEBUG": debug},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == required


def test_the_requirement_setting_is_strict():
    result = run_manage("check", env={**PROD_ENV, "QIC_MFA_REQUIRED": "parfois"})
    assert result.returncode != 0
    assert "QIC_MFA_REQUIRED must be true or false" in result.stderr
