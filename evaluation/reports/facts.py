"""Facts: the few comparable values of each site (status, trinôme, adoptions, continuum, hours…), in bulk.

Facts feed the national roll-up (its progress by wave and region, its distributions — ordinal facts are shown
as distributions — and its spreadsheet's list of sites) and the comparison of two reports. Each `FactFamily`
reads its facts for a whole queryset of sites with a fixed number of queries, whatever the number of sites.

HOOK for later issues: a family whose data has not landed yet has `collect=None`; its facts are listed as
"pas encore disponible". To plug one in, write `collect_<family>(sites) -> {site_id: {fact_key: value}}` (JSON
values only: str, int, float, bool, None; one or two queries for the whole queryset) and set it on the family
below. Ordinal facts give their `levels` in order, lowest first: the roll-up then shows their distribution
and comparisons tell progress from regression. Indicators are the family still to come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from collectives.enums import TRINOME_SEATS
from collectives.models import BackboneAssignment, Participant
from collectives.services import coaching
from evaluation.enums import CONDITIONS, ConditionLevel, ContinuumLevel
from sites.enums import SiteStatus

CONTINUUM_LEVELS = tuple(ContinuumLevel.labels)  # lowest first
CONDITION_LEVELS = tuple(ConditionLevel.labels)


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    kind: str = "text"  # "ordinal" (levels, lowest first), "bool", "number" or "text"
    levels: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class FactFamily:
    key: str
    label: str
    facts: tuple[Fact, ...]
    collect: Callable[[QuerySet], dict[int, dict]] | None = None
    pending: str = ""  # why it is not available yet

    @property
    def available(self) -> bool:
        return self.collect is not None


def _ids(sites: QuerySet) -> QuerySet:
    return sites.order_by().values("pk")


# --- Registry: status (the lifecycle is ordinal) ----------------------------------------------------------


def collect_status(sites: QuerySet) -> dict[int, dict]:
    labels = dict(SiteStatus.choices)
    return {pk: {"status": labels[status]} for pk, status in sites.order_by().values_list("pk", "status")}


# --- Trinôme: seats filled and handovers ------------------------------------------------------------------


def _progress(sites: QuerySet, *fields: str):
    """The stored progress facts of these sites (`sites.SiteProgress`): (pk, *fields) rows."""
    return sites.order_by().values_list("pk", *(f"progress__{name}" for name in fields))


def collect_trinome(sites: QuerySet) -> dict[int, dict]:
    return {
        pk: {
            "seats_filled": filled or 0,
            "trinome_complete": filled == len(TRINOME_SEATS),
            "handovers": n or 0,
        }
        for pk, filled, n in _progress(sites, "seats_filled", "handovers")
    }


# --- Vision and change strategy (vision app) -------------------------------------------------------------


def collect_vision(sites: QuerySet) -> dict[int, dict]:
    return {
        pk: {"vision_adopted": vision is not None, "strategy_adopted": strategy is not None}
        for pk, vision, strategy in _progress(sites, "vision_adopted_at", "strategy_adopted_at")
    }


# --- Cooperation agreement and backbone (collectives app) ------------------------------------------------


def collect_agreement(sites: QuerySet) -> dict[int, dict]:
    carried = (
        BackboneAssignment.objects.filter(site=OuterRef("pk"))
        .filter(Q(person__isnull=False) | ~Q(organisation=""))
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        sites.order_by()
        .annotate(roles=Subquery(carried, output_field=IntegerField()))
        .values_list("pk", "progress__agreement_in_force_since", "roles")
    )
    return {
        pk: {"agreement_signed": since is not None, "backbone_roles": roles or 0} for pk, since, roles in rows
    }


# --- Self-assessments: the latest continuum position and the latest rating of each condition -------------


def collect_self_assessment(sites: QuerySet) -> dict[int, dict]:
    from evaluation.models import ConditionAssessment

    ratings = {
        f"condition_{key.value}": Subquery(
            ConditionAssessment.objects.filter(self_assessment__site=OuterRef("pk"), condition=key)
            .order_by("-self_assessment__assessed_on", "-self_assessment_id")
            .values("level")[:1],
            output_field=IntegerField(),
        )
        for key in CONDITIONS
    }
    continuum_labels, condition_labels = dict(ContinuumLevel.choices), dict(ConditionLevel.choices)
    rows = sites.order_by().annotate(continuum=F("progress__continuum_level"), **ratings)
    result = {}
    for row in rows.values("pk", "continuum", *ratings):
        facts = {"continuum": continuum_labels.get(row["continuum"])}
        facts.update({key: condition_labels.get(row[key]) for key in ratings})
        result[row["pk"]] = facts
    return result


# --- Sessions and coaching hours (collectives app, sessions) ---------------------------------------------


def collect_sessions(sites: QuerySet) -> dict[int, dict]:
    attended = (
        Participant.objects.filter(
            site=OuterRef("pk"),
            present=True,
            session__cancelled_at__isnull=True,
            session__starts_at__lte=timezone.now(),
        )
        .order_by()
        .values("site")
        .annotate(n=Count("session", distinct=True))
        .values("n")
    )
    rows = coaching.annotate_minutes(sites.order_by()).annotate(
        attended=Subquery(attended, output_field=IntegerField())
    )
    return {
        pk: {"sessions_attended": n or 0, "coaching_hours": float(coaching.to_hours(used))}
        for pk, n, used in rows.values_list("pk", "attended", "coaching_used_minutes")
    }


FAMILIES: tuple[FactFamily, ...] = (
    FactFamily(
        "status",
        "Statut",
        (Fact("status", "Statut", "ordinal", tuple(SiteStatus.labels)),),
        collect_status,
    ),
    FactFamily(
        "trinome",
        "Trinôme",
        (
            Fact("trinome_complete", "Trinôme complet", "bool"),
            Fact("seats_filled", "Sièges pourvus", "number"),
            Fact("handovers", "Passations", "number"),
        ),
        collect_trinome,
    ),
    FactFamily(
        "vision",
        "Vision et stratégie",
        (
            Fact("vision_adopted", "Vision adoptée", "bool"),
            Fact("strategy_adopted", "Stratégie de changement adoptée", "bool"),
        ),
        collect_vision,
    ),
    FactFamily(
        "agreement",
        "Entente de coopération",
        (
            Fact("agreement_signed", "Entente de coopération signée", "bool"),
            Fact("backbone_roles", "Rôles de la structure de soutien portés (sur 7)", "number"),
        ),
        collect_agreement,
    ),
    FactFamily(
        "self_assessment",
        "Auto-évaluation",
        (
            Fact("continuum", "Continuum de la coopération", "ordinal", CONTINUUM_LEVELS),
            *(Fact(f"condition_{key.value}", key.label, "ordinal", CONDITION_LEVELS) for key in CONDITIONS),
        ),
        collect_self_assessment,
    ),
    FactFamily(
        "sessions",
        "Sessions et accompagnement",
        (
            Fact("sessions_attended", "Sessions suivies", "number"),
            Fact("coaching_hours", "Heures d’accompagnement réalisées", "number", unit="h"),
        ),
        collect_sessions,
    ),
    # Indicators (evaluation loop, not there yet): a family of per-site indicator facts can be added here.
)


@dataclass
class FactTable:
    """The facts of a set of sites, with the definitions of the families that produced them."""

    definitions: list[dict] = field(default_factory=list)
    by_site: dict[int, dict] = field(default_factory=dict)


def collect(sites: QuerySet, families: tuple[FactFamily, ...] = FAMILIES) -> FactTable:
    table = FactTable()
    for family in families:
        for fact in family.facts:
            table.definitions.append(
                {
                    "key": fact.key,
                    "label": fact.label,
                    "kind": fact.kind,
                    "levels": list(fact.levels),
                    "unit": fact.unit,
                    "family": family.key,
                    "available": family.available,
                    "pending": family.pending,
                }
            )
        if not family.available:
            continue
        for pk, values in family.collect(sites).items():
            table.by_site.setdefault(pk, {}).update(values)
    return table


def family(key: str) -> FactFamily:
    return next(f for f in FAMILIES if f.key == key)
