"""Template helpers of the reports: reading a snapshot's rows (dates and numbers are written by the `qic_text`
filters, available in every template)."""

from django import template

register = template.Library()


@register.filter
def fact(row: dict, key: str):
    """The value of one fact of an annex row."""
    return row.get("facts", {}).get(key)


@register.filter
def index(sequence, position: int):
    try:
        return sequence[position]
    except (IndexError, KeyError, TypeError):
        return ""
