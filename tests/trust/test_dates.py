"""Dates typed in a form are days the programme can mean: a year 9999 typed as a self-assessment's date once
made the site's page, its indicators and the national "À faire" list answer a server error for everyone
(the next due date, computed from it, fell beyond the calendar), and could not be undone from the platform.
Every date field is bounded (1950-2099), what has already happened is not dated after today, and a far date
stored before (or by the admin) still shows every page."""

import datetime as dt
import inspect

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Measurement, SelfAssessment
from qic.forms import DateField, plausible_date
from sites.models import SiteProgress
from tests.evaluation.factories import indicator_for
from tests.evaluation.test_assessments import _answers

pytestmark = pytest.mark.django_db

OUR_APPS = ("qic", "sites", "collectives", "vision", "evaluation", "api")
# Dates the platform writes itself (facts kept in step, the week of a digest, a report's data date).
DERIVED = {
    "sites.SiteProgress.agreement_in_force_since",
    "sites.SiteProgress.last_assessed_on",
    "evaluation.Report.data_date",
    "evaluation.DigestSent.week",
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_date_a_form_or_a_model_takes_is_bounded():
    loose = []
    for form in set(_subclasses(forms.BaseForm)):
        if not inspect.getmodule(form).__name__.startswith(OUR_APPS):
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DateField) and not isinstance(field, DateField):
                loose.append(f"{form.__module__}.{form.__name__}.{name}")
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            label = f"{model._meta.app_label}.{model.__name__}.{field.name}"
            if (
                type(field) is models.DateField
                and label not in DERIVED
                and plausible_date not in field.validators
            ):
                loose.append(label)
    assert loose == []


def test_a_date_beyond_reach_or_yet_to_come_is_refused_in_french_and_the_pages_stay_up(client, world):
    site = world.site_a
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:assessment_add", args=[site.slug])
    far = client.post(url, _answers("9999-12-31")).content.decode()
    assert "hors de portée\u00a0: indiquez une date entre 1950 et 2099" in far
    ancient = client.post(url, _answers("01/01/0001")).content.decode()
    assert "hors de portée" in ancient
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    ahead = client.post(url, _answers(tomorrow)).content.decode().replace("\u00a0", " ")
    assert "Une auto-évaluation se date du jour où elle a eu lieu" in ahead
    assert not SelfAssessment.objects.exists()
    # The date picker offers the same bounds.
    assert 'min="1950-01-01"' in far and 'max="2099-12-31"' in far
    assert client.post(url, _answers(timezone.localdate().isoformat())).status_code == 302

    indicator = indicator_for(site)
    measure = reverse("evaluation:measurement_add", args=[site.slug, indicator.pk])
    page = client.post(measure, {"measured_on": "9999-12-31", "value": "3"}).content.decode()
    assert "hors de portée" in page and not Measurement.objects.exists()
    for path in (
        reverse("sites:detail", args=[site.slug]),
        reverse("evaluation:indicators", args=[site.slug]),
    ):
        assert client.get(path).status_code == 200


def test_a_far_date_stored_before_the_bounds_still_shows_every_page(client, world):
    site = world.site_a
    indicator = indicator_for(site)
    # Stored directly, as the bounds' absence once let a form do.
    SelfAssessment.objects.create(site=site, assessed_on=dt.date(9999, 12, 31), continuum_level=3)
    SiteProgress.objects.filter(site=site).update(last_assessed_on=dt.date(9999, 12, 31))
    Measurement.objects.create(indicator=indicator, site=site, measured_on=dt.date(9999, 12, 31), value=3)
    world.login(client, world.seat_holder_a)
    for path in (
        reverse("sites:detail", args=[site.slug]),
        reverse("evaluation:indicators", args=[site.slug]),
        reverse("evaluation:assessments", args=[site.slug]),
    ):
        assert client.get(path).status_code == 200, path
    world.login(client, world.national)
    assert client.get(reverse("evaluation:due")).status_code == 200
