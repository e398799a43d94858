"""The columns of the national dashboard, by family, and where each family's data comes from.

Every fact a column shows is read from the site's row and its progress row (`sites.SiteProgress`, kept true
by the apps that own each fact): the table's page is one query, and sorting on any column is an `ORDER BY`
on a stored value. Each family has:
- `enrich(sites)`: what the page needs beyond the stored facts (only the coaching hours, whose split between
  held and planned depends on the hour: one query per page), set on each site;
- its `Column`s, each turning a site into a `Cell` for the table and a plain value for exports; a column
  whose sort needs a computed value (only the status's rank in the lifecycle) annotates it when the table is
  sorted on it (`Column.annotate`).

A family whose data does not exist yet is `available=False`: the table says "pas encore disponible" and
the export leaves the column empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from collectives.enums import TRINOME_SEATS
from collectives.services.coaching import minutes_by_site, to_hours
from evaluation.enums import ContinuumLevel
from qic import text
from qic.links import url_for
from sites import progress
from sites.enums import STATUS_ORDER, SiteKind, SiteStatus
from sites.templatetags.registry import STATUS_BADGES

SEAT_SHORT = {
    "prefect_delegate": "délégué·e du préfet",
    "municipality": "collectivité",
    "civil_society": "société civile",
}


@dataclass(slots=True)
class Cell:
    text: str = ""
    badge: str = ""  # a DSFR badge colour ("success", "warning", "new"...), or plain text when empty
    detail: str = ""  # a second, smaller line
    url: str = ""
    pending: bool = False  # the data comes from a capability not yet in service


PENDING = Cell(pending=True)


@dataclass(frozen=True)
class Column:
    key: str  # the sort key in the URL (`?tri=key` or `?tri=-key`) and the export's column id
    label: str
    cell: Callable[[object], Cell]
    export: Callable[[object], object]
    order_by: str | None = None  # the field or annotation to sort on; None: not sortable
    available: bool = True
    numeric: bool = False
    annotate: Callable[[QuerySet], QuerySet] | None = None  # what sorting on it needs


def _nothing(sites: list) -> None:
    return None


@dataclass(frozen=True)
class Family:
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    enrich: Callable[[list], None] = _nothing


def _date(value) -> str:
    """A day in a cell, kept on one line ("1er décembre 2026" with no-break spaces): a narrow column wraps
    around it rather than cut it."""
    return text.date(value).replace(" ", text.NBSP)


def _pending_export(site) -> str:
    return ""


# --- Identity: who, where, when (the registry itself) ------------------------------------------------------


def annotate_status_rank(queryset: QuerySet) -> QuerySet:
    """The status's rank in the lifecycle, to sort on (only when the table is: a CASE of six branches costs
    Django's compiler and PostgreSQL's planner ~1 ms a page)."""
    status_rank = Case(
        *[When(status=status, then=Value(rank)) for status, rank in STATUS_ORDER.items()],
        output_field=IntegerField(),
    )
    return queryset.annotate(status_rank=status_rank)


def site_url(site) -> str:
    """The site's page."""
    return url_for("sites:detail", site_slug=site.slug)


STATUS_CELLS = {
    status.value: (status.label, STATUS_BADGES.get(status.value, "").removeprefix("fr-badge--") or "grey")
    for status in SiteStatus
}


# The region breaks at its hyphens only ("Centre-" / "Val de Loire", never "Centre-Val de" / "Loire"); the
# kind of site under it, on one short line ("QPV" is how the programme’s people say it).
KIND_SHORT = {kind.value: kind.label for kind in SiteKind} | {SiteKind.QPV.value: "QPV"}


def _status_cell(site) -> Cell:
    label, badge = STATUS_CELLS.get(site.status, (site.status, "grey"))
    return Cell(label, badge=badge)


IDENTITY = Family(
    "identity",
    columns=(
        Column(
            "nom",
            "Site",
            lambda s: Cell(s.name, url=site_url(s), detail=f"{s.communes} ({s.department_code})"),
            lambda s: s.name,
            order_by="name",
        ),
        Column("vague", "Vague", lambda s: Cell(str(s.wave.number)), lambda s: s.wave.number, "wave__number"),
        Column(
            "region",
            "Région",
            lambda s: Cell(s.region_name.replace(" ", text.NBSP), detail=KIND_SHORT[s.kind]),
            lambda s: s.region_name,
            "department__region__name",
        ),
        Column(
            "statut",
            "Statut",
            _status_cell,
            lambda s: s.get_status_display(),
            "status_rank",
            annotate=annotate_status_rank,
        ),
    ),
)


# --- Trinôme: the three seats ------------------------------------------------------------------------------


def vacant_seats(site) -> list[str]:
    held = site.progress.held_seats
    return [SEAT_SHORT[seat.value] for seat in TRINOME_SEATS if seat.value not in held]


def _trinome_cell(site) -> Cell:
    vacant = vacant_seats(site)
    if not vacant:
        return Cell("Complet", badge="success")
    if len(vacant) == len(TRINOME_SEATS):
        return Cell("À constituer", badge="grey")
    return Cell(f"Vacant{text.NBSP}: " + ", ".join(vacant), badge="warning")


def _trinome_export(site) -> str:
    vacant = vacant_seats(site)
    return "complet" if not vacant else "vacant : " + ", ".join(vacant)


TRINOME = Family(
    "trinome",
    columns=(Column("trinome", "Trinôme", _trinome_cell, _trinome_export, "progress__seats_filled"),),
)


# --- Vision and change strategy -----------------------------------------------------------------------------


def _day(moment) -> str:
    """A stored moment as the day it was in France ("1er décembre 2026"), on one line."""
    return _date(moment)


def _on(moment) -> dt.date | None:
    """A stored moment as the day it was in France, for exports (a real date in a spreadsheet)."""
    return text.local_day(moment)


def _vision_cell(site) -> Cell:
    if site.progress.vision_adopted_at:
        return Cell(f"Adoptée le {_day(site.progress.vision_adopted_at)}", badge="success")
    return Cell("Non adoptée", badge="grey")


def _changes(count: int) -> str:
    return text.plural(count, "changement", "changements")


def _strategy_cell(site) -> Cell:
    facts = site.progress
    count = facts.strategy_change_count
    if facts.strategy_adopted_at:
        return Cell(
            f"Adoptée le {_day(facts.strategy_adopted_at)}",
            badge="success",
            detail=f"brouillon{text.NBSP}: {_changes(count)}",
        )
    if count:
        return Cell("En cours d’écriture", badge="new", detail=_changes(count))
    return Cell("Non commencée", badge="grey")


def _strategy_export(site) -> str:
    facts = site.progress
    if facts.strategy_adopted_at:
        return f"adoptée le {text.date(facts.strategy_adopted_at)}"
    return (
        f"en cours ({_changes(facts.strategy_change_count)})"
        if facts.strategy_change_count
        else "non commencée"
    )


VISION = Family(
    "vision",
    columns=(
        Column(
            "vision",
            "Vision adoptée",
            _vision_cell,
            lambda s: _on(s.progress.vision_adopted_at),
            order_by="progress__vision_adopted_at",
        ),
        Column(
            "strategie",
            "Stratégie de changement",
            _strategy_cell,
            _strategy_export,
            order_by="progress__strategy_change_count",
        ),
    ),
)


# --- Cooperation agreement ----------------------------------------------------------------------------------


def _agreement_cell(site) -> Cell:
    facts = site.progress
    url = url_for("collectives:agreement", site_slug=site.slug)
    if facts.agreement_in_force_since:
        detail = "nouvelle version en projet" if facts.agreement_draft_number else ""
        return Cell(
            f"Signée le {_date(facts.agreement_in_force_since)}", badge="success", detail=detail, url=url
        )
    if facts.agreement_draft_number:
        return Cell("En projet", badge="info", detail="pas encore signée par les trois sièges", url=url)
    return Cell("Pas commencée", badge="grey")


def _agreement_export(site) -> dt.date | str:
    facts = site.progress
    if facts.agreement_in_force_since:
        return facts.agreement_in_force_since
    return "en projet" if facts.agreement_draft_number else "pas commencée"


AGREEMENT = Family(
    "agreement",
    columns=(
        Column(
            "entente",
            "Entente de coopération",
            _agreement_cell,
            _agreement_export,
            order_by="progress__agreement_in_force_since",
        ),
    ),
)


# --- Self-assessment on the cooperation continuum ---------------------------------------------------------


def _self_assessment_cell(site) -> Cell:
    facts = site.progress
    if facts.last_assessed_on is None:
        return Cell("Aucune", badge="grey")
    url = url_for("evaluation:assessments", site_slug=site.slug)
    if facts.continuum_level is None:
        return Cell(f"Le {_date(facts.last_assessed_on)}", url=url)
    label = ContinuumLevel(facts.continuum_level).label
    return Cell(f"{label} ({facts.continuum_level}/7)", detail=f"le {_date(facts.last_assessed_on)}", url=url)


def _self_assessment_export(site) -> str:
    """The level reached on the continuum (the export gives the day in a column of its own)."""
    facts = site.progress
    if facts.last_assessed_on is None:
        return "aucune"
    level = facts.continuum_level
    return f"{ContinuumLevel(level).label} ({level}/7)" if level else "niveau non renseigné"


SELF_ASSESSMENT = Family(
    "self_assessment",
    columns=(
        Column(
            "autoevaluation",
            "Dernière auto-évaluation",
            _self_assessment_cell,
            _self_assessment_export,
            "progress__continuum_level",
        ),
    ),
)


# --- Sessions and coaching ----------------------------------------------------------------------------------


def enrich_sessions(sites: list) -> None:
    """The coaching minutes held and still to come of each site of the page (one query: which sessions are
    held depends on the hour; the total booked is stored)."""
    minutes = minutes_by_site({site.pk: site.progress.coaching_booked_minutes for site in sites})
    for site in sites:
        site.coaching_used_minutes, site.coaching_planned_minutes = minutes.get(site.pk, (0, 0))


def _session_cell(site) -> Cell:
    facts = site.progress
    if not facts.last_session_at:
        return Cell("aucune")
    return Cell(
        _day(facts.last_session_at),
        detail=facts.last_session_title,
        url=url_for("sessions:detail", pk=facts.last_session_id),
    )


def _coaching_hours(site):
    return to_hours(site.coaching_used_minutes), to_hours(site.coaching_planned_minutes)


def _coaching_cell(site) -> Cell:
    used, planned = _coaching_hours(site)
    budget = site.coaching_budget
    written = f"{text.hours(used)} / {text.hours(budget)}"
    if used + planned > budget:
        return Cell(written, badge="error", detail=f"dépassement de {text.hours(used + planned - budget)}")
    detail = f"+ {text.hours(planned)} prévues" if planned else f"reste {text.hours(budget - used)}"
    return Cell(written, detail=detail)


SESSIONS = Family(
    "sessions",
    enrich=enrich_sessions,
    columns=(
        Column(
            "session",
            "Dernière session",
            _session_cell,
            lambda s: _on(s.progress.last_session_at),
            "progress__last_session_at",
        ),
        Column(
            "accompagnement",
            "Accompagnement (heures)",
            _coaching_cell,
            lambda s: float(_coaching_hours(s)[0]),
            "progress__coaching_booked_minutes",
            numeric=True,
        ),
    ),
)


# --- Activity: the last dated event of the site's journal --------------------------------------------------


ACTIVITY = Family(
    "activity",
    columns=(
        Column(
            "activite",
            "Dernière activité",
            lambda s: Cell(_day(s.last_activity_at) or "aucune"),
            lambda s: _on(s.last_activity_at),
            "last_activity_at",
        ),
    ),
)


FAMILIES: tuple[Family, ...] = (IDENTITY, TRINOME, VISION, AGREEMENT, SELF_ASSESSMENT, SESSIONS, ACTIVITY)
COLUMNS: tuple[Column, ...] = tuple(column for family in FAMILIES for column in family.columns)
SORTS: dict[str, str] = {column.key: column.order_by for column in COLUMNS if column.order_by}
SORT_COLUMNS: dict[str, Column] = {column.key: column for column in COLUMNS if column.order_by}


def table_queryset(queryset: QuerySet, sort_key: str) -> QuerySet:
    """The sites of the table with their progress facts and their wave (whose coaching hours are the sites'
    budget by default), the names of their department and region the columns and exports show, plus what
    sorting on the chosen column needs (the status's rank).

    The place's names are read as values, not as related rows: Django builds no department and region
    objects for them (50 rows: 6.9-7.3 -> 6.0-6.9 ms of processor time for the page's query, measured on
    2,000 sites)."""
    table = queryset.select_related("progress", "wave").annotate(
        department_code=F("department__code"),
        department_name=F("department__name"),
        region_name=F("department__region__name"),
    )
    annotate = SORT_COLUMNS[sort_key].annotate
    return annotate(table) if annotate else table


def enrich(sites: list) -> list:
    """What the columns need beyond the stored facts, for these sites (a page of the table, or a chunk of an
    export): a site without a progress row yet reads as one with no fact."""
    if sites:
        progress.attach(sites)
        for family in FAMILIES:
            family.enrich(sites)
    return sites


def pending_labels() -> list[str]:
    return [column.label for column in COLUMNS if not column.available]


__all__ = ["Cell", "Column", "COLUMNS", "FAMILIES", "SORTS", "enrich", "table_queryset", "SiteStatus"]
