"""The one French formatter (`qic.text` and its template filters): dates with "1er", times "9 h 30",
numbers "1 234,5", plurals where 0 and 1 are singular, no-break spaces before « : ; ? ! » and inside « »;
and every template of the platform written with them."""

import ast
import datetime as dt
import pathlib
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template

from qic import text

NBSP, NNBSP = "\u00a0", "\u202f"
PARIS_NOON = dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        (dt.date(2026, 12, 1), "long", "1er décembre 2026"),
        (dt.date(2026, 12, 1), "weekday", "mardi 1er décembre 2026"),
        (dt.date(2026, 11, 17), "long", "17 novembre 2026"),
        (dt.date(2022, 9, 28), "long", "28 septembre 2022"),
        (dt.date(2026, 2, 2), "weekday", "lundi 2 février 2026"),
        (dt.date(2026, 8, 1), "day_month", "1er août"),
        (dt.date(2026, 12, 1), "month_year", "décembre 2026"),
        (dt.date(2026, 12, 1), "month_abbr", "déc."),
        (dt.date(2026, 12, 1), "short", "01/12/2026"),
        ("2026-12-01", "long", "1er décembre 2026"),  # snapshots store ISO dates
        ("2026-11-30T23:30:00+00:00", "long", "1er décembre 2026"),  # the day it was in Paris
        (dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), "long", "1er avril 2026"),
        (None, "long", ""),
        ("pas une date", "long", ""),
    ],
)
def test_dates(value, style, expected):
    assert text.date(value, style) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC), "9 h 30"),
        (dt.datetime(2026, 12, 1, 18, 52, tzinfo=dt.UTC), "19 h 52"),
        (dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), "14 h"),  # summer time
        (dt.time(9, 5), "9 h 05"),
        (None, ""),
    ],
)
def test_times(value, expected):
    """No-break spaces inside a time: it is never cut at the end of a line."""
    assert text.time(value) == expected.replace(" ", NBSP)


def test_date_times_and_session_spans():
    start = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    nine_thirty, twelve_thirty = f"9{NBSP}h{NBSP}30", f"12{NBSP}h{NBSP}30"
    assert text.date_time(start) == f"1er décembre 2026 à {nine_thirty}"
    assert text.date_time(dt.date(2026, 12, 1)) == "1er décembre 2026"
    assert text.session_span(start, start + dt.timedelta(hours=3)) == (
        f"mardi 1er décembre 2026, {nine_thirty} – {twelve_thirty}"
    )
    assert text.session_span(start, start + dt.timedelta(days=1, hours=8)) == (
        f"du mardi 1er décembre 2026, {nine_thirty}, au mercredi 2 décembre 2026, 17{NBSP}h{NBSP}30"
    )
    assert [text.duration(m) for m in (45, 60, 90)] == [f"45{NBSP}min", f"1{NBSP}h", f"1{NBSP}h{NBSP}30"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234.5, f"1{NNBSP}234,5"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (Decimal("10.0"), "10"),
        (2.25, "2,25"),
        (-0.001, "0"),
        (None, ""),
    ],
)
def test_numbers(value, expected):
    assert text.number(value) == expected


def test_hours_and_averages():
    assert text.hours(1234.5) == f"1{NNBSP}234,5{NBSP}h"
    assert text.hours(Decimal("10.0")) == f"10{NBSP}h"
    assert text.hours(2.5, unit=False) == "2,5"
    assert text.average(2.5, 4) == "2,5/4" and text.average(None, 4) == "—"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 site créé"), (1, "1 site créé"), (2, "2 sites créés"), (1500, "1 500 sites créés")],
)
def test_plurals_keep_the_singular_for_zero_and_one(count, expected):
    assert text.plural(count, "site créé", "sites créés").replace(NNBSP, " ") == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Statut : actif", f"Statut{NBSP}: actif"),
        ("Statut: actif", f"Statut{NBSP}: actif"),
        ("Vraiment ? Oui ! Alors ; fin", f"Vraiment{NNBSP}? Oui{NNBSP}! Alors{NNBSP}; fin"),
        ("Pourquoi?!", f"Pourquoi{NNBSP}?!"),
        ("« Quartiers à impact collectif »", f"«{NBSP}Quartiers à impact collectif{NBSP}»"),
        ("«oui»", f"«{NBSP}oui{NBSP}»"),
        ("12 % en 2 h", f"12{NBSP}% en 2{NBSP}h"),
        # Left alone: times, addresses, HTML entities, what is already right.
        ("à 19:52, https://exemple.fr/?a=1", "à 19:52, https://exemple.fr/?a=1"),
        ("Pierre &amp; Marie", "Pierre &amp; Marie"),
        (f"Statut{NBSP}: actif", f"Statut{NBSP}: actif"),
    ],
)
def test_typographic_spaces(written, expected):
    assert text.typo(written) == expected
    assert text.typo(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("written", "expected"),
    [(" Coopération  d'acteurs ", "coopération d’acteurs"), ("ÉDUCATION", "éducation"), ("", "")],
)
def test_tags_keep_their_accents(written, expected):
    assert text.tag(written) == expected


def test_template_filters_are_available_everywhere():
    rendered = Template(
        "{{ day|frdate }} · {{ day|frdate:'weekday' }} · {{ moment|frdatetime }} · {{ moment|frtime }} · "
        "{{ hours|hours }}\u00a0h · {{ big|frnumber }} · {{ n }} site{{ n|fr_plural }} · "
        "{{ none|frnumber }} · "
        "{{ label|typo }}"
    ).render(
        Context(
            {
                "day": dt.date(2026, 12, 1),
                "moment": PARIS_NOON,
                "hours": Decimal("2.5"),
                "big": 1234.5,
                "n": 0,
                "none": None,
                "label": "Vacant : P1",
            }
        )
    )
    assert rendered == (
        f"1er décembre 2026 · mardi 1er décembre 2026 · 1er décembre 2026 à 12{NBSP}h · 12{NBSP}h · "
        f"2,5{NBSP}h · "
        f"1{NNBSP}234,5 · 0 site · — · Vacant{NBSP}: P1"
    )


# --- Every template is written with the formatter ---------------------------------------------------------

TEMPLATES = sorted(
    path
    for path in pathlib.Path(settings.BASE_DIR, "templates").rglob("*")
    if path.suffix in (".html", ".txt") and path.is_file()
)
# What is not text shown to people: template tags and comments, markup, scripts, styles, typed text.
NOT_TEXT = re.compile(
    r"(\{%\s*comment\b.*?\{%\s*endcomment\s*%\}|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<script\b.*?</script>"
    r"|<style\b.*?</style>|<textarea\b.*?</textarea>|<pre\b.*?</pre>|<!--.*?-->|<[^>]*>)",
    re.S,
)


def test_the_text_of_every_template_has_its_typographic_spaces():
    wrong = []
    for path in TEMPLATES:
        source = path.read_text()
        for part in NOT_TEXT.split(source)[::2]:
            if text.typo(part) != part:
                wrong.append(f"{path.name}: {part.strip()[:80]!r}")
        # A number written by a filter, then its unit: "{{ used|hours }} h".
        wrong += [f"{path.name}: {m.group(0)!r}" for m in re.finditer(r"\}\} (h|min|%)(?!\w)", source)]
    assert not wrong, "Write these with no-break spaces (qic.text.typo):\n" + "\n".join(wrong)


def test_templates_format_dates_and_plurals_the_french_way():
    """Django's `date` filter writes "1 décembre" and "Déc"; `pluralize` writes "0 sites". Only the machine
    form of a date (`|date:'c'`, or to the minute `|date:'Y-m-d\\TH:iO'` as the Nu checker prefers, in a
    `datetime` attribute) is left to it."""
    wrong = []
    for path in TEMPLATES:
        source = path.read_text()
        for match in re.finditer(r"\|(date|time|pluralize|floatformat)\b(:['\"][^'\"]*['\"])?", source):
            if match.group(0) not in (
                "|date:'c'",
                '|date:"c"',
                "|date:'Y-m-d\\TH:iO'",
                '|date:"j"',
                '|floatformat:"-1"',
            ):
                wrong.append(f"{path.name}: {match.group(0)}")
    assert not wrong, "Use frdate, frdatetime, frtime, fr_plural, frnumber:\n" + "\n".join(wrong)


# --- Every French text written in Python (messages, form errors, help texts, cells, journal entries) -----

APPS = ("qic", "sites", "collectives", "vision", "evaluation", "fixtures")
# A French text: accents, guillemets, a typographic apostrophe or a space before : ; ? ! (English puts none).
# Code strings (identifiers, format codes, URLs, English log lines) have none of these.
FRENCH = re.compile(r"[éèêàùçôîœ’«»]| [:;?!](\s|$)")
# Names of texts that find rows already stored (a schedule by its name, the synthetic sessions by their note):
# written otherwise, they would miss those rows and create a second schedule.
STORED_KEYS = {"SCHEDULE_NAME", "SESSION_NOTE"}


def _python_texts():
    """(module, line, text) of each string literal of the apps, or piece of an f-string, but docstrings,
    stored keys, regular expressions and the formatter's own patterns."""
    for app in APPS:
        for path in sorted(pathlib.Path(settings.BASE_DIR, app).rglob("*.py")):
            if "migrations" in path.parts or path == pathlib.Path(text.__file__):
                continue
            tree = ast.parse(path.read_text())
            keys = {
                id(node.value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign)
                and {getattr(target, "id", None) for target in node.targets} & STORED_KEYS
            }
            patterns = {  # re.compile("…»…"): a regular expression, not a text
                id(node.args[0])
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", None) == "re"
                and node.args
            }
            skipped = (
                keys
                | patterns
                | {
                    id(node.body[0].value)
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                    and node.body
                    and isinstance(node.body[0], ast.Expr)
                    and isinstance(node.body[0].value, ast.Constant)
                }
            )
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
                    yield path.relative_to(settings.BASE_DIR), node.lineno, node.value


def test_the_french_text_written_in_python_has_its_typographic_spaces():
    """What views, forms and services write (messages, errors, help texts, cells, journal entries, e-mails)
    reaches pages, PDFs, exports and e-mails as it is: it is written right at the source, as templates are."""
    wrong = [
        f"{module}:{line}: {value.strip()[:80]!r}"
        for module, line, value in _python_texts()
        if FRENCH.search(value) and text.typo(value) != value
    ]
    assert not wrong, "Write these with no-break spaces (as qic.text.typo does):\n" + "\n".join(wrong)


def test_isotime_writes_a_moment_in_french_time_as_djangos_date_filter_does():
    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from qic.templatetags.qic_text import isotime

    winter = dt.datetime(2026, 1, 15, 8, 5, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)
    for moment in (winter, summer):  # a template shows moments in local time, then filters them
        assert isotime(moment) == date_filter(timezone.localtime(moment), "Y-m-d\\TH:iO")
    assert (isotime(winter), isotime(summer)) == ("2026-01-15T09:05+0100", "2026-07-02T00:30+0200")
    assert isotime(None) == ""
