"""The help, written once (qic/help_topics.toml): beside each step of the method, in the help centre of each
role, in the printable guide; and no page points at a topic that does not exist."""

import pathlib
import re
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

from collectives.guide import AGREEMENT_HELP
from qic import help as help_topics
from qic import text

NBSP = "\u00a0"


def test_every_step_of_the_method_says_what_it_is_for_how_with_an_example_and_the_mistakes():
    method = help_topics.method_topics()
    assert len(method) == 13
    for topic in method:
        assert topic.purpose and topic.steps and topic.example and topic.mistakes, topic.key
        # A real wave 1 example names its public source; otherwise it says it is made up.
        assert topic.example_source or topic.example.startswith("Par exemple, dans un quartier"), topic.key
    for topic in help_topics.topics():
        assert set(topic.roles) <= set(help_topics.AUDIENCES), topic.key
        assert topic.purpose and topic.steps, topic.key
        # Written with plain spaces, shown with French ones (qic.text).
        for written in (topic.question, topic.purpose, topic.example, *topic.steps, *topic.mistakes):
            assert text.typo(written) == written, topic.key
    assert f"contexte{NBSP}: elle" in help_topics.topic("vision").steps[3]


def test_every_help_topic_a_page_names_exists():
    """Templates name topics (`{% help_panel "key" %}`), the agreement names one per part, topics name each
    other: a key that no topic has would break the page (the tag raises) or the link."""
    named = set(AGREEMENT_HELP.values())
    for path in pathlib.Path(settings.BASE_DIR, "templates").rglob("*.html"):
        named |= set(re.findall(r'\{%\s*help_panel\s+"([^"]+)"', path.read_text()))
    for topic in help_topics.topics():
        named |= set(topic.see_also)
    known = {topic.key for topic in help_topics.topics()}
    assert named - known == set()
    # Every step of the method is shown on some page.
    assert {t.key for t in help_topics.method_topics()} <= named


METHOD_PAGES = [
    ("vision:workspace", ("vision", "analyse-de-contexte", "strategie-de-changement")),
    ("collectives:agreement", ("entente-de-cooperation", *AGREEMENT_HELP.values())),
    ("collectives:backbone", ("structure-de-soutien",)),
    ("evaluation:assessments", ("auto-evaluation",)),
    ("evaluation:cycles", ("cycles",)),
    ("evaluation:indicators", ("indicateurs",)),
]


@pytest.mark.parametrize(("url_name", "keys"), METHOD_PAGES)
def test_each_method_page_explains_its_step_in_a_collapsed_accordion(client, world, url_name, keys):
    world.login(client, world.seat_holder_a)

    html = client.get(reverse(url_name, args=[world.site_a.slug])).content.decode()

    for key in keys:
        topic = help_topics.topic(key)
        button = re.search(rf'<button[^>]*aria-controls="aide-{key}"[^>]*>', html)
        assert button and 'aria-expanded="false"' in button.group(0), key
        assert f'id="aide-{key}"' in html and topic.steps[0] in html and topic.mistakes[0] in html
        assert reverse("help:topic", args=[key]) in html


@pytest.mark.parametrize(
    ("user_attr", "audience"),
    [
        ("national", "national"),
        ("steering", "comite"),
        ("facilitator_a", "crpv"),
        ("seat_holder_a", "trinome"),
        ("partner_a", "partenaire"),
    ],
)
def test_the_help_centre_opens_on_the_role_of_who_looks_and_links_to_its_topics(
    client, world, django_assert_max_num_queries, user_attr, audience
):
    world.login(client, getattr(world, user_attr))

    # Session, user, the navigation's "Bilans" entry, whether a member holds a seat; the header's count of
    # unread notifications (issue 18).
    with django_assert_max_num_queries(5):
        response = client.get(reverse("help:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"{help_topics.AUDIENCES[audience]} (vous)" in html
    for topic in help_topics.for_audience(audience):
        assert reverse("help:topic", args=[topic.key]) in html
    others = [t for t in help_topics.topics() if not t.is_method and audience not in t.roles]
    assert all(reverse("help:topic", args=[t.key]) not in html for t in others)
    assert reverse("help:guide") in html


def test_another_roles_help_and_every_topic_page_are_readable(client, world):
    world.login(client, world.partner_a)

    crpv = client.get(reverse("help:audience", args=["crpv"])).content.decode()
    assert help_topics.topic("planifier-une-seance").question in crpv
    assert client.get(reverse("help:audience", args=["inconnu"])).status_code == 404
    assert client.get(reverse("help:topic", args=["inconnu"])).status_code == 404
    for topic in help_topics.topics():
        html = client.get(reverse("help:topic", args=[topic.key])).content.decode()
        assert f"<h1>{topic.title}</h1>" in html
        assert ">Comment faire</h2>" in html


def test_the_header_leads_signed_in_people_to_the_help_centre(client, world):
    world.login(client, world.seat_holder_a)

    html = client.get(reverse("sites:list")).content.decode()

    assert f'href="{reverse("help:index")}">Aide</a>' in html


def test_the_pdf_guide_has_every_chapter_in_marianne(client, world):
    world.login(client, world.seat_holder_a)

    response = client.get(reverse("help:guide"))

    assert response["Content-Type"] == "application/pdf"
    assert "guide-quartiers-a-impact-collectif.pdf" in response["Content-Disposition"]
    content = response.content
    run = {"input": content, "capture_output": True, "check": True}
    pdf_text = " ".join(subprocess.run(["pdftotext", "-", "-"], **run).stdout.decode().split())
    for number, topic in enumerate(help_topics.method_topics(), start=1):
        assert f"{number}. {topic.title}".replace(NBSP, " ") in pdf_text.replace(NBSP, " ")
    assert "Sur la plateforme" in pdf_text
    fonts = subprocess.run(["pdffonts", "-"], **run).stdout.decode().splitlines()[2:]
    assert fonts and all("+Marianne" in line for line in fonts), fonts
