"""Indicators of a site's changes and their measurements: validation in French, chart and table, access."""

import datetime as dt

import pytest
from django.urls import reverse

from evaluation.models import Indicator, Measurement
from evaluation.services import add_months, next_measurement_due
from tests.evaluation.factories import change_for, indicator_for

pytestmark = pytest.mark.django_db


def test_seat_holder_adds_a_quantitative_and_a_qualitative_indicator(client, world):
    change = change_for(world.site_a)
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:indicator_add", args=[world.site_a.slug])
    common = {"change": change.pk, "baseline_on": "2026-01-15", "data_source": "Comptage", "frequency": "3"}
    response = client.post(
        url,
        {
            **common,
            "name": "Participants",
            "kind": "quantitative",
            "unit": "personnes",
            "baseline_value": "1 200,5",
            "target_value": "40",
            "direction": "increase",
        },
    )
    assert response.status_code == 302
    quantitative = Indicator.objects.get(name="Participants")
    assert quantitative.baseline_value == pytest.approx(1200.5)
    response = client.post(
        url,
        {
            **common,
            "name": "Confiance",
            "kind": "qualitative",
            "scale_text": "Faible\nMoyenne\n\nForte",
            "baseline_level": "1",
            "target_level": "3",
        },
    )
    assert response.status_code == 302
    qualitative = Indicator.objects.get(name="Confiance")
    assert qualitative.scale == ["Faible", "Moyenne", "Forte"]
    assert qualitative.site == world.site_a


def test_indicator_form_refuses_impossible_values(client, world):
    change = change_for(world.site_a)
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:indicator_add", args=[world.site_a.slug])
    response = client.post(
        url,
        {
            "change": change.pk,
            "name": "X",
            "kind": "quantitative",
            "baseline_on": "2026-01-15",
            "baseline_value": "douze",
            "target_value": "",
            "data_source": "",
            "frequency": "3",
            "direction": "increase",
        },
    )
    content = response.content.decode()
    assert "Saisissez un nombre, par exemple 12 ou 12,5." in content
    assert "Indiquez une valeur (un nombre)." in content
    assert "Indiquez d’où viennent les données" in content
    response = client.post(
        url,
        {
            "change": change.pk,
            "name": "Y",
            "kind": "qualitative",
            "baseline_on": "2026-01-15",
            "scale_text": "Bas\nHaut",
            "baseline_level": "1",
            "target_level": "5",
            "data_source": "Enquête",
            "frequency": "3",
        },
    )
    assert "Ce niveau n’existe pas : l’échelle va de 1 à 2." in response.content.decode()
    assert not Indicator.objects.exists()


def test_an_indicator_cannot_follow_another_sites_change(client, world):
    change_b = change_for(world.site_b)
    world.login(client, world.seat_holder_a)
    response = client.post(
        reverse("evaluation:indicator_add", args=[world.site_a.slug]),
        {
            "change": change_b.pk,
            "name": "Z",
            "kind": "quantitative",
            "baseline_on": "2026-01-15",
            "baseline_value": "1",
            "target_value": "2",
            "data_source": "S",
            "frequency": "3",
            "direction": "increase",
        },
    )
    assert response.status_code == 200
    assert not Indicator.objects.exists()


def _measure(client, indicator, **data):
    url = reverse("evaluation:measurement_add", args=[indicator.site.slug, indicator.pk])
    return client.post(url, {"measured_on": "2026-04-15", "comment": "", "evidence_url": "", **data})


def test_measurements_are_recorded_and_drawn_with_a_table(client, world):
    indicator = indicator_for(world.site_a)
    world.login(client, world.seat_holder_a)
    for day, value in (("2026-04-15", "18"), ("2026-07-15", "25,5"), ("2026-10-15", "31")):
        assert _measure(client, indicator, measured_on=day, value=value).status_code == 302
    assert [float(m.value) for m in indicator.measurements.order_by("measured_on")] == [18, 25.5, 31]
    page = client.get(reverse("evaluation:indicators", args=[world.site_a.slug])).content.decode()
    assert 'role="img"' in page and "<polyline" in page
    assert "25,5\u00a0personnes" in page  # the table, the chart's text equivalent
    assert "Cible" in page and "40\u00a0personnes" in page


def test_impossible_measurements_are_refused_next_to_the_field(client, world):
    indicator = indicator_for(world.site_a)
    qualitative = indicator_for(
        world.site_a,
        name="Confiance",
        kind="qualitative",
        unit="",
        baseline_value=None,
        target_value=None,
        scale=["Faible", "Moyenne", "Forte"],
        baseline_level=1,
        target_level=3,
    )
    world.login(client, world.seat_holder_a)
    content = _measure(client, indicator, value="beaucoup").content.decode()
    assert "Saisissez un nombre, par exemple 12 ou 12,5." in content
    content = _measure(client, indicator, measured_on="2025-12-01", value="3").content.decode()
    assert "Cette date précède la situation de départ de l’indicateur (15 janvier 2026)" in content
    content = _measure(client, qualitative, level="4").content.decode()
    assert "Sélectionnez un choix valide" in content or "Ce niveau n’existe pas" in content
    assert not Measurement.objects.exists()
    assert _measure(client, qualitative, level="2").status_code == 302
    assert "Une mesure existe déjà à cette date" in _measure(client, qualitative, level="3").content.decode()


def test_next_measurement_due_and_overdue_flag(world):
    indicator = indicator_for(world.site_a, baseline_on=dt.date(2026, 1, 31), frequency="1")
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert next_measurement_due(indicator, None) == dt.date(2026, 2, 28)
    assert next_measurement_due(indicator, dt.date(2026, 11, 30)) == dt.date(2026, 12, 30)


def test_partner_reads_indicators_but_cannot_measure(client, world):
    indicator = indicator_for(world.site_a)
    world.login(client, world.partner_a)
    page = client.get(reverse("evaluation:indicators", args=[world.site_a.slug])).content.decode()
    assert indicator.name in page
    assert _measure(client, indicator, value="3").status_code == 403


def test_indicator_list_query_count(client, world, django_assert_max_num_queries):
    for index in range(6):
        indicator = indicator_for(world.site_a, name=f"Indicateur {index}")
        for month in (3, 6, 9):
            Measurement.objects.create(
                indicator=indicator, site=world.site_a, measured_on=dt.date(2026, month, 1), value=month
            )
    world.login(client, world.seat_holder_a)
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluation:indicators", args=[world.site_a.slug]))


def test_indicators_and_the_choice_of_a_change_name_changes_without_reading_their_descriptions(
    client, world, keys
):
    """A change's description is up to 3,000 characters: the indicators (page, API) and the forms that offer
    the strategy's changes (an indicator, an adjustment, a partner action, a contribution) show its title."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.api.helpers import bearer
    from tests.evaluation.factories import cycle_for
    from tests.queries import columns_read

    site = world.site_a
    long = "Une description détaillée. " * 100
    changes = [change_for(site, title=f"Changement {n}") for n in range(3)]
    changes[0].level = "ultimate"  # a new intermediate change may contribute to it: its form offers it
    for change in changes:
        change.description = long
        change.save()
    indicator = indicator_for(site, change=changes[0])
    cycle = cycle_for(site)
    slug = site.slug
    world.login(client, world.seat_holder_a)
    pages = [
        (reverse("evaluation:indicators", args=[slug]), {}),
        (reverse("api:indicators", args=[slug]), bearer(keys.site_a)),
        (reverse("evaluation:indicator_add", args=[slug]), {}),
        (reverse("evaluation:indicator_edit", args=[slug, indicator.pk]), {}),
        (reverse("evaluation:adjustment_add", args=[slug, cycle.pk]), {}),
        (reverse("vision:action_add", args=[slug]), {}),
        (reverse("vision:change_add", args=[slug]) + "?niveau=intermediate", {}),
    ]
    for url, headers in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **headers)
        assert response.status_code == 200 and "Changement 0" in response.content.decode(), url
        assert columns_read(queries, '"vision_change"."description"') == [], url


def _edit_data(indicator, **changes):
    data = {
        "change": indicator.change_id,
        "name": indicator.name,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline_on": indicator.baseline_on.isoformat(),
        "baseline_value": str(indicator.baseline_value),
        "target_value": str(indicator.target_value),
        "data_source": indicator.data_source,
        "frequency": indicator.frequency,
        "version": str(indicator.version),
    }
    return {**data, **changes}


def test_two_seat_holders_editing_one_indicator_never_overwrite_each_other(client, world):
    indicator = indicator_for(world.site_a)
    url = reverse("evaluation:indicator_edit", args=[world.site_a.slug, indicator.pk])
    world.login(client, world.seat_holder_a)
    # Both opened the form on version 1; the first save wins.
    assert client.post(url, _edit_data(indicator, name="Habitants aux réunions publiques")).status_code == 302
    response = client.post(url, _edit_data(indicator, name="Habitants aux conseils citoyens"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enregistrement refusé" in content
    assert "Habitants aux conseils citoyens" in content and "Habitants aux réunions publiques" in content
    indicator.refresh_from_db()
    assert indicator.name == "Habitants aux réunions publiques"
    assert indicator.version == 2
    # Merged and saved again on the new version: accepted.
    assert client.post(url, _edit_data(indicator, name="Habitants aux conseils")).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.version) == ("Habitants aux conseils", 3)


def test_an_edit_may_not_strand_recorded_measurements(client, world):
    indicator = indicator_for(world.site_a)
    Measurement.objects.create(
        indicator=indicator, site=world.site_a, measured_on=dt.date(2026, 3, 1), value=20
    )
    url = reverse("evaluation:indicator_edit", args=[world.site_a.slug, indicator.pk])
    world.login(client, world.seat_holder_a)
    content = client.post(
        url,
        _edit_data(
            indicator, kind="qualitative", scale_text="Faible\nForte", baseline_level="1", target_level="2"
        ),
    ).content.decode()
    assert "la nature de l’indicateur ne change plus" in content
    content = client.post(url, _edit_data(indicator, baseline_on="2026-04-01")).content.decode()
    assert "La situation de départ doit précéder la première mesure (1er mars 2026)." in content
    indicator.refresh_from_db()
    assert (indicator.kind, indicator.baseline_on, indicator.version) == (
        "quantitative",
        dt.date(2026, 1, 15),
        1,
    )


def test_facilitator_of_the_region_reads_indicators_and_sees_overdue_measurements(client, world):
    indicator = indicator_for(world.site_a, baseline_on=dt.date(2020, 1, 15))
    world.login(client, world.facilitator_a)
    page = client.get(reverse("evaluation:indicators", args=[world.site_a.slug])).content.decode()
    assert indicator.name in page
    assert "Mesure en retard depuis le 15 avril 2020" in page
    assert reverse("evaluation:measurement_add", args=[world.site_a.slug, indicator.pk]) not in page
    assert _measure(client, indicator, value="3").status_code == 403


def test_a_measurement_is_corrected_or_deleted_within_its_site(client, world):
    indicator = indicator_for(world.site_a)
    world.login(client, world.seat_holder_a)
    assert _measure(client, indicator, measured_on="2026-04-15", value="18").status_code == 302
    assert _measure(client, indicator, measured_on="2026-07-15", value="25").status_code == 302
    first, second = indicator.measurements.order_by("measured_on")
    url = reverse("evaluation:measurement_edit", args=[world.site_a.slug, indicator.pk, first.pk])
    page = client.get(reverse("evaluation:indicators", args=[world.site_a.slug])).content.decode()
    assert url in page  # the date of each row opens its correction
    # The correction carries the version it was opened on (lost-update protection, issue 15).
    data = {
        "measured_on": "2026-04-15",
        "value": "19",
        "comment": "Recompté",
        "evidence_url": "",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert float(first.value) == 19 and first.comment == "Recompté"
    # Moving it onto the other measurement's date is refused, next to the field.
    content = client.post(url, {**data, "measured_on": "2026-07-15"}).content.decode()
    assert "Une mesure existe déjà à cette date" in content
    # Deleting asks first (issue 15: a destructive action says beforehand what it removes), on the version
    # the confirmation was shown.
    assert client.post(url, {"supprimer": "1", "version": "2"}).status_code == 200
    assert client.post(url, {"supprimer": "confirmer", "version": "2"}).status_code == 302
    assert list(indicator.measurements.all()) == [second]
    # A partner reads the list but gets no correction link, and may not correct.
    world.login(client, world.partner_a)
    page = client.get(reverse("evaluation:indicators", args=[world.site_a.slug])).content.decode()
    second_url = reverse("evaluation:measurement_edit", args=[world.site_a.slug, indicator.pk, second.pk])
    assert second_url not in page
    assert client.post(second_url, {"supprimer": "1"}).status_code == 403
