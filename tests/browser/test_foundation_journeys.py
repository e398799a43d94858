"""What a newcomer meets first: each role lands on its own start page; other sites stay closed."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WAVE_1 = [
    "Le Teil", "Montélimar", "Pont-de-Claix", "Saint-Étienne", "Château-Thierry",
    "Condé-sur-l’Escaut", "Hazebrouck", "Liévin", "Koungou",
]  # fmt: skip


def test_national_staff_see_every_wave_1_site(demo, sign_in, live_server):
    page = sign_in("national@demo.qic.fr")
    expect(page).to_have_url(re.compile(r"/sites/tableau-de-bord/$"))
    page.get_by_label("Vague", exact=True).select_option(label="Vague 1")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"vague=1"))
    table = page.locator("#sites-table")
    for name in WAVE_1:
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(9)


def test_trinome_lands_on_its_site_and_cannot_open_another(demo, sign_in, live_server):
    page = sign_in("trinome@demo.qic.fr")
    expect(page).to_have_url(re.compile(r"/sites/saint-etienne/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Étienne")
    expect(page.locator(".fr-card", has_text="Société civile")).to_contain_text("Nadia Haddad")
    # What awaits the trinôme: on a desk beside the vision, at the top of the side column; on a phone, first,
    # before the vision and the journal (it came after the whole main column, 2,800 px down).
    todo = page.get_by_role("region", name="À faire")
    vision = page.get_by_role("link", name="Vision et stratégie de changement")
    side = page.get_by_role("region", name="Statut")
    desk_todo, desk_vision = todo.bounding_box(), vision.bounding_box()
    assert desk_todo["x"] > desk_vision["x"] + desk_vision["width"], (desk_todo, desk_vision)
    assert abs(desk_todo["y"] - desk_vision["y"]) < 100, (desk_todo, desk_vision)
    assert side.bounding_box()["y"] > desk_todo["y"] + desk_todo["height"]
    page.set_viewport_size({"width": 390, "height": 844})
    phone_todo = todo.bounding_box()
    assert phone_todo["y"] + phone_todo["height"] < vision.bounding_box()["y"]
    assert phone_todo["y"] < 844, phone_todo  # in the first screen
    expect(todo.get_by_role("link").first).to_be_in_viewport()
    response = page.goto(f"{live_server.url}/sites/liévin/".replace("é", "e"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")


def test_wrong_password_is_explained_in_french(demo, sign_in):
    page = sign_in("trinome@demo.qic.fr", password="pas-le-bon")
    expect(page.get_by_role("alert")).to_contain_text("L’adresse e-mail ou le mot de passe sont incorrects")
