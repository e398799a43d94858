"""Template helpers shared by every page."""

from django import template
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

register = template.Library()


@register.filter
def dsfr_field(bound_field):
    """Render any form's field (allauth's included) as a DSFR field group, errors next to the field."""
    if bound_field.is_hidden:
        return bound_field.as_hidden()
    dsfr_input_class_attr(bound_field)
    return DsfrBoundField(bound_field.form, bound_field.field, bound_field.name).as_field_group()
