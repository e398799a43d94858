"""Security headers: no caching of private pages, a strict Content-Security-Policy, no framing."""

from django.urls import reverse


def test_authenticated_pages_are_never_cached(client, world):
    client.force_login(world.seat_holder_a)
    response = client.get(world.site_a.get_absolute_url())
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_content_security_policy_allows_no_inline_script_nor_eval(client, db):
    policy = client.get(reverse("account_login")).headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in policy


def test_pages_load_nothing_from_outside(client, world):
    client.force_login(world.national)
    page = client.get(reverse("sites:list")).content.decode()
    assert "cdn" not in page.lower()
    assert 'src="http' not in page
    assert 'href="http' not in page.split("<footer")[0]  # only the footer links to other State sites


def test_htmx_is_served_locally_with_eval_disabled(client, world):
    client.force_login(world.national)
    page = client.get(reverse("sites:list")).content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in page
    assert '"allowEval": false' in page


def test_nosniff_referrer_and_frame_options(client, db):
    response = client.get(reverse("account_login"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
