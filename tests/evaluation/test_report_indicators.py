"""The bilan's "Indicateurs" section: every indicator with its measurements and chart, frozen as JSON."""

import datetime as dt
import json

import pytest

from evaluation.models import Measurement
from evaluation.reports import render, snapshot
from tests.evaluation.factories import indicator_for

pytestmark = pytest.mark.django_db


def _section(data):
    return next(s for s in data["sections"] if s["key"] == "indicators")


def test_bilan_holds_each_indicator_with_its_measurements_and_chart(world):
    indicator = indicator_for(world.site_a)
    for month, value in ((4, 18), (7, "25.5"), (10, 31)):
        Measurement.objects.create(
            indicator=indicator, site=world.site_a, measured_on=dt.date(2026, month, 15), value=value
        )
    data = snapshot.site_snapshot(world.site_a.pk)
    json.dumps(data)
    section = _section(data)
    assert section["available"]
    frozen = section["indicators"][0]
    assert frozen["name"] == "Habitants présents aux réunions" and frozen["count"] == 3
    assert [m["display"] for m in frozen["measurements"]] == [
        "18\u00a0personnes",
        "25,5\u00a0personnes",
        "31\u00a0personnes",
    ]
    assert (
        frozen["baseline"]["display"] == "12\u00a0personnes"
        and frozen["target"]["display"] == "40\u00a0personnes"
    )
    assert frozen["chart"].startswith("<svg") and "<polyline" in frozen["chart"]
    html = render.report_html(data, data_date=dt.date(2026, 11, 23))
    indicators = html[html.index('id="s-indicators"') :]
    assert "Habitants présents aux réunions" in indicators and "25,5\u00a0personnes" in indicators
    assert "Situation de départ" in indicators and "<polyline" in indicators


def test_a_site_without_indicators_says_so(world):
    section = _section(snapshot.site_snapshot(world.site_b.pk))
    assert section["available"] and section["indicators"] == []
