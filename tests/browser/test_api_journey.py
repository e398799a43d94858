"""The partner API in a browser: national staff issue a key, read it once, and the documentation (Swagger UI
served from our static files) draws the API under the platform's CSP."""

import re

import pytest
from playwright.sync_api import expect

from tests.collectives.factories import PASSWORD, NationalFactory
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.browser


def test_national_staff_issue_a_key_and_read_the_documentation(transactional_db, page, live_server):
    NationalFactory(email="national@exemple.fr")
    SiteFactory(name="Quartier des Lilas", slug="quartier-des-lilas")
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("textbox", name="Adresse électronique").fill("national@exemple.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Clés d’API").first.click()
    page.get_by_label("Organisation").fill("Ville des Lilas")
    page.get_by_text("Un site", exact=True).click()  # DSFR radios: the label is what one clicks
    page.get_by_label("Site (périmètre « Un site »)").fill("quartier-des-lilas")
    page.get_by_text("Lecture et saisie des mesures et des présences").click()
    page.get_by_role("button", name="Émettre la clé").click()
    expect(page.get_by_role("status")).to_contain_text("Clé émise pour « Ville des Lilas »")
    key = page.locator("#issued-key").input_value()
    assert re.fullmatch(r"qic_[0-9a-f]{8}_[\w-]+", key)
    page.get_by_role("link", name="Documentation de l’API").click()
    # The first schema a process serves is built then (drf-spectacular: 2.7 s of processor time, 8 s on a
    # loaded two-core machine running the suite's two passes), longer than `expect`'s 5 s.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API partenaires", timeout=30_000)
    expect(page.get_by_text("/api/v1/sites/", exact=True).first).to_be_visible()
    assert not blocked, blocked
