"""The collectives' "done when": a CRPV facilitator replaces Saint-Étienne's prefect's delegate by invitation,
the history shows both, the newcomer sets a password, logs in, downloads the handover pack, and the three seat
holders sign the cooperation agreement."""

import re
import subprocess

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SITE = "/sites/saint-etienne"
NEW_PASSWORD = "passation-2025-saint-etienne"
LINK = re.compile(r"https?://[^\s]+(/invitations/[A-Za-z0-9_\-]+/)")


def _sign_in(page, base, email, password=DEMO_PASSWORD):
    page.goto(f"{base}/comptes/login/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    return page


def _sign(browser, base, email, seat):
    context = browser.new_context(locale="fr-FR")
    page = _sign_in(context.new_page(), base, email)
    page.goto(f"{base}{SITE}/entente/")
    page.get_by_role("button", name=f"Signer pour le siège « {seat} »").click()
    expect(page.get_by_role("status")).to_contain_text("Vous avez signé")
    return context, page


def test_prefects_delegate_handover_then_the_trinome_signs(
    page, browser, live_server, demo, axe_check, tmp_path
):
    base = live_server.url
    mail.outbox.clear()

    # A CRPV facilitator replaces the prefect's delegate.
    _sign_in(page, base, "crpv@demo.qic.fr")
    page.goto(f"{base}{SITE}/collectif/")
    axe_check("members page")
    page.get_by_role("link", name="Remplacer Karim Benali, Délégué·e du préfet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passation du siège « Délégué·e du préfet »")
    page.get_by_label("Adresse électronique").fill("ines.morel@exemple.fr")
    page.get_by_label("Prénom").fill("Inès")
    # The label also states the field's limit ("Nom 150 caractères au maximum.").
    page.get_by_role("textbox", name=re.compile(r"^Nom\b")).fill("Morel")
    page.get_by_label("Organisation").fill("Préfecture de la Loire")
    page.get_by_role("button", name="Confirmer la passation et inviter").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation envoyée à ines.morel@exemple.fr")
    seat = page.locator("#seat-prefect_delegate")
    expect(seat).to_contain_text("Siège vacant")
    expect(seat).to_contain_text("Invitation envoyée à Inès Morel")
    history = page.get_by_role("table", name=re.compile("Participations terminées"))
    expect(history).to_contain_text("Karim Benali")
    expect(history).to_contain_text("Pascal Vidal")

    # The newcomer opens the emailed link, sets a name and a password.
    [message] = [m for m in mail.outbox if m.to == ["ines.morel@exemple.fr"]]
    path = LINK.search(message.body).group(1)
    newcomer = browser.new_context(locale="fr-FR")
    ines = newcomer.new_page()
    ines.goto(f"{base}{path}")
    expect(ines.get_by_role("heading", level=1)).to_have_text("Rejoindre le collectif de Saint-Étienne")
    ines.locator("#id_first_name").fill("Inès")
    ines.locator("#id_last_name").fill("Morel")
    ines.locator("#id_password1").fill(NEW_PASSWORD)
    ines.locator("#id_password2").fill(NEW_PASSWORD)
    ines.get_by_role("button", name="Créer mon compte et rejoindre le collectif").click()
    expect(ines.get_by_role("heading", level=1)).to_have_text("Collectif et trinôme")
    newcomer.close()

    # She logs in with her new password and downloads the handover pack.
    context = browser.new_context(locale="fr-FR")
    ines = _sign_in(context.new_page(), base, "ines.morel@exemple.fr", NEW_PASSWORD)
    ines.goto(f"{base}{SITE}/collectif/")
    expect(ines.locator("#seat-prefect_delegate")).to_contain_text("Inès Morel")
    history = ines.get_by_role("table", name=re.compile("Participations terminées"))
    expect(history).to_contain_text("Karim Benali")
    with ines.expect_download() as download:
        ines.get_by_role("link", name=re.compile("Dossier de passation")).first.click()
    pdf = tmp_path / "dossier.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "Dossier de passation" in text and "Inès Morel" in text and "Pas encore rédigé" in text

    # The agreement's empty part is written inline (no reload), then the three seat holders sign.
    ines.goto(f"{base}{SITE}/entente/")
    ines.evaluate("window.__no_reload = true")
    # From the keyboard: the focus goes into the form just opened, then to the part's heading once it is saved
    # (static/js/focus.js; it fell to the top of the page, the link that had it being swapped out).
    ines.get_by_role("link", name="Modifier « Communication »").focus()
    ines.keyboard.press("Enter")
    expect(ines.get_by_label("Texte")).to_be_focused()
    ines.keyboard.type("Une lettre mensuelle aux habitant·es et un point d’étape à chaque rencontre.")
    ines.get_by_role("button", name="Enregistrer « Communication »").focus()
    ines.keyboard.press("Enter")
    expect(ines.locator("#part-communication")).to_contain_text("Une lettre mensuelle aux habitant·es")
    expect(ines.get_by_role("heading", name="4. Communication")).to_be_focused()
    # A form sent back with its errors: the focus on the first field refused, not at the top of the page.
    ines.get_by_role("link", name="Ajouter un lieu de coopération").focus()
    ines.keyboard.press("Enter")
    place = ines.locator("#space-new").get_by_label("Nom")
    expect(place).to_be_focused()
    ines.get_by_role("button", name="Enregistrer le lieu").focus()
    ines.keyboard.press("Enter")
    expect(place).to_have_attribute("aria-invalid", "true")
    expect(place).to_be_focused()
    assert ines.evaluate("window.__no_reload") is True  # the part was swapped in place
    ines.reload()
    ines.get_by_role("button", name="Signer pour le siège « Délégué·e du préfet »").click()
    expect(ines.get_by_role("status").first).to_contain_text("Vous avez signé la version 1")
    context.close()

    ville, _ = _sign(browser, base, "ville.saint-etienne@demo.qic.fr", "Collectivité")
    ville.close()
    nadia_context, nadia = _sign(browser, base, "trinome@demo.qic.fr", "Société civile")
    expect(nadia.get_by_role("status").first).to_contain_text("la version 1 de l’entente est en vigueur")
    expect(nadia.locator("#agreement-status")).to_contain_text("En vigueur depuis le")
    for name in ("Inès Morel", "Sophie Durand", "Nadia Haddad"):
        expect(nadia.locator("#agreement-status")).to_contain_text(name)
    nadia_context.close()

    page.goto(f"{base}{SITE}/entente/")
    axe_check("agreement page")
    page.goto(f"{base}{SITE}/structure-de-soutien/")
    axe_check("backbone page")
