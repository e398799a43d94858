"""National staff issue and revoke partner API keys (the key shown once, only its hash kept, both audited);
the schema validates and its documentation is served from our own static files."""

import re

import pytest
from django.urls import reverse

from qic.models import AuditEntry
from sites import apikeys
from sites.models import ApiKey


def test_national_staff_issue_a_key_shown_once_and_stored_hashed(client, world):
    world.login(client, world.national)
    response = client.post(
        reverse("api_keys"),
        {"organisation": "Préfecture du Nord", "scope": "site", "site": world.site_b.slug, "role": "write"},
    )
    assert response.status_code == 200
    key = re.search(r'value="(qic_[0-9a-f]{8}_[\w-]+)"', response.content.decode())[1]
    row = ApiKey.objects.get()
    assert (
        row.site == world.site_b
        and row.created_by == world.national
        and row.key_hash == apikeys.hash_key(key)
    )
    assert key not in str(AuditEntry.objects.values_list("before", "after"))
    assert AuditEntry.objects.filter(model="sites.apikey", action="create", site=world.site_b).exists()
    listing = client.get(reverse("api_keys")).content.decode()
    assert row.prefix in listing and key not in listing
    # The site is picked by typing its name: the field suggests every site, identifier and name.
    assert 'list="api-key-sites"' in listing
    assert f'<option value="{world.site_b.slug}">{world.site_b.name}</option>' in listing
    client.post(reverse("api_key_revoke", args=[row.pk]))
    assert apikeys.find(key).revoked_at is not None
    assert AuditEntry.objects.filter(model="sites.apikey", action="update", object_id=str(row.pk)).exists()
    assert client.get(reverse("api:sites"), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scope": "national", "role": "read"}, "organisation", "Indiquez l’organisation"),
        ({"organisation": "X", "scope": "crpv", "role": "read"}, "resource_centre", "Choisissez le CRPV"),
        ({"organisation": "X", "scope": "site", "site": "inconnu", "role": "read"}, "site", "Aucun site"),
    ],
)
def test_an_incomplete_key_is_refused_in_french(client, world, data, field, message):
    world.login(client, world.national)
    response = client.post(reverse("api_keys"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_schema_validates_and_its_documentation_is_served_offline(client, db):
    from drf_spectacular.validation import validate_schema

    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    validate_schema(schema)
    assert schema["components"]["securitySchemes"]["cleApi"]["scheme"] == "bearer"
    assert {tag["name"] for tag in schema["tags"]} >= {"Sites", "Indicateurs", "Sessions", "Bilans"}
    page = client.get(reverse("api:docs"))
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="fr">' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources), sources  # nothing from a CDN
    assert "<style" not in html and "<script>" not in html  # the CSP allows no inline code
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert client.get(next(src for src in sources if "swagger-ui-bundle" in src)).status_code == 200


def test_a_key_form_sent_twice_issues_one_key(client, world):
    world.login(client, world.national)
    data = {
        "organisation": "DREETS",
        "scope": "national",
        "role": "read",
        "submission": "0b6f0a4e-52c1-4f7e-9a43-2cba3a9c1d11",
    }
    assert client.post(reverse("api_keys"), data).status_code == 200
    again = client.post(reverse("api_keys"), data, follow=True)
    assert "la clé est émise une seule fois" in again.content.decode()
    assert ApiKey.objects.count() == 1
