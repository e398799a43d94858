"""Issue 18, "Done when": a seat holder edits the vision; the two other seats see the notification, open it,
approve; the third approval adopts and all three are told; each receives at most one e-mail for the burst."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from collectives.models import User
from sites import notifications
from tests.browser.conftest import check_accessibility
from tests.browser.test_vision_journeys import DANGLING, TARGET
from vision import services as vision
from vision.models import Change

pytestmark = pytest.mark.browser

SEATS = {
    "nadia": "trinome@demo.qic.fr",
    "karim": "prefet.saint-etienne@demo.qic.fr",
    "sophie": "ville.saint-etienne@demo.qic.fr",
}


def _signed_in(browser, live_server, email):
    """A browser signed in as this person by a session cookie (signing in is other journeys' subject)."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_the_trinome_is_told_approves_and_gets_one_email(demo, browser, live_server):
    ids = dict(User.objects.filter(email__in=SEATS.values()).values_list("email", "pk"))
    # The demo's strategy has a change leading nowhere (the vision journey links it in the browser): linked
    # here, so that the versions of this journey may be adopted.
    dangling, target = (
        Change.objects.get(site__slug="saint-etienne", title=title) for title in (DANGLING, TARGET)
    )
    vision.set_links(
        dangling,
        User.objects.get(pk=ids[SEATS["nadia"]]),
        expected_version=dangling.version,
        targets=[target],
        to_vision=False,
    )
    notifications.Notification.objects.all().delete()  # what the set-up said is not this journey's
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
        nadia.get_by_role("button", name="Enregistrer la vision").click()
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
        expect(page.get_by_role("link", name=re.compile("adoptées? par le trinôme"))).to_be_visible()

    # Nothing was mailed during the burst; past the grouping delay, one e-mail each.
    assert not [m for m in mail.outbox if set(m.to) & set(SEATS.values())]
    later = timezone.now() + dt.timedelta(minutes=10)
    for pk in notifications.due_mail_user_ids(now=later):
        notifications.send_mail_for(pk, now=later)
    for email in SEATS.values():
        received = [m for m in mail.outbox if m.to == [email]]
        assert len(received) == 1, (email, [m.subject for m in received])
        assert re.search("adoptées? par le trinôme", received[0].body)
    assert set(ids) == set(SEATS.values())


def test_on_a_phone_the_unread_count_is_in_sight_and_the_bell_is_a_whole_button(demo, browser, live_server):
    """390 px: the bell and its count beside the menu button, without opening the menu; a 40 px target like
    the menu button (inside the DSFR brand block, an "enlarge link", it had shrunk to 16 px), its name says
    the count in words, and the keyboard focus is drawn around it."""
    nadia = User.objects.get(email=SEATS["nadia"])
    unread = notifications.Notification.objects.filter(user=nadia, read_at__isnull=True).count()
    assert unread > 1
    page = _signed_in(browser, live_server, SEATS["nadia"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    bell = page.locator(".fr-header__navbar").get_by_role(
        "link", name=f"Notifications\u00a0: {unread} non lues", exact=True
    )
    expect(bell).to_be_visible()
    expect(page.locator(".qic-navbar-notify__count")).to_have_text(str(unread))
    box = bell.bounding_box()
    assert box["width"] >= 40 and box["height"] >= 40, box
    centre = f"document.elementFromPoint({box['x'] + box['width'] / 2}, {box['y'] + box['height'] / 2})"
    assert page.evaluate(f"{centre}.closest('a').id || {centre}.closest('a').parentElement.id") == (
        "qic-navbar-notify"
    )
    bell.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert outline not in ("0px", ""), outline
    bell.click()
    expect(page).to_have_url(f"{live_server.url}/notifications/")
    # Marking one read from the keyboard: the centre is swapped in without its button, and the focus stays on
    # that notification's link (static/js/focus.js), not at the top of the page.
    button = page.get_by_role("button", name="Marquer comme lue").first
    link = button.locator("xpath=ancestor::li").locator(".qic-notification__body a")
    href = link.get_attribute("href")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".qic-navbar-notify__count")).to_have_text(str(unread - 1))
    expect(page.locator(f'a[href="{href}"]')).to_be_focused()
