"""A State agent signs in with ProConnect (mock provider), sets up two-factor and reaches their start page;
tampered tokens are refused; an idle session expires."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_agent_invited_as_national_staff_signs_in_with_proconnect_and_sets_up_totp(
    demo, page, live_server, proconnect, settings
):
    settings.QIC_MFA_REQUIRED = True
    proconnect.agent.email = "national@demo.qic.fr"
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("button", name=re.compile("S’identifier avec ProConnect")).click()

    # Back from ProConnect, signed in, and sent straight to the two-factor setup.
    expect(page).to_have_url(re.compile(r"/comptes/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    expect(page.get_by_text("Obligatoire pour votre compte")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    # Nothing else opens before two-factor is set up.
    page.goto(f"{live_server.url}/sites/")
    expect(page).to_have_url(re.compile(r"/comptes/2fa/totp/activate/$"))

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label(re.compile("Code affiché par l’application")).fill(code)
    page.get_by_role("button", name="Activer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(
        page.get_by_role("list", name="Codes de secours non utilisés").get_by_role("listitem")
    ).to_have_count(10)
    page.get_by_role("link", name="Continuer vers mon espace").click()
    # The national staff's start page: the dashboard of every site.
    expect(page).to_have_url(re.compile(r"/sites/tableau-de-bord/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord national")
    assert proconnect.authorize_requests and len(proconnect.authorize_requests[-1]["state"]) >= 32


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("bad_signature", "n’a pas une signature valide"),
        ("wrong_nonce", "ne correspond pas à cette tentative de connexion"),
        ("expired", "a expiré"),
    ],
)
def test_tampered_tokens_are_refused(demo, page, live_server, proconnect, tamper, message):
    proconnect.agent.email = "national@demo.qic.fr"
    proconnect.tamper = tamper
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("button", name=re.compile("S’identifier avec ProConnect")).click()
    expect(page).to_have_url(re.compile(r"/comptes/login/$"))
    expect(page.locator(".fr-alert--error")).to_contain_text(message)
    page.goto(f"{live_server.url}/sites/")
    expect(page).to_have_url(re.compile(r"/comptes/login/\?next="))


def test_an_idle_session_expires(demo, sign_in, live_server, settings):
    settings.QIC_SESSION_IDLE_SECONDS = 2
    page = sign_in("trinome@demo.qic.fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Étienne")
    page.wait_for_timeout(3_000)
    page.reload()
    # Found by the page's clock (static/js/session.js) or by the reload itself: either way, back to the page.
    expect(page).to_have_url(re.compile(r"/comptes/login/\?next=(%2F|/)sites(%2F|/)saint-etienne(%2F|/)$"))
    expect(page.locator(".fr-alert--warning")).to_contain_text(
        "Votre session a expiré après une période d’inactivité"
    )


def test_account_security_pages_are_accessible(demo, page, live_server, sign_in, proconnect, axe_check):
    page.goto(f"{live_server.url}/comptes/login/")
    axe_check("login with ProConnect")
    sign_in("partenaire@demo.qic.fr")
    for path in ["/comptes/securite/", "/comptes/2fa/", "/comptes/2fa/totp/activate/", "/comptes/sessions/"]:
        page.goto(f"{live_server.url}{path}")
        axe_check(path)
    page.goto(f"{live_server.url}/comptes/2fa/totp/activate/")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label(re.compile("Code affiché par l’application")).fill(code)
    page.get_by_role("button", name="Activer").click()
    axe_check("recovery codes")
    page.goto(f"{live_server.url}/comptes/logout/")
    page.locator("main").get_by_role("button", name="Se déconnecter").click()
    proconnect.agent.email = "inconnu@finances.gouv.fr"
    page.get_by_role("button", name=re.compile("S’identifier avec ProConnect")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aucun compte pour cette adresse")
    axe_check("unknown agent")
