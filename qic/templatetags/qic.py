"""Template helpers shared by every page."""

import uuid

from django import template
from django.utils.html import format_html
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from qic import pagination
from qic.forms import BoundField
from qic.idempotency import FIELD
from qic.sanitize import render_markdown

register = template.Library()


# django-dsfr's own templates for these widgets load `widget_tweaks`, a library the platform does not install,
# and mark each input with a `dsfr` attribute that HTML does not know: the platform draws them itself.
CHOICE_TEMPLATES = {
    "checkbox": "includes/fields/checkbox.html",
    "checkboxselectmultiple": "includes/fields/choices.html",
    "radioselect": "includes/fields/choices.html",
}


class _DsfrBoundField(BoundField, DsfrBoundField):
    """The DSFR field group, with the platform's input cleaning and stated limit (`qic.forms`)."""

    @property
    def template_name(self):
        return CHOICE_TEMPLATES.get(self.widget_type) or super().template_name


@register.filter
def dsfr_field(bound_field):
    """Render any form's field (allauth's included) as a DSFR field group, errors next to the field."""
    if bound_field.is_hidden:
        return bound_field.as_hidden()
    widget = bound_field.field.widget
    if bound_field.widget_type in CHOICE_TEMPLATES:
        bound_field.field.label_suffix = ""
        if bound_field.widget_type == "checkbox" and bound_field.form._errors and bound_field.errors:
            hint = f"{bound_field.auto_id}_helptext " if bound_field.help_text else ""
            widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{hint}{bound_field.auto_id}-desc-error"}
            )
    else:
        dsfr_input_class_attr(bound_field)
    if not hasattr(widget, "group_class"):  # the DSFR snippet reads it; only selects and radios set it
        widget.group_class = "fr-input-group"
    return _DsfrBoundField(bound_field.form, bound_field.field, bound_field.name).as_field_group()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (filters survive pagination and sorting)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def pagination_links(context, page):
    """The links of `includes/pagination.html` (qic.pagination), relative to the current page."""
    return pagination.links(page, context["request"].GET)


@register.filter
def markdown(value):
    """Formatted text typed by someone, rendered and sanitised (qic.sanitize)."""
    return render_markdown(value or "")


@register.simple_tag
def submission_token():
    """The one-time token (`qic.idempotency`) of a creating form written by hand, shown without its Form
    object (the vision workspace's inline additions): sent twice or twenty times at once, it creates once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form, **anchors):
    """Above a long form sent with errors: its general errors, then each field to correct as a link to it
    (its first error; every error is also next to its field). `anchors` names the id to link to for a field
    drawn by hand as a group (sites="sites-choices")."""
    items = [
        (field.label, field.errors[0], anchors.get(field.name) or field.id_for_label)
        for field in form
        if field.errors and not field.is_hidden
    ]
    return {"general": form.non_field_errors(), "items": items}
