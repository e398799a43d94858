"""The input boundary of every form: text fields state their limit, and typed text arrives cleaned.

`FORM_RENDERER` points at `Renderer`, whose `bound_field_class` (Django 5.2) is used by every form of the
platform, allauth's and the admin's included, so no form can forget it:
- the data a text field validates, and shows again after an error, went through `qic.sanitize.clean_text`
  (no control nor bidi override character; single-line fields get no line break);
- a text field with a `max_length` says it next to the field ("1 000 caractères au maximum."), while Django
  puts the same number in the `maxlength` attribute and refuses longer text with a French message.

Dates typed in a form are `DateField`s: a day between 1950 and 2099 (a year 9999 once broke the site's pages
for everyone, through the due dates computed from it; a year 1 gave a session a 9-minute time offset), and
for what has already happened (a measurement, a self-assessment) not after today. The models' date fields
carry the same bounds (`plausible_date`), for the admin's forms and the API.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField as DjangoBoundField
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

from .sanitize import clean_text

SINGLE_LINE_WIDGETS = (forms.TextInput, forms.EmailInput, forms.URLInput, forms.HiddenInput)


def is_typed_text(field: forms.Field) -> bool:
    """A field whose value is text someone typed (passwords are kept exactly as typed)."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


def limit_hint(max_length: int) -> str:
    return f"{max_length:,}".replace(",", "\u00a0") + "\u00a0caractères au maximum."


def states_limit(field: forms.Field) -> bool:
    """Fields whose limit is worth saying: free text (an e-mail address has its own shape)."""
    return (
        is_typed_text(field)
        and field.max_length is not None
        and not field.widget.is_hidden
        and not isinstance(field, forms.EmailField)
    )


class BoundField(DjangoBoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        if states_limit(field):
            hint = limit_hint(field.max_length)
            self.help_text = f"{self.help_text} {hint}".strip() if self.help_text else hint

    @property
    def data(self):
        value = super().data
        if not is_typed_text(self.field) or not isinstance(value, str):
            return value
        return clean_text(value, single_line=isinstance(self.field.widget, SINGLE_LINE_WIDGETS))


EARLIEST_DATE, LATEST_DATE = dt.date(1950, 1, 1), dt.date(2099, 12, 31)
DATE_HELP = "Format attendu : JJ/MM/AAAA."


def plausible_date(value: dt.date) -> None:
    """A day the programme can mean (the validator of the models' date fields, and of `DateField`)."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            "Cette date est hors de portée : indiquez une date entre 1950 et 2099.", code="out_of_range"
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        bounds = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        super().__init__(attrs={**bounds, **(attrs or {})}, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date typed in a form (the browser's date picker, or JJ/MM/AAAA typed): bounded, and with
    `past_only`, not after today (what it dates has already happened)."""

    widget = DateInput
    input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
    default_error_messages = {
        "invalid": "Saisissez une date valide, par exemple 21/11/2026.",
        "required": "Indiquez une date.",
    }

    def __init__(self, *, past_only: bool = False, future_message: str = "", **kwargs):
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)
        self.past_only = past_only
        self.future_message = (
            future_message or "Cette date est à venir : indiquez une date passée ou celle du jour."
        )

    def validate(self, value):
        super().validate(value)
        plausible_date(value)  # said first: a year 9999 is not merely "to come"
        if self.past_only and value and value > timezone.localdate():
            raise ValidationError(self.future_message, code="future")


STALE_FORM = (
    "Ce formulaire n’a pas pu être enregistré\u00a0: une donnée que la page y avait mise n’est plus valable "
    "(page trop ancienne ou modifiée). Copiez votre saisie, rechargez la page, puis recommencez."
)


class SaysHiddenErrors(forms.Form):
    """A form whose hidden fields (the version it was opened on, its one-time token) are the page's, not the
    person's: one that does not validate is said above the form, where the person can read it (a hidden field
    has no place to show its error, and the form came back with no word of why)."""

    def full_clean(self):
        super().full_clean()
        hidden = [name for name in getattr(self, "_errors", None) or () if self._is_hidden(name)]
        if hidden:
            for name in hidden:
                del self._errors[name]
            self.add_error(None, STALE_FORM)

    def _is_hidden(self, name: str) -> bool:
        return name in self.fields and self.fields[name].widget.is_hidden


class Renderer(TemplatesSetting):
    bound_field_class = BoundField


__all__ = [
    "DATE_HELP",
    "BoundField",
    "DateField",
    "DateInput",
    "STALE_FORM",
    "Renderer",
    "SaysHiddenErrors",
    "is_typed_text",
    "limit_hint",
    "plausible_date",
    "states_limit",
]
