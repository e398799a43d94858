"""The partner API with a key: scopes, problem details, measurements and attendance pushed through the apps'
services, conditional GETs, rate limits, last use, and a constant number of queries per page."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collectives.sessions.models import Participant
from evaluation.models import Measurement
from evaluation.services import MEASUREMENT_TAKEN
from qic.models import AuditEntry
from sites.models import ApiKey, SiteEvent
from tests.api.helpers import bearer
from tests.evaluation.factories import indicator_for
from tests.sessions.factories import make_session
from tests.sites.factories import SiteFactory

PROBLEM = "application/problem+json"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def slugs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("key", "expected"),
    [("national", {"quartier-a", "quartier-b"}), ("crpv_a", {"quartier-a"}), ("site_a", {"quartier-a"})],
)
def test_a_key_lists_the_sites_of_its_scope_with_their_progress(client, world, keys, key, expected):
    response = client.get(reverse("api:sites"), **bearer(getattr(keys, key)))
    assert slugs(response) == expected
    site = response.json()["results"][0]
    assert site["progress"]["seats_filled"] == 1  # the civil-society seat, from SiteProgress
    assert site["coaching"] == {"budget_hours": 10.0, "used_hours": 0.0, "planned_hours": 0.0}


@pytest.mark.parametrize("header", ["Bearer {}", "Api-Key {}"])
def test_both_header_forms_are_accepted(client, world, keys, header):
    response = client.get(reverse("api:sites"), HTTP_AUTHORIZATION=header.format(keys.site_a))
    assert slugs(response) == {"quartier-a"}


@pytest.mark.parametrize("credentials", [None, "revoked", "Bearer qic_00000000_inconnue", "Bearer"])
def test_a_request_without_a_valid_key_is_a_401_problem(client, world, keys, credentials):
    headers = {}
    if credentials == "revoked":
        headers = bearer(keys.revoked)
    elif credentials:
        headers = {"HTTP_AUTHORIZATION": credentials}
    response = client.get(reverse("api:sites"), **headers)
    body = problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["title"] == "Authentification requise"
    assert "quartier" not in response.content.decode()


@pytest.mark.parametrize("key", ["crpv_a", "site_a"])
def test_another_scope_s_site_is_a_404(client, world, keys, key):
    for name in ("api:site", "api:site_vision", "api:indicators"):
        body = problem(client.get(reverse(name, args=["quartier-b"]), **bearer(getattr(keys, key))), 404)
        assert body["detail"] == "Cette ressource n’existe pas, ou votre clé ne permet pas de la voir."


def test_filters_and_pagination(client, world, keys):
    SiteFactory(name="Quartier C", slug="quartier-c", department=world.site_a.department, status="paused")
    headers = bearer(keys.national)
    assert slugs(client.get(reverse("api:sites"), {"region": "84"}, **headers)) == {
        "quartier-a",
        "quartier-c",
    }
    assert slugs(client.get(reverse("api:sites"), {"department": "59"}, **headers)) == {"quartier-b"}
    assert slugs(client.get(reverse("api:sites"), {"status": "paused"}, **headers)) == {"quartier-c"}
    page = client.get(reverse("api:sites"), {"page_size": 2, "page": 2}, **headers).json()
    assert page["count"] == 3 and [row["slug"] for row in page["results"]] == ["quartier-c"]
    assert problem(client.get(reverse("api:sites"), {"page": 9}, **headers), 404)
    body = problem(client.get(reverse("api:sites"), {"status": "inconnu"}, **headers), 400)
    assert body["errors"][0]["field"] == "status"


def test_the_sites_list_costs_the_same_queries_whatever_the_page_size(client, world, keys):
    headers = bearer(keys.national)
    client.get(reverse("api:sites"), **headers)  # the key's last use is written once a minute
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("api:sites"), **headers)
    for n in range(8):
        SiteFactory(name=f"Quartier {n}", department=world.site_b.department)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(reverse("api:sites"), **headers).json()["results"]) == 10
    assert len(ten) == len(two) <= 5


def test_conditional_get_answers_304_when_nothing_changed(client, world, keys):
    url, headers = reverse("api:site", args=["quartier-a"]), bearer(keys.site_a)
    first = client.get(url, **headers)
    assert first["ETag"] and "no-cache" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    assert again.status_code == 304 and again.content == b""
    world.site_a.name = "Quartier A renommé"
    world.site_a.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    problem(client.get(url, HTTP_IF_MATCH='"autre"', **headers), 412)


def test_method_not_allowed_and_unknown_address_are_problems(client, world, keys):
    problem(client.delete(reverse("api:sites"), **bearer(keys.national)), 405)
    problem(client.get("/api/v1/nulle-part/", **bearer(keys.national)), 404)


def test_an_unexpected_error_is_a_500_problem(client, world, keys, monkeypatch):
    from api import views

    monkeypatch.setattr(views, "with_coaching", lambda sites: 1 / 0)
    body = problem(client.get(reverse("api:sites"), **bearer(keys.national)), 500)
    assert "ZeroDivisionError" not in json.dumps(body)


# --- Measurements: the form's rules and messages, the service, the audit log ------------------------------


def _measure(client, key, site, indicator, payload, **headers):
    url = reverse("api:measurements", args=[site.slug, indicator.pk])
    return client.post(url, payload, content_type="application/json", **bearer(key), **headers)


def test_a_write_key_records_a_measurement_through_the_service(client, world, keys):
    indicator = indicator_for(world.site_a)
    response = _measure(
        client, keys.site_a, world.site_a, indicator, {"measured_on": "2026-03-01", "value": 18.5}
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == 18.5
    measurement = Measurement.objects.get(indicator=indicator)
    assert measurement.site == world.site_a and measurement.value == 18.5
    entry = AuditEntry.objects.get(model="evaluation.measurement", object_id=str(measurement.pk))
    assert entry.actor is None and entry.actor_label.startswith("clé d’API Partenaire site")


def test_measurement_errors_are_the_form_s_messages(client, world, keys):
    indicator = indicator_for(world.site_a)
    payload = {"measured_on": "2026-01-01", "value": "beaucoup"}
    body = problem(_measure(client, keys.site_a, world.site_a, indicator, payload), 400)
    errors = {error["field"]: error["detail"] for error in body["errors"]}
    assert errors["measured_on"].startswith("Cette date précède la situation de départ de l’indicateur")
    assert errors["value"] == "Saisissez un nombre, par exemple 12 ou 12,5."
    assert not Measurement.objects.exists()


def test_the_same_measurement_sent_twice_is_created_once(client, world, keys):
    indicator = indicator_for(world.site_a)
    payload, token = {"measured_on": "2026-03-01", "value": "18,5"}, "9b2f4c36-4b7e-4bcb-9d59-2a1f0c1e7a11"
    assert (
        _measure(
            client, keys.site_a, world.site_a, indicator, payload, HTTP_IDEMPOTENCY_KEY=token
        ).status_code
        == 201
    )
    body = problem(
        _measure(client, keys.site_a, world.site_a, indicator, payload, HTTP_IDEMPOTENCY_KEY=token), 409
    )
    assert "déjà été envoyé" in body["detail"]
    again = problem(_measure(client, keys.site_a, world.site_a, indicator, payload), 400)
    assert again["errors"][0]["detail"] == MEASUREMENT_TAKEN  # the form's message
    assert Measurement.objects.count() == 1


def test_a_body_no_server_can_read_is_refused_in_french_not_a_500(client, world, keys, settings):
    """What an attacker or a broken client sends: a body over the size limit (413), JSON nested deeper than
    Python decodes (400), malformed JSON (400 in French), an Idempotency-Key that is not a UUID (named)."""
    indicator = indicator_for(world.site_a)
    url = reverse("api:measurements", kwargs={"slug": world.site_a.slug, "pk": indicator.pk})
    headers = bearer(keys.site_a)

    def send(body: str, **extra):
        return client.generic("POST", url, body, content_type="application/json", **headers, **extra)

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    too_big = json.dumps({"measured_on": "2026-03-01", "value": 3, "comment": "x" * 3_000_000})
    assert problem(send(too_big), 413)["detail"] == "Le corps de la requête dépasse 2,5\u00a0Mo."
    deep = '{"measured_on": "2026-03-01", "value": 3, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert "imbrication trop profonde" in problem(send(deep), 400)["detail"]
    assert problem(send("{"), 400)["detail"].startswith("Le corps de la requête n’est pas du JSON valide")
    body = problem(
        send(json.dumps({"measured_on": "2026-03-01", "value": 3}), HTTP_IDEMPOTENCY_KEY="abc"), 400
    )
    assert body["errors"][0]["field"] == "Idempotency-Key" and "est un UUID" in body["errors"][0]["detail"]
    assert not Measurement.objects.exists()


def test_read_keys_and_other_scopes_write_nothing(client, world, keys):
    indicator_a, indicator_b = indicator_for(world.site_a), indicator_for(world.site_b)
    payload = {"measured_on": "2026-03-01", "value": 3}
    body = problem(_measure(client, keys.site_a_read, world.site_a, indicator_a, payload), 403)
    assert "ne permet que la lecture" in body["detail"]
    problem(_measure(client, keys.site_a, world.site_b, indicator_b, payload), 404)
    problem(_measure(client, keys.site_a, world.site_a, indicator_b, payload), 404)
    assert not Measurement.objects.exists()


# --- Attendance -----------------------------------------------------------------------------------------


def test_a_write_key_marks_attendance_of_its_site_s_people(client, world, keys):
    session = make_session([world.site_a, world.site_b], starts_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    listed = client.get(reverse("api:participants", args=[session.pk]), **bearer(keys.site_a)).json()[
        "results"
    ]
    assert {row["site"] for row in listed} == {"quartier-a"}
    participant = Participant.objects.get(pk=listed[0]["id"])
    url = reverse("api:presence", args=[session.pk, participant.pk])
    response = client.post(url, {"present": True}, content_type="application/json", **bearer(keys.site_a))
    assert response.status_code == 200 and response.json()["present"] is True
    assert SiteEvent.objects.filter(site=world.site_a, kind="session_attended").count() == 1
    other = session.participants.filter(site=world.site_b).first()
    url_b = reverse("api:presence", args=[session.pk, other.pk])
    problem(
        client.post(url_b, {"present": True}, content_type="application/json", **bearer(keys.site_a)), 404
    )
    problem(
        client.post(url, {"present": "peut-être"}, content_type="application/json", **bearer(keys.site_a)),
        400,
    )
    session.cancelled_at = session.starts_at
    session.save()
    problem(client.post(url, {"present": False}, content_type="application/json", **bearer(keys.site_a)), 409)


# --- Keys: last use, rate limits ---------------------------------------------------------------------------


def test_last_use_is_written_at_most_once_a_minute(client, world, keys):
    client.get(reverse("api:waves"), **bearer(keys.site_a))
    key = ApiKey.objects.get(scope="site", role="write")
    first = key.last_used_at
    assert first is not None
    client.get(reverse("api:waves"), **bearer(keys.site_a))
    key.refresh_from_db()
    assert key.last_used_at == first
    # Bookkeeping, not audited (the revoked key's revocation is).
    assert not AuditEntry.objects.filter(
        model="sites.apikey", object_id=str(key.pk), action="update"
    ).exists()


@pytest.fixture
def limited(settings, monkeypatch):
    from api.throttling import KeyRateThrottle

    monkeypatch.setattr(KeyRateThrottle, "THROTTLE_RATES", {"api": "2/min"})
    settings.CACHES = {**settings.CACHES, "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_rate_limits_are_per_key(client, world, keys, limited):
    for _ in range(2):
        assert client.get(reverse("api:waves"), **bearer(keys.site_a)).status_code == 200
    body = problem(client.get(reverse("api:waves"), **bearer(keys.site_a)), 429)
    assert body["title"] == "Trop de requêtes"
    assert client.get(reverse("api:waves"), **bearer(keys.national)).status_code == 200


def test_requests_go_through_when_the_rate_limit_cache_is_down(client, world, keys, limited, settings):
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
    settings.CACHES = {**settings.CACHES, "api": unreachable}
    for _ in range(3):
        assert client.get(reverse("api:waves"), **bearer(keys.site_a)).status_code == 200


# --- Bilans and the signed-in session ----------------------------------------------------------------------


def test_published_bilans_and_their_files(client, world, keys):
    from evaluation.reports.enums import ReportState
    from tests.evaluation.factories import ReportFactory

    done_a = ReportFactory(site=world.site_a, state=ReportState.DONE)
    ReportFactory(site=world.site_a)  # not produced yet: not published
    done_b = ReportFactory(site=world.site_b, state=ReportState.DONE)
    with CaptureQueriesContext(connection) as captured:
        listed = client.get(reverse("api:reports"), **bearer(keys.site_a)).json()["results"]
    assert [row["id"] for row in listed] == [done_a.pk]
    # The list reads metadata, never the frozen data each bilan was drawn from (tens of kB each).
    assert not [q for q in captured if re.search(r'"evaluation_report"\."snapshot"(?!_)', q["sql"])]
    # Nor does a file's download.
    with CaptureQueriesContext(connection) as captured:
        download = client.get(listed[0]["file"], **bearer(keys.site_a))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert not [q for q in captured if re.search(r'"evaluation_report"\."snapshot"(?!_)', q["sql"])]
    problem(client.get(reverse("api:report_file", args=[done_b.pk]), **bearer(keys.site_a)), 404)


def test_a_signed_in_person_reads_with_their_own_rights_and_writes_nothing(client, world):
    world.login(client, world.partner_a)
    assert slugs(client.get(reverse("api:sites"))) == {"quartier-a"}
    indicator = indicator_for(world.site_a)
    url = reverse("api:measurements", args=["quartier-a", indicator.pk])
    response = client.post(url, {"measured_on": "2026-03-01", "value": 1}, content_type="application/json")
    problem(response, 403)


def test_the_sites_fast_writer_agrees_with_its_declared_fields(client, world, keys):
    """`SiteSerializer.to_representation` writes what its fields (the schema) say, as DRF would."""
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from api.serializers import SiteSerializer
    from api.views import with_coaching
    from sites.models import Site

    world.site_a.progress.vision_adopted_at = world.site_a.status_changed_at
    world.site_a.progress.last_assessed_on = dt.date(2026, 2, 1)
    world.site_a.progress.save()
    sites = with_coaching(list(Site.objects.select_related("department__region", "wave", "progress")))
    for site in sites:
        fast = SiteSerializer(site).data
        slow = serializers.Serializer.to_representation(SiteSerializer(), site)
        assert JSONRenderer().render(fast) == JSONRenderer().render(slow)
