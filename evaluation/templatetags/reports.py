"""Template helpers of the reports: reading a snapshot's rows (dates and numbers are written by the `qic_text`
filters, available in every template)."""

from django import template

register = template.Library()


@register.filter
def index(sequence, position: int):
    try:
        return sequence[position]
    except (IndexError, KeyError, TypeError):
        return ""
