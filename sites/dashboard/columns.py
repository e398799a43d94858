"""The columns of the national dashboard, by family, and where each family's data comes from.

This is the one place later capabilities plug their data in. Each family has:
- `enrich(sites)`: loads its data for a list of sites (the table's page, or a chunk of an export) in one query
  and sets it on each site; the cost is one query per page, whatever the number of sites;
- `annotate(queryset)`: what sorting on its columns needs, as annotations (only used when sorting by them);
- its `Column`s, each turning a site into a `Cell` for the table and a plain value for exports.

A family whose data does not exist yet is `available=False`: the table says "pas encore disponible" and
the export leaves the column empty. To wire it, a later issue fills `enrich` (and `annotate` plus
`order_by` to make a column sortable), writes the cell and export functions, and sets `available=True`.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse

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


def _unchanged(queryset: QuerySet) -> QuerySet:
    return queryset


def _nothing(sites: list) -> None:
    return None


@dataclass(frozen=True)
class Family:
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    enrich: Callable[[list], None] = _nothing
    annotate: Callable[[QuerySet], QuerySet] = _unchanged
    # The models ("app.model") its data is read from: a write to one of them refreshes the cached rows of the
    # table (`cache.py`). A family that plugs its data in must name them.
    models: tuple[str, ...] = ()


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
    return queryset.annotate(status_rank=status_rank)


_URL_ARGUMENT = 987654321


@functools.cache
def _url_parts(name: str) -> tuple[str, str]:
    """A URL taking one argument, resolved once: 50 rows × a few links through the resolver cost more than
    the page's queries. (The script prefix of a deployment does not change while it runs.)"""
    before, after = reverse(name, args=[_URL_ARGUMENT]).split(str(_URL_ARGUMENT))
    return before, after


def url_for(name: str, argument) -> str:
    """`reverse(name, args=[argument])` for a slug or an id, without the resolver."""
    before, after = _url_parts(name)
    return f"{before}{argument}{after}"


def site_url(site) -> str:
    """The site's page."""
    return url_for("sites:detail", site.slug)


STATUS_CELLS = {
    status.value: (status.label, STATUS_BADGES.get(status.value, "").removeprefix("fr-badge--") or "grey")
    for status in SiteStatus
}


def _status_cell(site) -> Cell:
    label, badge = STATUS_CELLS.get(site.status, (site.status, "grey"))
    return Cell(label, badge=badge)


IDENTITY = Family(
    "identity",
    models=("sites.site", "sites.department", "sites.region", "sites.wave"),
    annotate=annotate_identity,
    columns=(
        Column(
            "nom",
            "Site",
            lambda s: Cell(s.name, url=site_url(s), detail=f"{s.communes} ({s.department.code})"),
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


def enrich_trinome(sites: list) -> None:
    held = set(
        Membership.objects.current()
        .seats()
        .filter(site__in=[site.pk for site in sites])
        .order_by()
        .values_list("site_id", "role")
    )
    for site in sites:
        for seat, name in SEAT_FIELDS.items():
            setattr(site, name, (site.pk, seat.value) in held)
        site.seats_filled = sum(getattr(site, name) for name in SEAT_FIELDS.values())


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
    models=("collectives.membership",),
    columns=(Column("trinome", "Trinôme", _trinome_cell, _trinome_export, "seats_filled"),),
    enrich=enrich_trinome,  # the sort reads the stored count, `Site.seats_filled` (sites/seats.py)
)


# --- Vision and change strategy (issue "Vision": plug the adopted vision and the drafted strategy here) ----


def annotate_vision(queryset: QuerySet) -> QuerySet:
    from vision.selectors import with_vision_status

    return with_vision_status(queryset)


@functools.cache
def _france():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _day(moment) -> str:
    """A stored moment as the day it was in France (dates are shown in Europe/Paris, the platform's only time
    zone: looking the active one up for every cell of the page costs more than the rest of the cell)."""
    return _date(moment.astimezone(_france())) if moment else ""


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


def enrich_vision(sites: list) -> None:
    """Adoption dates and the strategy's state of each site of the page: two plain queries (what
    `annotate_vision` computes with four subqueries, which cost more to build than to run)."""
    from vision.models import Change, Revision

    ids = [site.pk for site in sites]
    vision_at, strategy_at = {}, {}
    adopted = (
        Revision.objects.filter(site__in=ids, adopted_at__isnull=False)
        .order_by()
        .values_list("site_id", "adopted_at", "adopted_with_strategy")
    )
    for site_id, at, with_strategy in adopted:
        if site_id not in vision_at or at > vision_at[site_id]:
            vision_at[site_id] = at
        if with_strategy and (site_id not in strategy_at or at > strategy_at[site_id]):
            strategy_at[site_id] = at
    changes = dict(
        Change.objects.filter(site__in=ids)
        .order_by()
        .values("site_id")
        .annotate(n=Count("pk"))
        .values_list("site_id", "n")
    )
    for site in sites:
        site.vision_adopted_at = vision_at.get(site.pk)
        site.strategy_adopted_at = strategy_at.get(site.pk)
        site.strategy_change_count = changes.get(site.pk, 0)
        site.strategy_drafted = site.strategy_change_count > 0


VISION = Family(
    "vision",
    models=("vision.revision", "vision.change"),
    annotate=annotate_vision,
    enrich=enrich_vision,
    columns=(
        Column(
            "vision",
            "Vision adoptée",
            _vision_cell,
            lambda s: _day(s.vision_adopted_at),
            order_by="vision_adopted_at",
        ),
        Column(
            "strategie",
            "Stratégie de changement",
            _strategy_cell,
            _strategy_export,
            order_by="strategy_change_count",
        ),
    ),
)


# --- Cooperation agreement (issue "Collectives": plug the signed agreement here) ---------------------------


def annotate_agreement(queryset: QuerySet) -> QuerySet:
    """For sorting by the agreement column: the date it came into force."""
    from collectives.services.agreement import in_force_since_subquery

    return queryset.annotate(agreement_in_force_since=in_force_since_subquery())


def enrich_agreement(sites: list) -> None:
    """The agreement in force (its date) and the open draft (its number) of each site, in one query."""
    from collectives.enums import AgreementStatus
    from collectives.models import CooperationAgreement

    in_force, drafts = {}, {}
    agreements = (
        CooperationAgreement.objects.filter(
            site__in=[site.pk for site in sites], status__in=[AgreementStatus.IN_FORCE, AgreementStatus.DRAFT]
        )
        .order_by("number")  # the latest wins below
        .values_list("site_id", "status", "in_force_since", "number")
    )
    for site_id, status, since, number in agreements:
        if status == AgreementStatus.IN_FORCE:
            in_force[site_id] = since
        else:
            drafts[site_id] = number
    for site in sites:
        site.agreement_in_force_since = in_force.get(site.pk)
        site.agreement_draft_number = drafts.get(site.pk)


def _agreement_cell(site) -> Cell:
    url = url_for("collectives:agreement", site.slug)
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
    models=("collectives.cooperationagreement",),
    columns=(
        Column(
            "entente",
            "Entente de coopération",
            _agreement_cell,
            _agreement_export,
            order_by="agreement_in_force_since",
        ),
    ),
    enrich=enrich_agreement,
    annotate=annotate_agreement,
)


# --- Self-assessment on the cooperation continuum (issue "Evaluation loop") --------------------------------


def annotate_self_assessment(queryset: QuerySet) -> QuerySet:
    """For sorting by the self-assessment column: the site's latest position on the continuum (0: none, so
    that sites never placed sort below the others on every database)."""
    from evaluation.assessments import latest_continuum_subquery

    return queryset.annotate(sort_continuum_level=Coalesce(latest_continuum_subquery(), 0))


def enrich_self_assessment(sites: list) -> None:
    """The latest self-assessment's date and the latest continuum position of each site, in one query."""
    from evaluation.assessments import latest_assessment_date_subquery, latest_continuum_subquery
    from sites.models import Site

    rows = (
        Site.objects.filter(pk__in=[site.pk for site in sites])
        .annotate(level=latest_continuum_subquery(), assessed_on=latest_assessment_date_subquery())
        .values_list("pk", "level", "assessed_on")
    )
    found = {pk: (level, on) for pk, level, on in rows}
    for site in sites:
        site.last_continuum_level, site.last_assessed_on = found.get(site.pk, (None, None))


def _self_assessment_cell(site) -> Cell:
    from evaluation.enums import ContinuumLevel

    if site.last_assessed_on is None:
        return Cell("Aucune", badge="grey")
    url = url_for("evaluation:assessments", site.slug)
    if site.last_continuum_level is None:
        return Cell(f"Le {_date(site.last_assessed_on)}", url=url)
    label = ContinuumLevel(site.last_continuum_level).label
    return Cell(
        f"{label} ({site.last_continuum_level}/7)", detail=f"le {_date(site.last_assessed_on)}", url=url
    )


def _self_assessment_export(site) -> str:
    from evaluation.enums import ContinuumLevel

    return ContinuumLevel(site.last_continuum_level).label if site.last_continuum_level else ""


SELF_ASSESSMENT = Family(
    "self_assessment",
    models=("evaluation.selfassessment",),
    columns=(
        Column(
            "autoevaluation",
            "Dernière auto-évaluation",
            _self_assessment_cell,
            _self_assessment_export,
            "sort_continuum_level",
        ),
    ),
    enrich=enrich_self_assessment,
    annotate=annotate_self_assessment,
)


# --- Sessions and coaching (issue "Sessions": plug the last session attended and the hours used here) ------


def annotate_sessions(queryset: QuerySet) -> QuerySet:
    """For sorting by the session columns: when the site last attended a session (someone of the site ticked
    present) and its coaching minutes. The rows get the session's title and link from `enrich_sessions`."""
    from collectives.services.coaching import annotate_minutes

    # A plain maximum per site (not "the latest row first, limit 1", which the planner ran as a scan of every
    # session for each site).
    last = _attended().values("site").annotate(last=Max("session__starts_at")).values("last")
    queryset = annotate_minutes(queryset.annotate(last_session_at=Subquery(last)))
    return queryset.annotate(
        coaching_booked_minutes=F("coaching_used_minutes") + F("coaching_planned_minutes")
    )


def _attended():
    """The presences of a site at sessions that were held (not cancelled)."""
    from collectives.models import Participant

    return Participant.objects.filter(
        site=OuterRef("pk"), present=True, session__cancelled_at__isnull=True
    ).order_by()


def enrich_sessions(sites: list) -> None:
    """Last session attended and coaching minutes of each site of the page, in two plain queries (what
    `annotate_sessions` computes with subqueries, which cost more to build than to run)."""
    from collectives.models import Participant
    from collectives.services.coaching import minutes_by_site

    ids = [site.pk for site in sites]
    attended = (
        Participant.objects.filter(site__in=ids, present=True, session__cancelled_at__isnull=True)
        .order_by()
        .values_list("site_id", "session__starts_at", "session_id", "session__title")
        .distinct()
    )
    last = {}
    for site_id, starts_at, session_id, title in attended:
        if site_id not in last or (starts_at, session_id) > last[site_id][:2]:
            last[site_id] = (starts_at, session_id, title)
    minutes = minutes_by_site(ids)
    for site in sites:
        site.last_session_at, site.last_session_id, site.last_session_title = last.get(site.pk, (None,) * 3)
        site.coaching_used_minutes, site.coaching_planned_minutes = minutes.get(site.pk, (0, 0))
        site.coaching_booked_minutes = site.coaching_used_minutes + site.coaching_planned_minutes


def hours(value) -> str:
    """10.0 → "10", 12.5 → "12,5" (French decimal comma)."""
    return f"{value.normalize():f}".replace(".", ",")


def _session_cell(site) -> Cell:
    if not site.last_session_at:
        return Cell("aucune")
    return Cell(
        _day(site.last_session_at),
        detail=site.last_session_title,
        url=url_for("sessions:detail", site.last_session_id),
    )


def _coaching_hours(site):
    from collectives.services.coaching import to_hours

    return to_hours(site.coaching_used_minutes), to_hours(site.coaching_planned_minutes)


def _coaching_cell(site) -> Cell:
    used, planned = _coaching_hours(site)
    budget = site.coaching_budget
    text = f"{hours(used)} h / {hours(budget)} h"
    if used + planned > budget:
        return Cell(text, badge="error", detail=f"dépassement de {hours(used + planned - budget)} h")
    detail = f"+ {hours(planned)} h prévues" if planned else f"reste {hours(budget - used)} h"
    return Cell(text, detail=detail)


SESSIONS = Family(
    "sessions",
    models=("collectives.participant", "collectives.session", "collectives.sessionsite"),
    annotate=annotate_sessions,
    enrich=enrich_sessions,
    columns=(
        Column(
            "session",
            "Dernière session",
            _session_cell,
            lambda s: _day(s.last_session_at),
            "last_session_at",
        ),
        Column(
            "accompagnement",
            "Accompagnement (heures)",
            _coaching_cell,
            lambda s: float(_coaching_hours(s)[0]),
            "coaching_booked_minutes",
            numeric=True,
        ),
    ),
)


# --- Activity: the last dated event of the site's journal --------------------------------------------------


ACTIVITY = Family(
    "activity",
    models=("sites.site",),
    columns=(
        Column(
            "activite",
            "Dernière activité",
            lambda s: Cell(_day(s.last_activity_at) or "aucune"),
            lambda s: _day(s.last_activity_at),
            "last_activity_at",
        ),
    ),
)


FAMILIES: tuple[Family, ...] = (IDENTITY, TRINOME, VISION, AGREEMENT, SELF_ASSESSMENT, SESSIONS, ACTIVITY)
COLUMNS: tuple[Column, ...] = tuple(column for family in FAMILIES for column in family.columns)
SORTS: dict[str, str] = {column.key: column.order_by for column in COLUMNS if column.order_by}
MODELS: frozenset[str] = frozenset(label for family in FAMILIES for label in family.models)
SORT_FAMILIES: dict[str, Family] = {
    column.key: family for family in FAMILIES for column in family.columns if column.order_by
}


def _is_stored(lookup: str) -> bool:
    """Whether sorting on this needs no annotation (a field of the site or of a related row)."""
    from sites.models import Site

    try:
        Site._meta.get_field(lookup.split("__")[0])
    except FieldDoesNotExist:
        return False
    return True


def table_queryset(queryset: QuerySet, sort_key: str) -> QuerySet:
    """The sites of the table: their place names, plus what sorting on the chosen column needs (annotations
    only for a computed column: building them costs more than running the page's query)."""
    queryset = queryset.select_related("department__region", "wave")
    if _is_stored(SORTS[sort_key]):
        return queryset
    return SORT_FAMILIES[sort_key].annotate(queryset)


def enrich(sites: list) -> list:
    """Every family's data for these sites (a page of the table, or a chunk of an export)."""
    if sites:
        for family in FAMILIES:
            family.enrich(sites)
    return sites


def pending_labels() -> list[str]:
    return [column.label for column in COLUMNS if not column.available]


__all__ = ["Cell", "Column", "COLUMNS", "FAMILIES", "SORTS", "enrich", "table_queryset", "SiteStatus"]
