"""Issue 18, "Done when": a seat holder edits the vision; the two other seats see the notification, open it,
approve; the third approval adopts and all three are told; each receives at most one e-mail for the burst."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from collectives.models import User
from sites import notifications
from tests.browser.conftest import DEMO_PASSWORD, check_accessibility

pytestmark = pytest.mark.browser

SEATS = {
    "nadia": "trinome@demo.qic.fr",
    "karim": "prefet.saint-etienne@demo.qic.fr",
    "sophie": "ville.saint-etienne@demo.qic.fr",
}


def _signed_in(browser, live_server, email):
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    return page


def test_the_trinome_is_told_approves_and_gets_one_email(demo, browser, live_server):
    ids = dict(User.objects.filter(email__in=SEATS.values()).values_list("email", "pk"))
    notifications.Notification.objects.all().delete()  # what the demo's seeding said is not this journey's
    mail.outbox.clear()
    pages = {name: _signed_in(browser, live_server, email) for name, email in SEATS.items()}
    nadia = pages["nadia"]

    # Nadia edits the vision twice in a row: a burst.
    for statement in (
        "En 2040, le quartier vit de ses projets.",
        "En 2040, le quartier vit de ses projets communs.",
    ):
        nadia.goto(f"{live_server.url}/sites/saint-etienne/vision/enonce/")
        nadia.get_by_label("Énoncé de la vision").fill(statement)
        nadia.get_by_role("button", name="Enregistrer", exact=True).click()
        nadia.wait_for_load_state("networkidle")

    # Karim and Sophie see it in the header, open it from the centre, and approve.
    for name in ("karim", "sophie"):
        page = pages[name]
        page.goto(f"{live_server.url}/")
        header = page.get_by_role("link", name=re.compile(r"^Notifications \d+ non lues?$"))
        expect(header).to_be_visible()
        header.click()
        expect(page.get_by_role("heading", name="Saint-Étienne", exact=False)).to_be_visible()
        if name == "karim":
            check_accessibility(page, "the notification centre")
        page.get_by_role("link", name=re.compile(r"de la vision à approuver")).first.click()
        page.get_by_role("button", name=re.compile(r"^Approuver la version \d+")).click()
        expect(page.locator("#adoption-panel [role=status]")).to_contain_text("approbation")

    # Nadia's approval is the third: the vision is adopted, and all three are told.
    nadia.goto(f"{live_server.url}/sites/saint-etienne/vision/")
    nadia.get_by_role("button", name=re.compile(r"^Approuver la version \d+")).click()
    expect(nadia.locator("#adoption-panel [role=status]")).to_contain_text("les trois membres du trinôme")
    for page in pages.values():
        page.goto(f"{live_server.url}/notifications/")
        expect(page.get_by_role("link", name=re.compile("Vision adoptée par le trinôme"))).to_be_visible()

    # Nothing was mailed during the burst; past the grouping delay, one e-mail each.
    assert not [m for m in mail.outbox if set(m.to) & set(SEATS.values())]
    later = timezone.now() + dt.timedelta(minutes=10)
    for pk in notifications.due_mail_user_ids(now=later):
        notifications.send_mail_for(pk, now=later)
    for email in SEATS.values():
        received = [m for m in mail.outbox if m.to == [email]]
        assert len(received) == 1, (email, [m.subject for m in received])
        assert "Vision adoptée par le trinôme" in received[0].body
    assert set(ids) == set(SEATS.values())
