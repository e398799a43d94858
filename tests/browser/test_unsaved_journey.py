"""Nothing typed is lost to a refusal that is not the writer's: a trinôme member writes the strategy's
narrative while their session ends, sends it, signs in again and finds it back in its form; typing keeps the
session alive, and a warning offers to keep it before it ends (RGAA 13.1); a request that fails says that
nothing was saved and leaves the text in place; a page whose token went stale (signed in again in another
tab) gives the text back instead of an error page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, check_accessibility

pytestmark = pytest.mark.browser

TEXT = "Ce que le trinôme a écrit pendant sa réunion : long, précieux, et pas encore enregistré."
WORKSPACE = "/sites/saint-etienne/vision/"


def _open_narrative(page, live_server):
    page.goto(f"{live_server.url}{WORKSPACE}")
    page.locator("a[href$='/vision/recit/']").first.click()
    editor = page.get_by_role("textbox", name="Récit de la stratégie")
    expect(editor).to_be_visible()
    editor.fill(TEXT)
    return editor


def _save(page):
    page.locator("#narrative-panel").get_by_role("button", name="Enregistrer le récit").click()


def _sign_in_again(page):
    page.get_by_role("textbox", name="Adresse électronique").fill("trinome@demo.qic.fr")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_text_sent_after_the_session_ended_comes_back_in_its_form(demo, sign_in, live_server, settings):
    settings.QIC_SESSION_IDLE_SECONDS = 12  # warned 3 s before
    page = sign_in("trinome@demo.qic.fr")
    _open_narrative(page, live_server)
    # Nobody types any more: the page says the session is about to end, then that it has ended.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Votre session va bientôt se fermer", timeout=20_000)
    expect(dialog.get_by_role("button", name="Rester connecté·e")).to_be_visible()
    check_accessibility(page, "the session's warning")
    expect(dialog).to_contain_text("Votre session s’est fermée", timeout=20_000)
    expect(dialog).to_contain_text("n’est pas perdu")
    dialog.get_by_role("button", name="J’ai compris").click()
    expect(dialog).to_be_hidden()

    _save(page)
    expect(page).to_have_url(re.compile(r"/comptes/login/\?next=%2Fsites%2Fsaint-etienne%2Fvision%2F$"))
    expect(page.locator(".fr-alert--warning").last).to_contain_text("rien n’est perdu")
    _sign_in_again(page)
    expect(page).to_have_url(f"{live_server.url}{WORKSPACE}")
    # The editor opened again, with the text, and the message next to it.
    editor = page.get_by_role("textbox", name="Récit de la stratégie")
    expect(editor).to_have_value(TEXT)
    expect(editor).to_be_focused()
    expect(page.locator("#narrative-panel .qic-unsaved")).to_contain_text("remise dans ce formulaire")
    check_accessibility(page, "the text given back")
    _save(page)
    expect(page.locator("#narrative-panel")).to_contain_text("long, précieux")
    expect(page.locator(".qic-unsaved")).to_have_count(0)
    # Given once: the next visit shows the narrative, no message.
    page.reload()
    expect(page.locator(".qic-unsaved")).to_have_count(0)


def test_typing_keeps_the_session_and_the_warning_keeps_it_on_request(demo, sign_in, live_server, settings):
    settings.QIC_SESSION_IDLE_SECONDS = 12  # warned 3 s before
    page = sign_in("trinome@demo.qic.fr")
    editor = _open_narrative(page, live_server)
    for _ in range(14):  # 14 seconds of writing, longer than the idle limit
        editor.press("End")
        editor.type(".")
        page.wait_for_timeout(1_000)
    expect(page.get_by_role("dialog")).to_be_hidden()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Votre session va bientôt se fermer", timeout=20_000)
    dialog.get_by_role("button", name="Rester connecté·e").click()
    expect(dialog).to_be_hidden()
    expect(editor).to_be_focused()  # the keyboard is back where it was
    page.wait_for_timeout(4_000)  # past the limit the warning announced (3 s after it opened)
    _save(page)
    expect(page.locator("#narrative-panel")).to_contain_text("pas encore enregistré.")
    expect(page).to_have_url(f"{live_server.url}{WORKSPACE}")


def test_a_failed_request_says_nothing_was_saved_and_keeps_the_text(demo, sign_in, live_server):
    page = sign_in("trinome@demo.qic.fr")
    editor = _open_narrative(page, live_server)
    page.route(
        "**/vision/recit/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    _save(page)
    failure = page.locator("#narrative-panel .qic-request-failed")
    expect(failure).to_contain_text("Rien n’a été enregistré : le serveur n’a pas pu être joint")
    expect(editor).to_have_value(TEXT)
    page.unroute("**/vision/recit/")
    page.route(
        "**/vision/recit/",
        lambda route: (
            route.fulfill(status=502, body="Bad gateway")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    _save(page)
    expect(failure).to_contain_text("le serveur a rencontré une erreur (502)")
    check_accessibility(page, "a failed save")
    page.unroute("**/vision/recit/")
    _save(page)
    expect(page.locator("#narrative-panel")).to_contain_text("long, précieux")
    expect(page.locator(".qic-request-failed")).to_have_count(0)


def test_a_page_left_open_across_a_new_sign_in_gives_the_text_back(demo, sign_in, live_server, context):
    page = sign_in("trinome@demo.qic.fr")
    _open_narrative(page, live_server)
    # In another tab of the same browser: sign out, sign in again (a new session, a new security token).
    other = context.new_page()
    other.goto(f"{live_server.url}/comptes/logout/")
    other.locator("main").get_by_role("button", name="Se déconnecter").click()
    other.goto(f"{live_server.url}/comptes/login/")
    _sign_in_again(other)
    other.close()
    _save(page)
    expect(page.locator(".fr-alert--warning").first).to_contain_text("n’était plus à jour")
    editor = page.get_by_role("textbox", name="Récit de la stratégie")
    expect(editor).to_have_value(TEXT)
    _save(page)
    expect(page.locator("#narrative-panel")).to_contain_text("long, précieux")


def test_leaving_a_form_with_text_not_yet_sent_asks_first(demo, sign_in, live_server):
    page = sign_in("trinome@demo.qic.fr")
    editor = _open_narrative(page, live_server)
    questions = []

    def answer(dialog, accept):
        questions.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    # « Annuler » would replace the editor: asked, and refused, nothing changes.
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.locator("#narrative-panel").get_by_role("link", name="Annuler").click()
    expect(editor).to_have_value(TEXT)
    assert questions == [("confirm", "Ce que vous avez saisi n’a pas été enregistré. L’abandonner\u202f?")]
    # Leaving the page: the browser asks; staying keeps the text.
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("link", name="Mes sites").first.click()
    expect(editor).to_have_value(TEXT)
    assert questions[-1][0] == "beforeunload"
    # Accepted, the editor closes without saving.
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.locator("#narrative-panel").get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("textbox", name="Récit de la stratégie")).to_have_count(0)
    expect(page.locator("#narrative-panel")).not_to_contain_text("long, précieux")
    # Nothing typed: no question.
    page.get_by_role("link", name="Mes sites").first.click()
    expect(page).to_have_url(re.compile(r"/sites/$"))
    assert len(questions) == 3


def test_saving_a_shared_text_emptied_asks_first(demo, sign_in, live_server):
    from vision.models import ChangeStrategy

    page = sign_in("trinome@demo.qic.fr")
    stored = ChangeStrategy.objects.get(site__slug="saint-etienne").narrative
    assert stored.strip()
    page.goto(f"{live_server.url}{WORKSPACE}")
    page.locator("a[href$='/vision/recit/']").first.click()
    editor = page.get_by_role("textbox", name="Récit de la stratégie")
    expect(editor).to_have_value(stored)
    editor.fill("   ")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # Refused: nothing is sent, the editor stays open, the saved text is intact.
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    _save(page)
    assert questions == [
        "Le texte «\u00a0Récit de la stratégie\u00a0» va être effacé\u00a0: il ne restera rien de ce qui y "
        "était écrit, pour personne. Enregistrer quand même\u202f?"
    ]
    expect(editor).to_be_visible()
    assert ChangeStrategy.objects.get(site__slug="saint-etienne").narrative == stored
    # Confirmed: erased, as asked.
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    _save(page)
    expect(page.locator("#narrative-panel")).to_contain_text("pas encore écrit")
    assert ChangeStrategy.objects.get(site__slug="saint-etienne").narrative == ""
    # A text written, not emptied: no question.
    page.locator("a[href$='/vision/recit/']").first.click()
    page.get_by_role("textbox", name="Récit de la stratégie").fill(TEXT)
    _save(page)
    expect(page.locator("#narrative-panel")).to_contain_text("long, précieux")
    assert len(questions) == 2
