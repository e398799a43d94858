"""Business logic of the evaluation loop: learnings, indicators and measurements, cycles, what is due."""

import calendar
import datetime as dt

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from qic.locking import save_if_unchanged

from .models import Indicator, LearningEntry, Measurement


@transaction.atomic
def save_learning(form, *, site, user) -> LearningEntry:
    entry = form.save(commit=False)
    entry.site = site
    if entry.author_id is None:
        entry.author = user
    entry.save()
    return entry


# The indicator's fields a conflict compares (label shown next to both versions).
INDICATOR_FIELDS = {
    "change": "Changement suivi",
    "name": "Intitulé",
    "kind": "Nature",
    "unit": "Unité",
    "direction": "Sens souhaité",
    "scale": "Échelle",
    "baseline_on": "Date de la situation de départ",
    "baseline_value": "Valeur de départ",
    "baseline_level": "Niveau de départ",
    "target_value": "Valeur cible",
    "target_level": "Niveau cible",
    "target_on": "Échéance de la cible",
    "data_source": "Source des données",
    "frequency": "Fréquence de mesure",
}


@transaction.atomic
def save_indicator(form, *, site, user) -> Indicator:
    """Create an indicator, or save an edit only if nobody saved it since the form was opened
    (raises `EditConflict` otherwise)."""
    indicator = form.save(commit=False)
    if indicator.pk is None:
        indicator.site = site
        indicator.updated_by = user
        indicator.save()
        return indicator
    changes = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    # Attached (again) to the chosen change: the reference kept for a deleted change follows it.
    changes.update(change_ref=indicator.change_id, change_title="")
    return save_if_unchanged(indicator, form.cleaned_data.get("version") or 0, changes, user=user)


@transaction.atomic
def save_measurement(form, *, indicator, user) -> Measurement:
    measurement = form.save(commit=False)
    measurement.indicator = indicator
    measurement.site_id = indicator.site_id
    if measurement.recorded_by_id is None:
        measurement.recorded_by = user
    measurement.save()
    return measurement


@transaction.atomic
def delete_measurement(measurement: Measurement) -> None:
    measurement.delete()


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_measurement_due(indicator, last_measured_on: dt.date | None) -> dt.date:
    """One period after the last measurement (or after the baseline, before the first one)."""
    return add_months(last_measured_on or indicator.baseline_on, int(indicator.frequency))


def indicators_with_measurements(site):
    """The site's indicators, each with its measurements (date order), chart and next due date: 2 queries."""
    from .charts import trend_chart

    indicators = list(
        site.indicators.select_related("change").prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on"))
        )
    )
    today = timezone.localdate()
    for indicator in indicators:
        rows = list(indicator.measurements.all())
        for row in rows:
            row.indicator = indicator  # no query per row for its display
        indicator.rows = rows
        indicator.next_due = next_measurement_due(indicator, rows[-1].measured_on if rows else None)
        indicator.overdue = indicator.next_due < today
        indicator.chart = trend_chart(indicator, rows, chart_id=f"indicateur-{indicator.pk}")
    return indicators
