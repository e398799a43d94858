"""The editors work with the keyboard alone: after signing in, the trinôme edits the vision and a strategy
item with Tab, Shift+Tab, Enter and typing only (no click), saves, and reads what it saved; every control it
lands on shows where the focus is."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WORKSPACE = "/sites/saint-etienne/vision/"
DANGLING = "Les habitants connaissent leurs droits et les démarches en ligne"
NEW_STATEMENT = "En 2040, chaque habitant de Montreynaud choisit d’y rester et y fait vivre ses projets."
NEW_TITLE = "Les habitants connaissent leurs droits et font leurs démarches en ligne"

# What the focused element says about itself: its tag, visible text, title, label and value.
DESCRIBE_FOCUS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return "";
    const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
    return [e.tagName, (e.innerText || "").trim(), e.getAttribute("title") || "", label.trim()].join(" | ");
}"""

# Is the focus drawn? The DSFR's :focus-visible outline.
FOCUS_STYLE = """() => {
    const style = getComputedStyle(document.activeElement);
    return {outline: style.outlineStyle, width: style.outlineWidth};
}"""


def focused(page) -> str:
    return page.evaluate(DESCRIBE_FOCUS)


def assert_focus_is_visible(page):
    style = page.evaluate(FOCUS_STYLE)
    outlined = style["outline"] != "none" and style["width"] not in ("0px", "")
    assert outlined, f"no visible focus on {focused(page)}: {style}"


def tab_to(page, wanted: str, *, backwards=False, limit=300) -> str:
    """Press Tab (or Shift+Tab) until the focused element describes itself with `wanted`."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        description = focused(page)
        if wanted in description:
            assert_focus_is_visible(page)
            return description
        seen.append(description)
    raise AssertionError(f"{wanted!r} never got the focus with {key}; last stops: {seen[-8:]}")


def test_the_trinome_edits_the_vision_and_a_strategy_item_with_the_keyboard_alone(
    demo, sign_in, live_server, page
):
    sign_in("trinome@demo.qic.fr")
    page.goto(f"{live_server.url}{WORKSPACE}")
    expect(page.get_by_role("heading", name=DANGLING)).to_be_visible()

    # The vision: open its editor in place, rewrite the sentence, save.
    tab_to(page, "Modifier la vision")
    page.keyboard.press("Enter")
    statement = page.get_by_label("Énoncé de la vision")
    expect(statement).to_be_focused()  # the editor takes the focus where the button was
    assert_focus_is_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_STATEMENT)
    tab_to(page, "Enregistrer la vision")
    page.keyboard.press("Enter")
    expect(page.locator("#vision-panel")).to_contain_text(NEW_STATEMENT)
    expect(page.get_by_label("Énoncé de la vision")).to_have_count(0)
    # Saved, the focus is back on the button that opened the editor, drawn (static/js/focus.js: it fell to the
    # top of the page). The outline belongs to the focus: once the focus moves on, the button has none.
    unfocused = page.get_by_role("link", name="Modifier la vision")
    expect(unfocused).to_be_focused()
    assert_focus_is_visible(page)
    page.keyboard.press("Tab")
    assert (
        unfocused.evaluate("e => e !== document.activeElement && getComputedStyle(e).outlineStyle") == "none"
    )

    # A strategy item: reach its "Modifier" button, going back once with Shift+Tab from the next one.
    tab_to(page, f"Relier « {DANGLING[:45]}")
    tab_to(page, f"Modifier « {DANGLING[:45]}", backwards=True)
    page.keyboard.press("Enter")
    title = page.get_by_label("Intitulé du changement")
    expect(title).to_have_value(DANGLING)
    if "Intitulé du changement" not in focused(page):
        tab_to(page, "Intitulé du changement")
    expect(title).to_be_focused()
    assert_focus_is_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_TITLE)
    tab_to(page, "Description (facultatif)")
    page.keyboard.type("Avec les conseillers numériques de la médiathèque.")
    description = tab_to(page, "Enregistrer")
    assert description.startswith("BUTTON | Enregistrer")
    page.keyboard.press("Enter")
    card = page.locator("li.qic-change", has=page.get_by_role("heading", name=NEW_TITLE, exact=True))
    expect(card).to_contain_text("Avec les conseillers numériques de la médiathèque.")
    expect(page.get_by_label("Intitulé du changement")).to_have_count(0)

    # Saved for real: a fresh page shows both edits.
    page.reload()
    expect(page.locator("#vision-panel")).to_contain_text(NEW_STATEMENT)
    expect(page.get_by_role("heading", name=NEW_TITLE, exact=True)).to_be_visible()


def test_the_header_search_answers_as_one_types_and_is_walked_with_the_arrows(
    demo, sign_in, live_server, page
):
    sign_in("trinome@demo.qic.fr")
    page.set_viewport_size({"width": 1280, "height": 800})
    box = page.locator(".fr-header__tools-links").get_by_role(
        "searchbox", name="Rechercher sur la plateforme"
    )
    box.focus()
    page.keyboard.type("saint")
    panel = page.locator(".fr-header__tools-links .qic-search-panel")
    expect(panel.get_by_role("link", name="Saint-Étienne").first).to_be_visible()  # instant, no Enter
    page.keyboard.press("ArrowDown")
    assert focused(page).startswith("A | Saint-Étienne")
    assert_focus_is_visible(page)
    page.keyboard.press("Escape")
    expect(box).to_be_focused()
    expect(panel.get_by_role("link")).to_have_count(0)
    page.keyboard.press("Enter")  # the full results page, without JavaScript's help
    expect(page.get_by_role("heading", name="Sites")).to_be_visible()
    # On a phone the box sits in the DSFR menu (its copy of the header's tools) and answers as well.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Menu").click()
    mobile = page.locator(".fr-header__menu-links").get_by_role("searchbox")
    mobile.fill("montreynaud")
    menu_panel = page.locator(".fr-header__menu-links .qic-search-panel")
    expect(menu_panel.get_by_role("link").first).to_be_visible()
