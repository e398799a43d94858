"""Pages read again before any data changed come from the cache (qic.fragments.cached_page): as fresh as a
rendered page after any write, each person's and each browser's own, and never in the way of a message."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.collectives.factories import PASSWORD

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}

pytestmark = pytest.mark.usefixtures("page_cache")


@pytest.fixture
def page_cache(settings):
    settings.QIC_PAGE_CACHE = True


def browser(user, enforce_csrf_checks=False):
    """A browser of its own (its own CSRF secret), signed in with the password as a person would."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    client.get(reverse("accessibility"))  # shows (and so clears) the "signed in" message
    client.handler.enforce_csrf_checks = enforce_csrf_checks
    return client


def workspace(world):
    return reverse("vision:workspace", kwargs={"site_slug": world.site_a.slug})


def test_a_page_read_again_is_served_from_the_cache(world, django_assert_max_num_queries):
    client = browser(world.seat_holder_a)
    first = client.get(workspace(world))
    assert first.status_code == 200 and first.context is not None  # rendered
    with django_assert_max_num_queries(6):  # the session, the person, the site and rights: not the page's
        again = client.get(workspace(world))
    assert again.context is None  # not rendered
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == first["Cache-Control"]  # the headers of every authenticated page


def test_any_write_shows_on_the_next_page(world):
    from vision.models import ContextFactor

    client = browser(world.seat_holder_a)
    client.get(workspace(world))
    ContextFactor.objects.create(
        site=world.site_a, kind="positive", text="Un tissu associatif dense", position=1
    )
    assert "Un tissu associatif" in client.get(workspace(world)).content.decode()
    ContextFactor.objects.filter(site=world.site_a).update(text="Des associations nombreuses")  # no signal
    assert "Des associations nombreuses" in client.get(workspace(world)).content.decode()


def test_a_form_of_a_cached_page_posts_from_each_browser(world):
    """The forms carry CSRF tokens made from each browser's secret: a phone does not get the laptop's page."""
    laptop = browser(world.seat_holder_a, enforce_csrf_checks=True)
    phone = browser(world.seat_holder_a, enforce_csrf_checks=True)
    laptop.get(workspace(world))
    pages = {laptop: laptop.get(workspace(world)), phone: phone.get(workspace(world))}
    assert pages[laptop].context is None  # the laptop's own copy
    for client, text in ((phone, "Des écoles engagées"), (laptop, "Un marché animé")):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pages[client].content.decode())[1]
        response = client.post(
            reverse("vision:factor_add", kwargs={"site_slug": world.site_a.slug}),
            {"kind": "positive", "text": text, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302, response.status_code
        assert text in client.get(workspace(world)).content.decode()


def test_each_person_gets_their_own_page(world):
    seat_holder, partner = browser(world.seat_holder_a), browser(world.partner_a)
    mine = seat_holder.get(workspace(world)).content.decode()
    theirs = partner.get(workspace(world)).content.decode()
    assert "Ajouter" in mine and 'name="text"' in mine  # a seat holder edits
    assert 'name="text"' not in theirs  # a partner reads
    assert partner.get(workspace(world)).content.decode() == theirs


def test_a_waiting_message_is_shown_not_a_cached_page(world, monkeypatch):
    from qic import fragments

    client = browser(world.seat_holder_a)
    monkeypatch.setattr(fragments, "version", lambda: 1)  # as if nothing were written from now on
    client.get(workspace(world))
    assert client.get(workspace(world)).context is None  # cached
    response = client.post(  # without HTMX: saved, then back to the page with a message
        reverse("vision:factor_add", kwargs={"site_slug": world.site_a.slug}),
        {"kind": "positive", "text": "Un marché animé"},
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Le facteur est ajouté." in page.content.decode()
    assert page.context is not None


def test_a_removed_right_is_refused_on_the_next_request(world):
    client = browser(world.seat_holder_a)
    assert client.get(workspace(world)).status_code == 200
    from collectives.models import Membership

    Membership.objects.filter(user=world.seat_holder_a, site=world.site_a).delete()
    assert client.get(workspace(world)).status_code in (403, 404)


@override_settings(CACHES=LOCMEM)
def test_the_cache_is_off_without_the_setting(world, settings):
    settings.QIC_PAGE_CACHE = False
    client = browser(world.seat_holder_a)
    client.get(workspace(world))
    assert client.get(workspace(world)).context is not None
