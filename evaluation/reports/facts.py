"""Facts: the few comparable values of each site (status, trinôme, adoptions, continuum, hours…), in bulk.

Facts feed the annex of the national roll-up, its distributions (ordinal facts are shown as distributions) and
the comparison of two reports. Each `FactFamily` reads its facts for a whole queryset of sites with a fixed
number of queries, whatever the number of sites.

HOOK for later issues: a family whose data has not landed yet has `collect=None`; its facts are listed as
"pas encore disponible". To plug it in, write `collect_<family>(sites) -> {site_id: {fact_key: value}}` (JSON
values only: str, int, float, bool, None) and set it on the family below. Ordinal facts give their `levels` in
order, lowest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from collectives.enums import TRINOME_SEATS
from collectives.models import Membership
from sites.enums import SiteStatus

# The cooperation continuum, from least to most structured (see the method).
CONTINUUM_LEVELS = (
    "Compétition",
    "Coexistence",
    "Communication",
    "Assistance",
    "Coordination",
    "Collaboration",
    "Intégration",
)
CONDITIONS = (
    "Vision commune et plan d’action partagé",
    "Mesure partagée et apprentissage stratégique",
    "Activités et stratégies qui se renforcent",
    "Communication continue et engagement inclusif",
    "Structure de soutien",
)


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


def collect_trinome(sites: QuerySet) -> dict[int, dict]:
    rows = (
        Membership.objects.filter(site__in=_ids(sites), role__in=TRINOME_SEATS)
        .order_by()
        .values("site_id")
        .annotate(
            filled=Count("role", filter=Q(ended_on__isnull=True), distinct=True),
            handovers=Count("pk", filter=Q(ended_on__isnull=False)),
        )
    )
    result = {
        pk: {"seats_filled": 0, "trinome_complete": False, "handovers": 0}
        for pk in sites.values_list("pk", flat=True)
    }
    for row in rows:
        result[row["site_id"]] = {
            "seats_filled": row["filled"],
            "trinome_complete": row["filled"] == len(TRINOME_SEATS),
            "handovers": row["handovers"],
        }
    return result


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
    # Issue 5 (vision and change strategy): plug `collect_vision` here.
    FactFamily(
        "vision",
        "Vision et stratégie",
        (
            Fact("vision_adopted", "Vision adoptée", "bool"),
            Fact("strategy_adopted", "Stratégie de changement adoptée", "bool"),
        ),
        pending="arrive avec la vision et la stratégie de changement",
    ),
    # Issue 4 (collectives): plug `collect_agreement` here.
    FactFamily(
        "agreement",
        "Entente de coopération",
        (Fact("agreement_signed", "Entente de coopération signée", "bool"),),
        pending="arrive avec l’entente de coopération",
    ),
    # Issue 6 (indicators, learnings, self-assessments): plug `collect_self_assessment` here.
    FactFamily(
        "self_assessment",
        "Auto-évaluation",
        (
            Fact("continuum", "Continuum de coopération", "ordinal", CONTINUUM_LEVELS),
            *(Fact(f"condition_{i}", label, "ordinal") for i, label in enumerate(CONDITIONS, start=1)),
        ),
        pending="arrive avec les auto-évaluations",
    ),
    # Issue 7 (sessions and coaching): plug `collect_sessions` here.
    FactFamily(
        "sessions",
        "Sessions et accompagnement",
        (
            Fact("sessions_attended", "Sessions suivies", "number"),
            Fact("coaching_hours", "Heures d’accompagnement", "number", unit="h"),
        ),
        pending="arrive avec les sessions et l’accompagnement",
    ),
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
