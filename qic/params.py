"""Reading numbers, dates and choices out of URL, query and form parameters: the one way views do it.

A parameter is text anyone can type. "²" passes `str.isdigit()` but not `int()`, "١٢" passes `int()` but
is no number a person meant, a 5000-digit number exceeds `int()`'s limit, a 20-digit one exceeds
PostgreSQL's columns and a NUL byte is refused by PostgreSQL: each is read here as "no value" (None),
which the view answers with no filter, a form error or a 404, never a server error.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

# ASCII digits only (`\d` also matches "١٢" and the digits of other scripts), at most 18 of them: any such
# number fits a 64-bit integer, so comparing it with the bounds below never overflows.
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# The range of PostgreSQL's `integer` (Django's IntegerField and AutoField on every database we run).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


def parse_int(value, *, min: int | None = INT_MIN, max: int | None = INT_MAX) -> int | None:
    """The integer written in `value` (ASCII digits, an optional minus sign) within [min, max], else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            return None
        number = int(text)
    if (min is not None and number < min) or (max is not None and number > max):
        return None
    return number


def parse_id(value) -> int | None:
    """A primary key or a positive number (a version, a wave, a revision number), else None."""
    return parse_int(value, min=1)


def parse_choice(value, choices, default=None):
    """`value` when it is one of `choices` (values, a dict's keys, a Django choices enum), else `default`."""
    allowed = choices if isinstance(choices, dict) else getattr(choices, "values", choices)
    return value if isinstance(value, str) and value in allowed else default


def parse_date(value) -> dt.date | None:
    """A date written YYYY-MM-DD that exists on the calendar, else None."""
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_text(value, *, max_length: int = 200) -> str:
    """Free text to search or filter by: stripped, NUL bytes (refused by PostgreSQL) removed, bounded."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:max_length]


class ParsedIdsMixin:
    """For a `ModelMultipleChoiceField`: a value that is no id (not ASCII digits, beyond the column's range)
    is an invalid choice. Django would put it in an `IN (...)` query, which SQLite cannot bind (a 500)."""

    def _check_values(self, value):
        if not self.to_field_name and isinstance(value, list | tuple):
            for pk in value:
                if parse_id(pk) is None:
                    message = self.error_messages["invalid_pk_value"]
                    raise ValidationError(message, code="invalid_pk_value", params={"pk": str(pk)[:20]})
        return super()._check_values(value)


class ModelMultipleIdField(ParsedIdsMixin, forms.ModelMultipleChoiceField):
    pass
