"""Exports of the dashboard: the filtered table in full, as CSV and XLSX, safe to open in a spreadsheet."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.sites.factories import SiteFactory, WaveFactory, department
from tests.spreadsheets import as_opendocument, needs_libreoffice, typed_columns

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
    assert values[1][trinome] == "vacant : délégué·e du préfet, collectivité"
    assert sheet.freeze_panes == "B2"


def test_unknown_export_format_is_not_found(client, world):
    world.login(client, world.national)
    assert client.get("/sites/tableau-de-bord/export.pdf").status_code == 404


def test_exports_hold_real_dates_and_numbers_that_a_french_spreadsheet_reads(client, world):
    """XLSX: dates and numbers are typed cells (not text); CSV: "01/12/2026" and "12,5" (a decimal comma),
    which LibreOffice and Excel in French read as a date and a number; the QPV code is there."""
    from sites.models import Site

    Site.objects.filter(pk=world.site_a.pk).update(
        qpv_code="QN04201M",
        status_changed_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC),  # 1 December in Paris
        coaching_hours_budget=Decimal("12.5"),
    )
    world.login(client, world.national)
    url = lambda fmt: reverse("sites:dashboard_export", kwargs={"fmt": fmt})  # noqa: E731

    sheet = load_workbook(io.BytesIO(client.get(url("xlsx"), {"q": "Quartier A"}).content)).active
    header, row = (list(r) for r in sheet.iter_rows(min_row=1, max_row=2))
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["Code QPV"].value == "QN04201M"
    since = cells["Statut depuis le"]
    assert (
        since.is_date and since.value.date() == dt.date(2026, 12, 1) and since.number_format == "DD/MM/YYYY"
    )
    budget = cells["Budget d’accompagnement (heures)"]
    assert budget.data_type == "n" and budget.value == 12.5
    assert cells["Vague"].data_type == "n"
    assert sheet.freeze_panes == "B2" and sheet.column_dimensions["A"].width >= 30

    rows = _csv(client.get(url("csv"), {"q": "Quartier A"}))
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["Code QPV"] == "QN04201M"
    assert values["Statut depuis le"] == "01/12/2026"
    assert values["Budget d’accompagnement (heures)"] == "12,5"
    assert values["Heures d’accompagnement utilisées"] == "0"


def test_every_column_of_the_export_says_something_for_a_site_that_has_done_nothing_yet(client, world):
    """A blank cell could mean "not known": the text columns say what the dashboard says ("non commencée",
    "aucune"); only a date that does not exist yet is left blank, so the date columns stay dates, and a QPV
    code not known (it is optional: a cité éducative has none of its own)."""
    world.login(client, world.national)
    rows = _csv(client.get(reverse("sites:dashboard_export", kwargs={"fmt": "csv"}), {"q": "Quartier A"}))
    values = dict(zip(rows[0], rows[1], strict=True))
    blank = {
        "Vision adoptée",
        "Dernière auto-évaluation",
        "Dernière session",
        "Dernière activité",
        "Code QPV",
    }
    assert values["Stratégie de changement"] == "non commencée"
    assert values["Entente de coopération"] == "pas commencée"
    assert values["Niveau du continuum"] == "aucune"
    assert [name for name, value in values.items() if not value and name not in blank] == []


def test_the_last_self_assessment_is_exported_as_its_day_and_its_level(client, world):
    from sites.models import SiteProgress

    SiteProgress.objects.update_or_create(
        site=world.site_a, defaults={"last_assessed_on": dt.date(2026, 3, 12), "continuum_level": 3}
    )
    world.login(client, world.national)
    url = lambda fmt: reverse("sites:dashboard_export", kwargs={"fmt": fmt})  # noqa: E731
    values = dict(zip(*_csv(client.get(url("csv"), {"q": "Quartier A"}))[:2], strict=True))
    assert values["Dernière auto-évaluation"] == "12/03/2026"
    assert values["Niveau du continuum"].endswith("(3/7)")
    sheet = load_workbook(io.BytesIO(client.get(url("xlsx"), {"q": "Quartier A"}).content)).active
    header, row = (list(r) for r in sheet.iter_rows(min_row=1, max_row=2))
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert (
        cells["Dernière auto-évaluation"].is_date
        and cells["Dernière auto-évaluation"].number_format == "DD/MM/YYYY"
    )


@needs_libreoffice
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_libreoffice_in_french_reads_the_exports_dates_as_dates_and_numbers_as_numbers(
    client, world, fmt, tmp_path
):
    from sites.models import Site

    Site.objects.update(last_activity_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC))
    Site.objects.filter(pk=world.site_a.pk).update(qpv_code="QN04201M", coaching_hours_budget=Decimal("12.5"))
    world.login(client, world.national)
    path = tmp_path / f"sites.{fmt}"
    path.write_bytes(client.get(reverse("sites:dashboard_export", kwargs={"fmt": fmt})).content)
    columns = typed_columns(as_opendocument(path))
    for name in ("Statut depuis le", "Dernière activité"):
        assert set(columns[name]) == {"date"}, (name, columns[name])
    for name in ("Vague", "Heures d’accompagnement utilisées", "Budget d’accompagnement (heures)"):
        assert set(columns[name]) == {"float"}, (name, columns[name])
    for name in ("Site", "Statut", "Trinôme", "Stratégie de changement", "Entente de coopération"):
        assert set(columns[name]) == {"string"}, (name, columns[name])
