"""Done when (issue 19): a client generated from the OpenAPI schema (openapi-python-client) lists sites and
pushes a measurement with a key, and gets 401/403/404 outside its scope. It talks to the platform through an
httpx transport over Django's test client (same database transaction, no server)."""

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from evaluation.models import Measurement
from tests.evaluation.factories import indicator_for


class DjangoTransport(httpx.BaseTransport):
    def __init__(self):
        self.client = Client()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        skipped = {"host", "content-length", "content-type"}
        response = self.client.generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.read(),
            content_type=request.headers.get("content-type", ""),
            headers={name: value for name, value in request.headers.items() if name.lower() not in skipped},
        )
        return httpx.Response(response.status_code, headers=list(response.items()), content=response.content)


@pytest.fixture
def generated(tmp_path, monkeypatch, client, db):
    """The client package generated from the served schema, importable."""
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text("package_name_override: qic_api_client\npost_hooks: []\n")
    tool = shutil.which("openapi-python-client") or str(Path(sys.executable).parent / "openapi-python-client")
    subprocess.run(
        [
            tool,
            "generate",
            "--path",
            "schema.json",
            "--meta",
            "none",
            "--output-path",
            "qic_api_client",
            "--config",
            "config.yaml",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("qic_api_client")
    for name in [name for name in sys.modules if name.startswith("qic_api_client")]:
        del sys.modules[name]


def test_a_generated_client_lists_sites_and_pushes_a_measurement(generated, world, keys):
    from qic_api_client import AuthenticatedClient
    from qic_api_client import Client as AnonymousClient
    from qic_api_client.api.indicateurs import sites_indicateurs_mesures_create as create_measurement
    from qic_api_client.api.sites import sites_list, sites_retrieve
    from qic_api_client.models import MeasurementRequest

    def api(key):
        return AuthenticatedClient(
            base_url="http://testserver", token=key, httpx_args={"transport": DjangoTransport()}
        )

    sites = sites_list.sync(client=api(keys.site_a))
    assert [site.slug for site in sites.results] == ["quartier-a"]
    assert sites.results[0].progress.seats_filled == 1

    indicator = indicator_for(world.site_a)
    body = MeasurementRequest(measured_on=dt.date(2026, 3, 1), value=18.5)
    created = create_measurement.sync_detailed("quartier-a", indicator.pk, client=api(keys.site_a), body=body)
    assert created.status_code == 201 and created.parsed.value == 18.5
    assert Measurement.objects.get(indicator=indicator).value == 18.5

    # Outside its scope or its rights: 404, 403, and 401 without a valid key.
    assert sites_retrieve.sync_detailed("quartier-b", client=api(keys.site_a)).status_code == 404
    refused = create_measurement.sync_detailed(
        "quartier-a", indicator.pk, client=api(keys.site_a_read), body=body
    )
    assert refused.status_code == 403
    assert "lecture" in json.loads(refused.content)["detail"]
    anonymous = AnonymousClient(base_url="http://testserver", httpx_args={"transport": DjangoTransport()})
    assert sites_list.sync_detailed(client=anonymous).status_code == 401
    assert sites_list.sync_detailed(client=api(keys.revoked)).status_code == 401
