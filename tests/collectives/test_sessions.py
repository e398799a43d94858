"""Sessions: a new key at sign-in, idle and absolute expiry on the server, sign-out and deactivation end them,
a person sees and ends their own sessions, the admin's login is allauth's (rate limited)."""

import re
from urllib.parse import urlencode

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.urls import reverse

from collectives.security.services import AUTHENTICATED_AT_KEY, SEEN_AT_KEY
from tests.qic.test_settings import PROD_ENV, run_manage

LOGIN = reverse("account_login")


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def sign_in(client, user, password, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"):
    response = client.post(LOGIN, {"login": user.email, "password": password}, HTTP_USER_AGENT=user_agent)
    assert response.status_code == 302, response.content
    return client


def shift_clock(client, key, seconds):
    session = client.session
    session[key] -= seconds
    session.save()


def test_session_key_changes_at_login_and_the_old_one_is_gone(client, world, password):
    session = client.session
    session["lang"] = "fr"  # an anonymous session that exists on the server
    session.save()
    before = session.session_key
    assert SessionStore().exists(before)
    sign_in(client, world.national, password)
    assert client.session.session_key != before
    assert not SessionStore().exists(before)
    assert client.session["_auth_user_id"] == str(world.national.pk)


def test_sign_in_starts_the_session_clock(client, world, password):
    sign_in(client, world.partner_a, password)
    assert client.session[AUTHENTICATED_AT_KEY] == client.session[SEEN_AT_KEY]


def test_an_idle_session_expires_on_the_server(client, world, password, settings):
    settings.QIC_SESSION_IDLE_SECONDS = 30 * 60
    sign_in(client, world.seat_holder_a, password)
    key = client.session.session_key
    shift_clock(client, SEEN_AT_KEY, 30 * 60 + 1)
    response = client.get(world.site_a.get_absolute_url())
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?{urlencode({'next': world.site_a.get_absolute_url()})}"
    assert not SessionStore().exists(key)
    page = client.get(response.url).content.decode()
    assert "Votre session a expiré après une période d’inactivité" in page
    assert client.get(world.site_a.get_absolute_url()).status_code == 302


def test_activity_keeps_the_session_alive(client, world, password):
    sign_in(client, world.seat_holder_a, password)
    shift_clock(client, SEEN_AT_KEY, 29 * 60)  # 29 minutes without a request
    assert client.get(world.site_a.get_absolute_url()).status_code == 200
    seen = client.session[SEEN_AT_KEY]
    assert seen >= client.session[AUTHENTICATED_AT_KEY]  # the clock moved forward
    shift_clock(client, SEEN_AT_KEY, 29 * 60)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, world, password, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    sign_in(client, world.seat_holder_a, password)
    shift_clock(client, AUTHENTICATED_AT_KEY, 12 * 3600 + 1)
    response = client.get(world.site_a.get_absolute_url())
    assert response.url.startswith(LOGIN)
    assert "Votre session a atteint sa durée maximale" in client.get(response.url).content.decode()


def test_an_expired_htmx_request_reloads_the_sign_in_page(client, world, password):
    sign_in(client, world.seat_holder_a, password)
    shift_clock(client, SEEN_AT_KEY, 3 * 3600)
    response = client.get(world.site_a.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == LOGIN


def test_logout_deletes_the_session_on_the_server(client, world, password):
    sign_in(client, world.national, password)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not SessionStore().exists(key)
    assert not UserSession.objects.filter(session_key=key).exists()


def test_deactivating_an_account_ends_all_its_sessions_at_once(world, password, client):
    from tests.conftest import StrictClient

    laptop = sign_in(StrictClient(), world.seat_holder_a, password)
    phone = sign_in(
        StrictClient(), world.seat_holder_a, password, user_agent="Mozilla/5.0 (iPhone) Safari/604.1"
    )
    someone_else = sign_in(client, world.partner_a, password)
    keys = [laptop.session.session_key, phone.session.session_key]
    assert UserSession.objects.filter(user=world.seat_holder_a).count() == 2

    world.seat_holder_a.is_active = False
    world.seat_holder_a.save()

    assert not any(SessionStore().exists(key) for key in keys)
    assert not UserSession.objects.filter(user=world.seat_holder_a).exists()
    for device in (laptop, phone):
        assert device.get(world.site_a.get_absolute_url()).url.startswith(LOGIN)
    assert someone_else.get(world.site_a.get_absolute_url()).status_code == 200


def test_a_person_sees_and_ends_their_own_sessions(client, world, password):
    from tests.conftest import StrictClient

    phone = sign_in(
        StrictClient(), world.seat_holder_a, password, user_agent="Mozilla/5.0 (iPhone) Safari/604.1"
    )
    sign_in(client, world.seat_holder_a, password)
    sign_in(StrictClient(), world.partner_a, password)  # another person's session

    page = client.get(reverse("usersessions_list")).content.decode()
    assert "Mes sessions" in page
    assert "Safari sous iOS" in page and "Firefox sous Linux" in page
    # One "Fermer" button: the phone's session, not the current one.
    assert len(re.findall(r'action="/comptes/sessions/\d+/fermer/"', page)) == 1
    assert "Cette session" in page

    phone_session = UserSession.objects.get(session_key=phone.session.session_key)
    response = client.post(reverse("security:end_session", args=[phone_session.pk]))
    assert response.url == reverse("usersessions_list")
    assert phone.get(world.site_a.get_absolute_url()).url.startswith(LOGIN)
    assert client.get(world.site_a.get_absolute_url()).status_code == 200


def test_nobody_ends_another_persons_session(client, world, password):
    from tests.conftest import StrictClient

    victim = sign_in(StrictClient(), world.partner_a, password)
    victim_session = UserSession.objects.get(user=world.partner_a)
    sign_in(client, world.seat_holder_a, password)
    assert client.post(reverse("security:end_session", args=[victim_session.pk])).status_code == 404
    assert victim.get(world.site_a.get_absolute_url()).status_code == 200


def test_sign_out_everywhere_else(client, world, password):
    from tests.conftest import StrictClient

    other = sign_in(StrictClient(), world.national, password)
    sign_in(client, world.national, password)
    client.post(reverse("usersessions_list"))
    assert other.get(reverse("sites:list")).url.startswith(LOGIN)
    assert client.get(reverse("sites:list")).status_code == 200


def test_the_security_page_sums_up_the_account(client, world, password):
    sign_in(client, world.partner_a, password)
    page = client.get(reverse("security:account_security")).content.decode()
    assert "Sécurité de mon compte" in page
    assert "Facultative pour votre rôle" in page
    assert "1 session ouverte" in page
    assert "30 minutes d’inactivité" in page and "12 heures" in page


def test_the_admin_login_is_allauths_and_is_rate_limited(client, world, password):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    # Posting credentials to the admin's own form signs nobody in: only allauth's login does.
    client.post("/admin/login/", {"username": world.national.email, "password": password})
    assert "_auth_user_id" not in client.session
    for _ in range(5):
        client.post(LOGIN, {"login": world.national.email, "password": "mauvais-mot-de-passe"})
    response = client.post(f"{LOGIN}?next=/admin/", {"login": world.national.email, "password": password})
    assert "Trop de tentatives" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    cache.clear()
    response = client.post(f"{LOGIN}?next=/admin/", {"login": world.national.email, "password": password})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("variable", "value", "error"),
    [
        ("QIC_SESSION_IDLE_SECONDS", "0", "must be positive"),
        ("QIC_SESSION_IDLE_SECONDS", "une demi-heure", "must be an integer"),
    ],
)
def test_session_settings_are_strict(variable, value, error):
    result = run_manage("check", env={**PROD_ENV, variable: value})
    assert result.returncode != 0
    assert error in result.stderr


def test_sessions_live_in_the_database_whether_or_not_redis_is_there(client, world, password, settings):
    """Signing in never depends on Redis (issue 16): the session is read from the database on every page,
    with or without REDIS_URL, so a Redis restart (or outage) neither signs anybody out nor brings back a
    session that was ended meanwhile."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    sign_in(client, world.national, password)
    key = client.session.session_key
    client.get(reverse("accessibility"))  # the session clock is touched on the first page after sign-in
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accessibility")).status_code == 200
    assert [q["sql"] for q in queries if "django_session" in q["sql"]]  # read from the database
    assert SessionStore().exists(key)

    cache.clear()  # whatever the cache holds (Redis restarted, or emptied), the person stays signed in
    assert client.get(reverse("accessibility")).context["user"] == world.national
