"""Business logic of the evaluation loop: learnings, indicators and measurements, cycles, what is due."""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from qic import charts, text
from qic.locking import delete_if_unchanged, save_if_unchanged

from .models import Indicator, LearningEntry, Measurement

# The learning's fields a conflict compares.
LEARNING_FIELDS = {
    "title": "Titre",
    "occurred_on": "Date",
    "what_happened": "Ce qui s’est passé",
    "what_we_learned": "Ce que nous avons appris",
    "what_we_change": "Ce que nous ferons autrement",
    "tags": "Étiquettes",
}


@transaction.atomic
def save_learning(form, *, site, user) -> LearningEntry:
    """Create a learning, or save an edit only if nobody saved it since the form was opened
    (raises `EditConflict` otherwise)."""
    entry = form.save(commit=False)
    if entry.pk is None:
        entry.site = site
        entry.author = user
        entry.updated_by = user
        entry.save()
        return entry
    changes = {name: getattr(entry, name) for name in LEARNING_FIELDS}
    return save_if_unchanged(entry, form.cleaned_data.get("version") or 0, changes, user=user)


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


MEASUREMENT_FIELDS = {
    "measured_on": "Date de la mesure",
    "value": "Valeur",
    "level": "Niveau",
    "comment": "Commentaire",
    "evidence_url": "Lien vers une preuve",
}
MEASUREMENT_TAKEN = "Une mesure existe déjà à cette date : modifiez-la plutôt."


@transaction.atomic
def save_measurement(form, *, indicator, user) -> Measurement:
    """Record a measurement, or save a correction only if nobody saved it since the form was opened (raises
    `EditConflict` otherwise). A date already measured, even by a submission at the same instant, is refused
    with a `ValidationError` on the date."""
    measurement = form.save(commit=False)
    try:
        with transaction.atomic():
            if measurement.pk is None:
                measurement.indicator = indicator
                measurement.site_id = indicator.site_id
                measurement.recorded_by = measurement.updated_by = user
                measurement.save()
                return measurement
            changes = {name: getattr(measurement, name) for name in MEASUREMENT_FIELDS}
            return save_if_unchanged(measurement, form.cleaned_data.get("version") or 0, changes, user=user)
    except IntegrityError:
        raise ValidationError({"measured_on": MEASUREMENT_TAKEN}) from None


@transaction.atomic
def delete_measurement(measurement: Measurement, *, expected_version: int) -> None:
    """Delete a measurement only if nobody corrected it since it was shown (raises `EditConflict`)."""
    delete_if_unchanged(measurement, expected_version)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter); never past the calendar's end
    (dates are bounded when typed, `qic.forms.plausible_date`; a far date stored before shows a page)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return dt.date.max if year > dt.MAXYEAR else dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_measurement_due(indicator, last_measured_on: dt.date | None) -> dt.date:
    """One period after the last measurement (or after the baseline, before the first one)."""
    return add_months(last_measured_on or indicator.baseline_on, int(indicator.frequency))


def indicators_with_measurements(site):
    """The site's indicators, each with its measurements (date order), chart and next due date: 2 queries."""
    indicators = list(
        site.indicators.select_related("change")
        .defer("change__description")  # each names its change: its title
        .prefetch_related(Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on")))
    )
    today = timezone.localdate()
    for indicator in indicators:
        rows = list(indicator.measurements.all())
        for row in rows:
            row.indicator = indicator  # no query per row for its display
        indicator.rows = rows
        indicator.next_due = next_measurement_due(indicator, rows[-1].measured_on if rows else None)
        indicator.overdue = indicator.next_due < today
        indicator.chart = trend_chart(indicator, rows, chart_id=f"indicateur-{indicator.pk}-graphique")
    return indicators


def trend_chart(indicator, measurements, *, chart_id: str):
    """The indicator's measurements over time, from the baseline toward the target (`qic.charts`)."""
    if indicator.is_quantitative:
        baseline, target = float(indicator.baseline_value or 0), float(indicator.target_value or 0)
        points = [(m.measured_on, float(m.value)) for m in measurements if m.value is not None]
    else:
        baseline, target = float(indicator.baseline_level or 1), float(indicator.target_level or 1)
        points = [(m.measured_on, float(m.level)) for m in measurements if m.level is not None]
    desc = (
        f"Départ : {indicator.baseline_display} le {text.date(indicator.baseline_on)}. "
        f"Cible : {indicator.target_display}"
        + (f" au {text.date(indicator.target_on)}" if indicator.target_on else "")
        + f". {text.plural(len(points), 'mesure', 'mesures')}"
        + (f", la dernière : {measurements[-1].display}." if measurements else ".")
    )
    return charts.target_chart(
        points,
        baseline=baseline,
        baseline_on=indicator.baseline_on,
        target=target,
        target_on=indicator.target_on,
        quantitative=indicator.is_quantitative,
        levels=len(indicator.scale),
        chart_id=chart_id,
        title=f"Évolution de l’indicateur « {indicator.name} »",
        desc=desc,
    )
