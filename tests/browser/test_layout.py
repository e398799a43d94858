"""Layout of every page: the URL walk of tests/test_tenancy.py on the demo data, on a phone (390 px) and a
desk (1280 px), in the DSFR's light and dark themes. It fails when content is drawn over other content or over
the footer, when the page scrolls sideways, when a button's label is cut to its icon, when text falls under
4.5:1 contrast (axe-core's color-contrast rule) or a chart's lines and bars under 3:1, and when axe-core
finds any violation of its other WCAG 2.1 A and AA rules and best practices, whatever its impact (once a
page, at the desk width, and on a phone a table too wide to show that a keyboard cannot scroll:
tests/browser/test_accessibility.py checks the pages this walk does not open). With
$QIC_LAYOUT_SHOTS set, a screenshot of each page, width and theme is kept there for people to look at (none
otherwise: 504 full-page captures took a fifth of the check's time, and nobody looks at them in CI).
QIC_LAYOUT_PAGES=name,name looks at those only.

Who opens what: national staff open every page (they see the most: every site, every form); the other roles
open the pages whose content depends on who looks (ROLE_PAGES); anonymous visitors open the public pages. Each
page is loaded once per role, then measured at each width and in each theme (see `_look`), in one browser
context whose session cookie is swapped from role to role: the DSFR's style sheets, fonts and icons are
fetched once, not once per role. The pages are shared out in PARTS tests (every role in each), so that
pytest-xdist's two workers each take some: as one test, it was a 6-minute tail on one worker.
"""

import base64
import os
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse
from playwright.sync_api import Error as PlaywrightError

from collectives.models import User
from sites.models import Site
from tests.browser.conftest import AXE
from tests.test_tenancy import RULES

pytestmark = pytest.mark.browser

LAYOUT_JS = Path(__file__).with_name("layout.js")
WINDOW = {"width": 1280, "height": 800}
WIDTHS = {1280: 800, 390: 844}  # width: height of the window
THEMES = ("light", "dark")
PARTS = 4
# URLs that answer a file (PDF, CSV, XLSX, SVG, iCalendar, JSON), not a page.
FILES = frozenset(
    {
        "health",
        "person_export",
        "sites:import_template",
        "sites:dashboard_export",
        "collectives:handover_pack",
        "collectives:agreement_pdf",
        "reports:download",
        "reports:site_download",
        "vision:diagram_svg",
        "sessions:calendar_feed",
        "sessions:sign_in_sheet",
        "help:guide",
        "opendata:file",
        "security:session_state",  # the session's clock, JSON for static/js/session.js
    }
    # The partner API answers JSON (its documentation is Swagger UI's page, drawn by Swagger UI); revoking a
    # key is a POST.
    | {name for name in RULES if name.startswith("api:")}
    | {"api_key_revoke"}
)
# Pages looked at with a query string (the search's results, grouped by kind).
QUERIES = {"evaluation:search": "?q=habitants"}
ROLES = {
    "national": "national@demo.qic.fr",
    "comite": "comite@demo.qic.fr",
    "crpv": "crpv@demo.qic.fr",
    "trinome": "trinome@demo.qic.fr",
    "partenaire": "partenaire@demo.qic.fr",
}
# The pages whose content depends most on who looks: where each role lands, the lists filtered by role, the
# pages with role-bound tools (the trinôme approves, a partner reads). The other pages differ by role only in
# the buttons national staff have in addition: they are looked at once, by national staff (CI's time budget).
ROLE_PAGES = frozenset(
    {
        "home",
        "sites:list",
        "sites:detail",
        "evaluation:due",
        "evaluation:learnings",
        "vision:workspace",
        "sessions:list",
        "reports:archive",
        "help:index",
    }
)

SET_THEME = """theme => {
    document.documentElement.setAttribute('data-fr-scheme', theme);
    document.documentElement.setAttribute('data-fr-theme', theme);
    return Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
}"""
# axe-core's options of its color-contrast check (4.5:1, 3:1 for large text), but for the pseudo-elements: the
# DSFR draws its icons with them, beside the text, and axe-core would leave the text of every icon unchecked.
# `rules` "every": axe-core's other rules too (those of tests/browser/conftest.py's check) in the same run:
# every violation, whatever its impact, the "moderate" ones (a heading level skipped, two search landmarks of
# the same name) included. One run rather than two: axe-core reads the whole page for each. "narrow": on a
# phone, the rule whose result depends on the width: a table wider than the screen scrolls, and a keyboard
# must reach it to scroll it.
AXE_RUN = """async (rules) => {
    axe.configure({checks: [{id: 'color-contrast', options: {
        ignoreUnicode: true, ignoreLength: false, ignorePseudo: true, boldValue: 700, boldTextPt: 14,
        largeTextPt: 18, contrastRatio: {normal: {expected: 4.5}, large: {expected: 3}},
        pseudoSizeThreshold: 0.25, shadowOutlineEmMax: 0.2, textStrokeEmMin: 0.03}}]});
    qicLayout.flatten();
    const runOnly = {
        every: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
        contrast: {type: 'rule', values: ['color-contrast']},
        narrow: {type: 'rule', values: ['scrollable-region-focusable']},
    }[rules];
    const result = await axe.run(document, {runOnly, resultTypes: ['violations']})
        .finally(qicLayout.restore);
    const contrast = result.violations.filter(v => v.id === 'color-contrast');
    return {
        contrast: contrast.flatMap(v => v.nodes).map(n => {
            const data = (n.any[0] || {}).data || {};
            return `${data.contrastRatio}:1 (${data.fgColor} on ${data.bgColor}) ${n.target.join(' ')}`;
        }),
        others: result.violations.filter(v => v.id !== 'color-contrast').map(v => `${v.id} (${v.impact}): `
            + `${v.help}: ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')),
    };
}"""


def _walk_world():
    """What the tenancy rules' URL arguments read: site B is Saint-Étienne, the demo's fullest site."""
    site = Site.objects.get(slug="saint-etienne")
    trinome = User.objects.get(email="trinome@demo.qic.fr")
    return SimpleNamespace(
        site_b=site,
        site_a=Site.objects.exclude(pk=site.pk).order_by("pk").first(),
        seat_holder_b=trinome,
        seat_holder_a=trinome,
        national=User.objects.get(email="national@demo.qic.fr"),
    )


def _pages(world, only):
    """(role, URL) of every page to look at (of the URL names in `only`, when given)."""
    for name, rule in RULES.items():
        if only and name not in only:
            continue
        if name in FILES or rule.kind == "sign_in_flow" or (rule.kind == "site" and not rule.readers):
            continue
        url = reverse(name, kwargs=rule.kwargs(world)) + QUERIES.get(name, "")
        if rule.kind == "public":
            yield "anonyme", url
        else:
            yield from ((role, url) for role in (ROLES if name in ROLE_PAGES else ["national"]))


def new_context(browser):
    """A browser context with axe-core and layout.js in each of its pages."""
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", reduced_motion="reduce", viewport=WINDOW
    )
    context.add_init_script(path=str(AXE))
    context.add_init_script(path=str(LAYOUT_JS))
    return context


class Tab:
    """A browser tab, with its DevTools session (for screenshots), signed in as `role` (`sign_in`)."""

    def __init__(self, context):
        self.context, self.role = context, None
        self._open()

    def _open(self):
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)

    def sign_in(self, role, cookie, url):
        """Signs the tab's context in as `role` with its session cookie (none: anonymous)."""
        if role != self.role:
            self.context.clear_cookies()
            if cookie is not None:
                self.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])
            self.role = role

    def goto(self, url):
        """The page's response, or None for an empty error answer (a POST-only URL answering 405 to GET)."""
        try:
            return self.page.goto(url)
        except PlaywrightError as error:
            if "ERR_HTTP_RESPONSE_CODE_FAILURE" not in str(error):
                raise
            self.page.close()  # it is still drawing Chromium's error page
            self._open()
            return None

    def screenshot(self, path: Path):
        """The whole page, drawn beyond the window (whose height is kept: `vh` units keep their size), in
        Chromium's fast PNG encoding: half the time of Playwright's full-page screenshot."""
        width, height = self.page.evaluate("[innerWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        options = {"format": "png", "optimizeForSpeed": True, "captureBeyondViewport": True, "clip": clip}
        path.write_bytes(base64.b64decode(self.cdp.send("Page.captureScreenshot", options)["data"]))


def _steps(first_width: int, first_theme: str | None, shots: bool) -> list[tuple[int, str]]:
    """(width, theme) in the order a page is looked at.

    Geometry (overlaps, sideways scrolling) does not depend on the theme: it is measured once per width, in
    whichever theme is on. Colours do not depend on the width: contrast is measured once per theme, at the
    desk width. Starting from the width and theme the tab has (the last page's width, the theme a page
    opens in), that is one resize and one theme change a page. With screenshots, every width in every
    theme."""
    desk = max(WIDTHS)
    if shots:
        return [(width, theme) for width in WIDTHS for theme in (THEMES if width == desk else THEMES[::-1])]
    theme = first_theme if first_theme in THEMES else THEMES[0]
    steps = []
    for width in sorted(WIDTHS, key=lambda width: width != first_width):
        if width == desk:
            others = [other for other in THEMES if other != theme]
            steps += [(width, theme), *((width, other) for other in others)]
            theme = others[-1]
        else:
            steps.append((width, theme))
    return steps


def _look(tab: Tab, shots: Path | None, label: str) -> list[str]:
    """The page loaded in `tab` at each width and in each theme (`_steps`): what is wrong, and a screenshot
    of each (in `shots`, when given)."""
    page, problems, measured, checked = tab.page, {}, set(), False
    width = page.viewport_size["width"]
    theme = page.evaluate("document.documentElement.getAttribute('data-fr-theme')")
    for step_width, step_theme in _steps(width, theme, shots is not None):
        if step_width != width:
            width = step_width
            page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        if step_theme != theme:
            theme = step_theme
            page.evaluate(SET_THEME, theme)
        found = []  # (what, where)
        if width not in measured:
            measured.add(width)
            if width == min(WIDTHS):
                found += [(f"accessibility {v}", width) for v in page.evaluate(AXE_RUN, "narrow")["others"]]
            layout = page.evaluate("qicLayout.measure()")
            if layout["sideways"]:
                wide = ", ".join(layout["wide"])
                found.append((f"scrolls sideways by {layout['sideways']} px: {wide}", width))
            found += [(f"{a} overlaps {b}", width) for a, b in layout["overlaps"]]
            found += [(f"{a} is drawn under the footer", width) for a in layout["footer"]]
            found += [(f"{a} has its label cut (its icon alone shows)", width) for a in layout["cut"]]
        if width == max(WIDTHS):
            axe = page.evaluate(AXE_RUN, "contrast" if checked else "every")  # every rule at the first look
            checked = True
            found += [(f"accessibility {violation}", width) for violation in axe["others"]]
            found += [(f"text contrast {c}", theme) for c in axe["contrast"]]
            found += [(f"chart contrast {c}", theme) for c in page.evaluate("qicLayout.graphics()")]
        for problem, where in found:
            problems.setdefault(problem, []).append(f"{where} px" if where == width else where)
        if shots is not None:
            tab.screenshot(shots / f"{label.replace(' ', '--').replace(':', '-')}--{width}-{theme}.png")
    return [f"{label} ({', '.join(where)}): {problem}" for problem, where in problems.items()]


def _session_cookie(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies[settings.SESSION_COOKIE_NAME]


def walk(browser, live_server, shots: Path | None, part: int = 0, parts: int = 1) -> tuple[list[str], int]:
    """Look at every page of every role (of one part of them): what is wrong, and how many pages were looked
    at."""
    only = {name for name in os.environ.get("QIC_LAYOUT_PAGES", "").split(",") if name}
    # One role after the other, then every `parts`-th page from `part`.
    pages = sorted(_pages(_walk_world(), only), key=lambda item: item[0])[part::parts]
    cookies = {role: _session_cookie(email) for role, email in ROLES.items() if role in {r for r, _ in pages}}
    tab, problems, seen = Tab(new_context(browser)), [], set()
    for role, url in pages:
        tab.sign_in(role, cookies.get(role), live_server.url)
        response = tab.goto(live_server.url + url)
        if response is None or response.status in (403, 404, 405):
            continue  # not this role's page (the tenancy test checks who may see what)
        content_type = response.headers.get("content-type", "")
        if response.status != 200 or not content_type.startswith("text/html"):
            problems.append(f"{role} {url}: {response.status} {content_type} (a file? list it in FILES)")
            continue
        path = urlsplit(response.url).path
        if (role, path) in seen:  # a redirection to a page already looked at (home)
            continue
        seen.add((role, path))
        problems += _look(tab, shots, f"{role} {resolve(path).view_name}")
    tab.context.close()
    return problems, len(seen)


@pytest.mark.parametrize("part", range(PARTS))
def test_every_page_holds_its_layout(live_server, demo, browser, capsys, part):
    shots = Path(os.environ["QIC_LAYOUT_SHOTS"]) if os.environ.get("QIC_LAYOUT_SHOTS") else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    problems, looked = walk(browser, live_server, shots, part, PARTS)
    with capsys.disabled():
        took = time.monotonic() - started
        where = f", screenshots in {shots}" if shots else " (QIC_LAYOUT_SHOTS=folder keeps screenshots)"
        print(f"\nLayout, part {part + 1} of {PARTS}: {looked} pages looked at in {took:.0f} s{where}")
    assert not problems, f"{len(problems)} layout faults:\n" + "\n".join(problems)


FAULTY = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Une page mal faite</title>
<style>
  body { margin: 0; font: 16px sans-serif; background: #fff; color: #161616 }
  .over { margin-top: -2.5em } .pale { color: #bbb } .wide { width: 1500px } .dark { background: #161616 }
  footer { margin-top: -2em; background: #eee }
  .icon-only { max-width: 40px; overflow: hidden; white-space: nowrap }
</style></head><body><main>
  <h1>Une page mal faite</h1>
  <h3>Un niveau de titre sauté</h3>
  <form role="search"><input type="search" aria-label="Chercher"></form>
  <form role="search"><input type="search" aria-label="Chercher encore"></form>
  <p>Un paragraphe</p><p class="over">posé sur le précédent</p>
  <p class="pale">Un texte trop pâle</p>
  <div class="wide">Un bloc plus large que l’écran</div>
  <div style="overflow-x: auto"><table><caption>Un tableau</caption><thead><tr><th>Colonne</th></tr></thead>
    <tbody><tr><td style="min-width: 900px">Trop large pour un téléphone</td></tr></tbody></table></div>
  <div class="dark"><svg role="img" width="200" height="60"><title>Une courbe</title>
    <polyline points="0,10 100,50 200,20" fill="none" stroke="#000091" stroke-width="3"/></svg></div>
  <button class="fr-btn--icon-left icon-only">Confirmer</button>
  <p>Le dernier paragraphe</p>
</main><footer class="fr-footer"><p>Le pied de page, remonté sur le contenu</p></footer></body></html>"""


def test_the_layout_check_finds_each_fault(browser, tmp_path):
    tab = Tab(new_context(browser))
    html = "text/html; charset=utf-8"
    tab.page.route("http://qic.test/", lambda route: route.fulfill(body=FAULTY, content_type=html))
    faults = (
        "<p.over> « posé sur le précédent » overlaps <p> « Un paragraphe »",
        "<p> « Le dernier paragraphe » is drawn under the footer",
        "(1280 px): scrolls sideways by 220 px: <div.wide> « Un bloc plus large que l’écran »",
        "(390 px): scrolls sideways by 1110 px: <div.wide>",
        "<button.fr-btn--icon-left.icon-only> « Confirmer » has its label cut (its icon alone shows)",
        "(light, dark): text contrast 1.91:1 (#bbbbbb on #ffffff) .pale",
        "(light, dark): chart contrast « Une courbe »: <polyline> in rgb(0,0,145) on rgb(22,22,22): 1.21:1",
        "(390 px): accessibility scrollable-region-focusable (serious): Scrollable region must have keyboard "
        "access: div:nth-child(9)",
        "(1280 px): accessibility heading-order (moderate): Heading levels should only increase by one: h3",
        "(1280 px): accessibility landmark-unique (moderate): Landmarks should have a unique role or "
        "role/label/title (i.e. accessible name) combination: form",
    )
    # Without screenshots (CI), from either width: each width and theme is looked at once, every fault found.
    for width in (390, 1280):
        tab.page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        tab.page.goto("http://qic.test/")
        problems = "\n".join(_look(tab, None, "faulty page"))
        for fault in faults:
            assert fault in problems, problems
    assert _steps(1280, "light", shots=False) == [(1280, "light"), (1280, "dark"), (390, "dark")]
    assert _steps(390, "light", shots=False) == [(390, "light"), (1280, "light"), (1280, "dark")]
    # With screenshots: one of each width in each theme.
    tab.page.goto("http://qic.test/")
    problems = "\n".join(_look(tab, tmp_path, "faulty page"))
    tab.context.close()
    for fault in faults:
        assert fault in problems, problems
    assert len(list(tmp_path.glob("faulty--page--*.png"))) == 4
