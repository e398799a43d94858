"""The columns of the national dashboard, by family, and where each family's data comes from.

This is the one place later capabilities plug their data in. Each family has:
- an `annotate_<family>(queryset)` function that adds what its cells need to the sites queryset, with
  annotations or subqueries only (one query for the whole page, whatever the number of sites);
- its `Column`s, each turning an annotated site into a `Cell` for the table and a plain value for exports.

A family whose data does not exist yet is `available=False`: the table says "pas encore disponible" and
the export leaves the column empty. To wire it, a later issue fills the annotate function, writes the cell
and export functions, and sets `available=True` (and `order_by` to make the column sortable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from collectives.enums import TRINOME_SEATS
from collectives.models import Membership

from ..enums import STATUS_ORDER, SiteKind, SiteStatus
from ..templatetags.registry import STATUS_BADGES

SEAT_FIELDS = {seat: f"seat_{seat.value}" for seat in TRINOME_SEATS}
SEAT_SHORT = {
    "prefect_delegate": "délégué·e du préfet",
    "municipality": "collectivité",
    "civil_society": "société civile",
}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Family:
    key: str
    annotate: Callable[[QuerySet], QuerySet]
    columns: tuple[Column, ...] = field(default_factory=tuple)


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _pending_export(site) -> str:
    return ""


# --- Identity: who, where, when (the registry itself) ------------------------------------------------------


def annotate_identity(queryset: QuerySet) -> QuerySet:
    status_rank = Case(
        *[When(status=status, then=Value(rank)) for status, rank in STATUS_ORDER.items()],
        output_field=IntegerField(),
    )
    return queryset.select_related("department__region", "wave").annotate(status_rank=status_rank)


def _status_cell(site) -> Cell:
    badge = STATUS_BADGES.get(site.status, "").removeprefix("fr-badge--")
    return Cell(site.get_status_display(), badge=badge or "grey")


IDENTITY = Family(
    "identity",
    annotate_identity,
    (
        Column(
            "nom",
            "Site",
            lambda s: Cell(s.name, url=s.get_absolute_url(), detail=f"{s.communes} ({s.department.code})"),
            lambda s: s.name,
            order_by="name",
        ),
        Column("vague", "Vague", lambda s: Cell(str(s.wave.number)), lambda s: s.wave.number, "wave__number"),
        Column(
            "region",
            "Région",
            lambda s: Cell(s.department.region.name, detail=SiteKind(s.kind).label),
            lambda s: s.department.region.name,
            "department__region__name",
        ),
        Column("statut", "Statut", _status_cell, lambda s: s.get_status_display(), "status_rank"),
    ),
)


# --- Trinôme: the three seats ------------------------------------------------------------------------------


def annotate_trinome(queryset: QuerySet) -> QuerySet:
    current = Membership.objects.filter(site=OuterRef("pk"), ended_on__isnull=True)
    seats = {name: Exists(current.filter(role=seat)) for seat, name in SEAT_FIELDS.items()}
    queryset = queryset.annotate(**seats)
    filled = sum((Cast(name, IntegerField()) for name in SEAT_FIELDS.values()), Value(0))
    return queryset.annotate(seats_filled=filled)


def vacant_seats(site) -> list[str]:
    return [SEAT_SHORT[seat.value] for seat, name in SEAT_FIELDS.items() if not getattr(site, name)]


def _trinome_cell(site) -> Cell:
    vacant = vacant_seats(site)
    if not vacant:
        return Cell("Complet", badge="success")
    if len(vacant) == len(SEAT_FIELDS):
        return Cell("À constituer", badge="grey")
    return Cell("Vacant : " + ", ".join(vacant), badge="warning")


def _trinome_export(site) -> str:
    vacant = vacant_seats(site)
    return "complet" if not vacant else "vacant : " + ", ".join(vacant)


TRINOME = Family(
    "trinome",
    annotate_trinome,
    (Column("trinome", "Trinôme", _trinome_cell, _trinome_export, "seats_filled"),),
)


# --- Vision and change strategy (issue "Vision": plug the adopted vision and the drafted strategy here) ----


def annotate_vision(queryset: QuerySet) -> QuerySet:
    from vision.selectors import with_vision_status

    return with_vision_status(queryset)


def _day(moment) -> str:
    """A stored moment as the day it was in France (dates are shown in Europe/Paris)."""
    return _date(timezone.localdate(moment)) if moment else ""


def _vision_cell(site) -> Cell:
    if site.vision_adopted_at:
        return Cell(f"Adoptée le {_day(site.vision_adopted_at)}", badge="success")
    return Cell("Non adoptée", badge="grey")


def _changes(count: int) -> str:
    return f"{count} changement{'s' if count > 1 else ''}"


def _strategy_cell(site) -> Cell:
    count = site.strategy_change_count
    if site.strategy_adopted_at:
        return Cell(
            f"Adoptée le {_day(site.strategy_adopted_at)}",
            badge="success",
            detail=f"brouillon : {_changes(count)}",
        )
    if site.strategy_drafted:
        return Cell("En cours d’écriture", badge="new", detail=_changes(count))
    return Cell("Non commencée", badge="grey")


def _strategy_export(site) -> str:
    if site.strategy_adopted_at:
        return f"adoptée le {_day(site.strategy_adopted_at)}"
    return f"en cours ({_changes(site.strategy_change_count)})" if site.strategy_drafted else ""


VISION = Family(
    "vision",
    annotate_vision,
    (
        Column(
            "vision",
            "Vision adoptée",
            _vision_cell,
            lambda s: _day(s.vision_adopted_at),
            "vision_adopted_at",
        ),
        Column(
            "strategie", "Stratégie de changement", _strategy_cell, _strategy_export, "strategy_change_count"
        ),
    ),
)


# --- Cooperation agreement (issue "Collectives": plug the signed agreement here) ---------------------------


def annotate_agreement(queryset: QuerySet) -> QuerySet:
    from collectives.services.agreement import draft_number_subquery, in_force_since_subquery

    return queryset.annotate(
        agreement_in_force_since=in_force_since_subquery(), agreement_draft_number=draft_number_subquery()
    )


def _agreement_cell(site) -> Cell:
    url = reverse("collectives:agreement", args=[site.slug])
    if site.agreement_in_force_since:
        detail = "nouvelle version en projet" if site.agreement_draft_number else ""
        return Cell(
            f"Signée le {_date(site.agreement_in_force_since)}", badge="success", detail=detail, url=url
        )
    if site.agreement_draft_number:
        return Cell("En projet", badge="info", detail="pas encore signée par les trois sièges", url=url)
    return Cell("Pas commencée", badge="grey")


def _agreement_export(site) -> str:
    if site.agreement_in_force_since:
        return site.agreement_in_force_since.isoformat()
    return "en projet" if site.agreement_draft_number else ""


AGREEMENT = Family(
    "agreement",
    annotate_agreement,
    (
        Column(
            "entente",
            "Entente de coopération",
            _agreement_cell,
            _agreement_export,
            order_by="agreement_in_force_since",
        ),
    ),
)


# --- Self-assessment on the cooperation continuum (issue "Evaluation": plug the last one here) -------------


def annotate_self_assessment(queryset: QuerySet) -> QuerySet:
    return queryset


SELF_ASSESSMENT = Family(
    "self_assessment",
    annotate_self_assessment,
    (
        Column(
            "autoevaluation", "Dernière auto-évaluation", lambda s: PENDING, _pending_export, available=False
        ),
    ),
)


# --- Sessions and coaching (issue "Sessions": plug the last session attended and the hours used here) ------


def annotate_sessions(queryset: QuerySet) -> QuerySet:
    return queryset


def hours(value) -> str:
    """10.0 → "10", 12.5 → "12,5" (French decimal comma)."""
    return f"{value.normalize():f}".replace(".", ",")


def _coaching_cell(site) -> Cell:
    # The budget is known today; the hours used come with the sessions and coaching log.
    return Cell(pending=True, detail=f"budget {hours(site.coaching_budget)} h")


SESSIONS = Family(
    "sessions",
    annotate_sessions,
    (
        Column("session", "Dernière session", lambda s: PENDING, _pending_export, available=False),
        Column(
            "accompagnement",
            "Accompagnement (heures)",
            _coaching_cell,
            lambda s: float(s.coaching_budget),
            available=False,
            numeric=True,
        ),
    ),
)


# --- Activity: the last dated event of the site's journal --------------------------------------------------


def annotate_activity(queryset: QuerySet) -> QuerySet:
    return queryset


ACTIVITY = Family(
    "activity",
    annotate_activity,
    (
        Column(
            "activite",
            "Dernière activité",
            lambda s: Cell(_date(s.last_activity_at) or "aucune"),
            lambda s: _date(s.last_activity_at),
            "last_activity_at",
        ),
    ),
)


FAMILIES: tuple[Family, ...] = (IDENTITY, TRINOME, VISION, AGREEMENT, SELF_ASSESSMENT, SESSIONS, ACTIVITY)
COLUMNS: tuple[Column, ...] = tuple(column for family in FAMILIES for column in family.columns)
SORTS: dict[str, str] = {column.key: column.order_by for column in COLUMNS if column.order_by}


def annotate(queryset: QuerySet) -> QuerySet:
    """Every family's data on the sites queryset: what the table, the export and the alerts read."""
    for family in FAMILIES:
        queryset = family.annotate(queryset)
    return queryset


def pending_labels() -> list[str]:
    return [column.label for column in COLUMNS if not column.available]


__all__ = ["Cell", "Column", "COLUMNS", "FAMILIES", "SORTS", "annotate", "SiteStatus"]
