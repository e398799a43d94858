"""Exports of the dashboard: the filtered table in full, as CSV and XLSX, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.sites.factories import SiteFactory, WaveFactory, department

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_csv_export_has_every_filtered_site_on_every_page(client, world):
    wave = WaveFactory(number=2)
    for i in range(60):
        SiteFactory(name=f"Quartier {i:02d}", wave=wave, department=department("59"), communes="Roubaix")
    world.login(client, world.national)
    response = client.get(
        reverse("sites:dashboard_export", kwargs={"fmt": "csv"}), {"vague": "2", "page": "2"}
    )
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Site", "Type", "Commune(s)", "Département", "Région"]
    assert "Trinôme" in header and "Vision adoptée" in header and "Stratégie de changement" in header
    assert len(body) == 60
    assert body[0][:5] == [
        "Quartier 00",
        "Quartier prioritaire (QPV)",
        "Roubaix",
        "59 — Nord",
        "Hauts-de-France",
    ]
    assert 'filename="sites-qic-' in response["Content-Disposition"]


def test_csv_export_follows_the_sort(client, world):
    world.login(client, world.national)
    rows = _csv(client.get(reverse("sites:dashboard_export", kwargs={"fmt": "csv"}), {"tri": "-nom"}))
    assert [row[0] for row in rows[1:]] == [world.site_b.name, world.site_a.name]


def test_cells_that_look_like_formulas_are_neutralised(client, world):
    SiteFactory(name='=HYPERLINK("http://exemple.fr")', department=department("42"))
    world.login(client, world.national)
    rows = _csv(client.get(reverse("sites:dashboard_export", kwargs={"fmt": "csv"})))
    assert '\'=HYPERLINK("http://exemple.fr")' in [row[0] for row in rows]


def test_xlsx_export_opens_with_the_filtered_sites(client, world):
    world.login(client, world.steering)
    response = client.get(reverse("sites:dashboard_export", kwargs={"fmt": "xlsx"}), {"region": "32"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Site" and values[0][5] == "Vague"
    assert [row[0] for row in values[1:]] == [world.site_b.name]
    assert values[1][5] == 3
    trinome = values[0].index("Trinôme")
    assert values[1][trinome] == "vacant : délégué·e du préfet, collectivité"
    assert sheet.freeze_panes == "B2"


def test_unknown_export_format_is_not_found(client, world):
    world.login(client, world.national)
    assert client.get("/sites/tableau-de-bord/export.pdf").status_code == 404
