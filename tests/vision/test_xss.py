"""Every text field of the workspace gets XSS payloads; everything comes out inert (escaped or sanitised)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from qic.sanitize import render_markdown
from vision import services
from vision.models import Change

pytestmark = [pytest.mark.django_db, pytest.mark.every_database]

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "[cliquez](javascript:alert(1))",
    '<a href="javascript:alert(1)">lien</a>',
    "**<b onmouseover=alert(1)>gras</b>**",
    "<style>body{display:none}</style>",
    "javascript:alert(1)",
    '[x](https://exemple.fr" onclick="alert(1))',
]
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "base", "frame", "applet"}


class _Checker(HTMLParser):
    """Collects whatever in a page could run: event handlers, script URLs, inline or foreign scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not (attrs.get("src") or "").startswith("/static/"):
                self.problems.append(f"script {attrs}")
        if tag == "img" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append(f"img {attrs}")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:text", "vbscript:")):
                self.problems.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append("inline script")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value or "" for name, value in attrs if name == "href")


def live_parts(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    return checker.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_output_is_inert(payload):
    html = str(render_markdown(f"{payload}\n\n- {payload}\n\n### {payload}"))
    assert live_parts(html) == [], html
    links = _Links()
    links.feed(html)
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in links.hrefs), links.hrefs


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_text_field_comes_out_inert(client, world, payload):
    site, user = world.site_a, world.seat_holder_a
    services.save_statement(site, user, expected_version=1, statement=payload, horizon_year=2045)
    services.add_factor(site, user, kind="positive", text=payload)
    services.add_factor(site, user, kind="negative", text=payload)
    ultimate = services.add_change(site, user, level="ultimate", register="knowledge", title=payload,
                                   description=payload, to_vision=True)  # fmt: skip
    direct = services.add_change(site, user, level="direct", register="knowledge", title=payload + " 2",
                                 description=payload, targets=[ultimate])  # fmt: skip
    services.add_action(site, user, name=payload, lead_organisation=payload, status="running",
                        description=payload, changes=[direct])  # fmt: skip
    services.save_narrative(site, user, expected_version=1, narrative=f"{payload}\n\n- {payload}")
    services.add_comment(site, world.partner_a, body=payload)
    services.add_comment(site, world.partner_a, body=payload, change=direct)
    services.edit_change(
        direct, user, expected_version=direct.version, level="direct", register="knowledge",
        title=payload + " 3", description=payload, targets=[ultimate], to_vision=False,
    )  # fmt: skip
    world.login(client, world.seat_holder_a)
    head = services.head(site).number
    pages = [
        reverse("vision:workspace", kwargs={"site_slug": site.slug}),
        reverse("vision:diagram", kwargs={"site_slug": site.slug}),
        reverse("vision:diagram_svg", kwargs={"site_slug": site.slug}),
        reverse("vision:history", kwargs={"site_slug": site.slug}),
        reverse("vision:compare", kwargs={"site_slug": site.slug}) + f"?de=1&a={head}",
        reverse("vision:revision", kwargs={"site_slug": site.slug, "number": head}),
        reverse("vision:change_comments", kwargs={"site_slug": site.slug, "change_id": direct.pk}),
        reverse("vision:change_edit", kwargs={"site_slug": site.slug, "change_id": direct.pk}),
        reverse(
            "vision:action_edit", kwargs={"site_slug": site.slug, "action_id": site.partner_actions.get().pk}
        ),
        reverse("sites:detail", kwargs={"site_slug": site.slug}),
    ]
    for page in pages:
        html = client.get(page).content.decode()
        assert live_parts(html) == [], page
        assert payload not in html or not re.search(r"[<>]", payload), f"{page} shows the payload unescaped"
    assert Change.objects.filter(site=site).count() == 2
