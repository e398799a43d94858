"""Every request of the partner API is in the audit log (issue 19): reads as well as writes, refusals
included, named by the key's organisation and prefix (never the key); national staff filter them; a year
later the requests leave the log, the changes stay."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from qic.models import AuditEntry
from qic.tasks import forget_api_requests
from sites.models import ApiKey
from tests.api.helpers import bearer
from tests.evaluation.factories import indicator_for


def row(key: str) -> ApiKey:
    return ApiKey.objects.get(prefix=key.split("_")[1])


def requests_logged():
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.REQUEST).order_by("id"))


def test_reads_writes_and_refusals_are_logged_with_who_and_the_answer(client, world, keys):
    indicator = indicator_for(world.site_a)
    sites, site_b = reverse("api:sites"), reverse("api:site", args=["quartier-b"])
    measurements = reverse("api:measurements", args=["quartier-a", indicator.pk])
    first = client.get(sites + "?vague=1", **bearer(keys.national))
    client.get(sites + "?vague=1", HTTP_IF_NONE_MATCH=first["ETag"], **bearer(keys.national))
    client.get(site_b, **bearer(keys.site_a))  # another site: 404
    client.post(
        measurements, {"measured_on": "2026-03-01", "value": 4}, content_type="application/json",
        **bearer(keys.site_a),
    )  # fmt: skip
    client.get(sites, **bearer(keys.revoked))
    client.get(sites, HTTP_AUTHORIZATION="Bearer qic_0badc0de_<script>")
    client.get(sites)
    national, site_a, revoked = (row(key) for key in (keys.national, keys.site_a, keys.revoked))
    logged = [(e.actor_label, e.object_id, e.object_repr, e.answer, e.site_id) for e in requests_logged()]
    assert logged == [
        (f"clé d’API {national}", national.prefix, "GET /api/v1/sites/?vague=1", "200\u00a0: servie", None),
        (
            f"clé d’API {national}", national.prefix, "GET /api/v1/sites/?vague=1",
            "304\u00a0: inchangée depuis la dernière lecture", None,
        ),
        (
            f"clé d’API {site_a}", site_a.prefix, "GET /api/v1/sites/quartier-b/",
            "404\u00a0: introuvable dans le périmètre", world.site_a.pk,
        ),
        (
            f"clé d’API {site_a}", site_a.prefix, f"POST {measurements}", "201\u00a0: enregistrée",
            world.site_a.pk,
        ),
        (
            f"clé d’API inconnue ou révoquée ({revoked.prefix}…)", revoked.prefix, "GET /api/v1/sites/",
            "401\u00a0: refusée, clé absente, inconnue ou révoquée", None,
        ),
        (
            "clé d’API inconnue ou révoquée (0badc0de…)", "0badc0de", "GET /api/v1/sites/",
            "401\u00a0: refusée, clé absente, inconnue ou révoquée", None,
        ),
        ("anonyme", "", "GET /api/v1/sites/", "401\u00a0: refusée, clé absente, inconnue ou révoquée", None),
    ]  # fmt: skip
    # The measurement itself has its own entry (its values), beside the request.
    assert AuditEntry.objects.filter(model="evaluation.measurement", action="create").count() == 1
    secrets = (keys.national, keys.site_a, keys.revoked)
    assert not any(secret in str(entry.__dict__) for entry in requests_logged() for secret in secrets)


def test_a_signed_in_person_s_reads_are_logged_under_their_address(client, world):
    client.force_login(world.seat_holder_a)
    client.get(reverse("api:site", args=["quartier-a"]))
    (entry,) = requests_logged()
    assert entry.actor == world.seat_holder_a and entry.actor_label == world.seat_holder_a.email
    assert entry.site_label == world.site_a.name and entry.answer == "200\u00a0: servie"


def test_national_staff_find_a_key_s_requests_in_the_log(client, world, keys):
    client.get(reverse("api:sites"), **bearer(keys.crpv_a))
    client.force_login(world.national)
    page = client.get(reverse("audit_log"), {"nature": "request"}).content.decode()
    crpv_a = row(keys.crpv_a)
    assert f"clé d’API {crpv_a}" in page and "GET /api/v1/sites/" in page and "Réponse 200" in page
    assert "Requête d’API" in page
    changes = client.get(reverse("audit_log"), {"nature": "update"}).content.decode()
    assert "GET /api/v1/sites/" not in changes


def test_requests_leave_the_log_after_a_year_and_changes_stay(client, world, keys):
    client.get(reverse("api:sites"), **bearer(keys.national))
    client.get(reverse("api:sites"), **bearer(keys.crpv_a))
    old, recent = requests_logged()
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=366))
    changes = AuditEntry.objects.exclude(action=AuditEntry.Action.REQUEST)
    AuditEntry.objects.filter(pk=changes.first().pk).update(at=timezone.now() - dt.timedelta(days=3000))
    before = changes.count()
    assert forget_api_requests() == 1
    assert requests_logged() == [recent] and changes.count() == before
