"""The input boundary of every form: text fields state their limit, and typed text arrives cleaned.

`FORM_RENDERER` points at `Renderer`, whose `bound_field_class` (Django 5.2) is used by every form of the
platform, allauth's and the admin's included, so no form can forget it:
- the data a text field validates, and shows again after an error, went through `qic.sanitize.clean_text`
  (no control nor bidi override character; single-line fields get no line break);
- a text field with a `max_length` says it next to the field ("1 000 caractères au maximum."), while Django
  puts the same number in the `maxlength` attribute and refuses longer text with a French message.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField as DjangoBoundField
from django.forms.renderers import TemplatesSetting

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


class Renderer(TemplatesSetting):
    bound_field_class = BoundField


__all__ = ["BoundField", "Renderer", "is_typed_text", "limit_hint", "states_limit"]
