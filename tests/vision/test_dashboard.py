"""The national dashboard's vision columns and alert, wired from the vision app's selectors."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qic import text
from tests.sites.factories import SiteFactory, WaveFactory
from tests.vision.factories import chain_strategy, full_trinome
from vision import services
from vision.models import Revision

pytestmark = pytest.mark.django_db
URL = reverse("sites:dashboard")


def _adopt(site, civil_society=None):
    seats = full_trinome(site, civil_society=civil_society)
    chain_strategy(site, next(iter(seats.values())))
    number = services.head(site).number
    for user in seats.values():
        services.approve(site, user, number=number)
    return Revision.objects.get(site=site, number=number)


def _row(board, site):
    return next(row for row in board.page if row.pk == site.pk)


def test_adoption_date_and_strategy_state_in_the_table(client, world):
    adopted = _adopt(world.site_a, civil_society=world.seat_holder_a)
    services.add_change(
        world.site_b, world.seat_holder_b, level="direct", register="knowledge", title="Brouillon"
    )
    world.login(client, world.national)
    response = client.get(URL)
    page = response.content.decode()
    day = text.date(adopted.adopted_at).replace(" ", "\u00a0")  # the day in France, on one line
    assert f"Adoptée le {day}" in page
    assert "En cours d’écriture" in page
    board = response.context["board"]
    assert _row(board, world.site_a).progress.vision_adopted_at == adopted.adopted_at
    assert _row(board, world.site_b).progress.strategy_change_count == 1


def test_the_export_carries_the_adoption_date(client, world):
    adopted = _adopt(world.site_a, civil_society=world.seat_holder_a)
    world.login(client, world.national)
    content = client.get(reverse("sites:dashboard_export", kwargs={"fmt": "csv"})).content.decode("utf-8-sig")
    assert f"{timezone.localdate(adopted.adopted_at):%d/%m/%Y}" in content
    assert "adoptée le" in content


def test_sorting_by_adoption_date(client, world):
    _adopt(world.site_a, civil_society=world.seat_holder_a)
    world.login(client, world.national)
    response = client.get(URL, {"tri": "-vision"})
    assert response.status_code == 200


def test_the_vision_alert_lists_trained_sites_without_an_adopted_vision(client, world, settings):
    settings.QIC_VISION_DUE_MONTHS = 6
    wave = WaveFactory(number=1, starts_on=dt.date(2021, 12, 1), training_starts_on=dt.date(2022, 4, 1))
    late = SiteFactory(name="Quartier en retard", wave=wave, status="active")
    done = SiteFactory(name="Quartier qui a adopté", wave=wave, status="active")
    _adopt(done)
    world.login(client, world.national)
    alerts = {alert.key: alert for alert in client.get(URL).context["board"].alerts}
    names = [site.name for site in alerts["vision"].examples]
    assert alerts["vision"].tracked
    assert late.name in names and done.name not in names


def test_the_vision_alert_names_the_longest_overdue_sites_first(client, world, settings):
    """The examples come from the wave whose training started first, then the next ones as needed."""
    settings.QIC_VISION_DUE_MONTHS = 6
    first = WaveFactory(number=1, starts_on=dt.date(2021, 12, 1), training_starts_on=dt.date(2022, 4, 1))
    second = WaveFactory(number=2, starts_on=dt.date(2022, 12, 1), training_starts_on=dt.date(2023, 4, 1))
    recent = WaveFactory(number=5, starts_on=dt.date(2023, 6, 1), training_starts_on=dt.date(2023, 9, 1))
    for name in ("Zola", "Arago"):
        SiteFactory(name=f"Vague 1 {name}", wave=first, status="active")
    for name in ("Bercy", "Anatole", "Carnot", "Dunant", "Eiffel"):
        SiteFactory(name=f"Vague 2 {name}", wave=second, status="in_training")
    SiteFactory(name="Vague 5 Aa", wave=recent, status="active")
    world.login(client, world.national)
    alerts = {alert.key: alert for alert in client.get(URL).context["board"].alerts}
    assert [site.name for site in alerts["vision"].examples] == [
        "Vague 1 Arago",
        "Vague 1 Zola",
        "Vague 2 Anatole",
        "Vague 2 Bercy",
        "Vague 2 Carnot",
    ]
    assert alerts["vision"].count >= 8
