"""Demo data of the evaluation loop for Saint-Étienne: learnings, indicators of two changes, measurements.

Idempotent: each part is created only when the site has none of it yet.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from collectives.models import User
from sites.models import Site
from vision.demo import SITE

from .cycles import close_cycle
from .enums import AdjustmentKind, Direction, Frequency, IndicatorKind
from .models import Adjustment, EvaluationCycle, Indicator, LearningEntry, Measurement
from .services import add_months

LEARNINGS = [
    (
        "Réunion publique du 12 mars au centre social",
        dt.date(2025, 3, 12),
        "Quarante habitants sont venus, surtout des parents ; les jeunes n’étaient pas là.",
        "Les habitants viennent quand la réunion part de leurs questions, pas d’un programme déjà écrit.",
        "Préparer l’ordre du jour avec le conseil citoyen et tenir la réunion après 18 heures.",
        ",habitants,mobilisation,",
    ),
    (
        "Forum des métiers avec la Mission locale",
        dt.date(2025, 5, 20),
        "Douze entreprises, soixante jeunes ; beaucoup sont repartis avec un rendez-vous de stage.",
        "Un premier contact direct avec un employeur lève plus de freins qu’un atelier sur le CV.",
        "Inviter les employeurs au collège dès la quatrième.",
        ",jeunes,emploi,",
    ),
]

# Dates in months from the first day of the current month, so that the demo stays current.
QUANTITATIVE = {
    "change": "Les parents participent à la vie des écoles et du collège",
    "name": "Parents présents aux réunions de l’école et du collège",
    "unit": "parents",
    "baseline_on": -15,
    "baseline_value": Decimal(35),
    "target_value": Decimal(90),
    "target_on": 9,
    "data_source": "Feuilles d’émargement des écoles et du collège",
    "frequency": Frequency.QUARTERLY,
    "measurements": [
        (-12, Decimal(42), "Réunions de rentrée et du premier trimestre."),
        (-9, Decimal(51), "Le café des parents a commencé en janvier."),
        (-6, Decimal(63), ""),
        (-3, Decimal(58), "Rentrée : moins de parents aux réunions de classe."),
    ],
}

QUALITATIVE = {
    "change": "Les structures du quartier coordonnent leurs actions au sein d’un collectif",
    "name": "Coordination des structures du quartier",
    "scale": [
        "Chacun agit seul",
        "On s’informe",
        "On se coordonne ponctuellement",
        "On planifie ensemble",
        "On agit comme un seul collectif",
    ],
    "baseline_on": -14,
    "baseline_level": 2,
    "target_level": 4,
    "target_on": 12,
    "data_source": "Auto-évaluation des membres du collectif, en session",
    "frequency": Frequency.HALF_YEARLY,
    "measurements": [
        (-8, 2, "Les structures s’informent, sans agenda commun."),
        (-2, 3, "Un agenda partagé des actions de la rentrée."),
    ],
}


def seed(stdout=None) -> None:
    site = Site.objects.filter(slug=SITE).first()
    if site is None:
        return
    nadia = User.objects.filter(email="trinome@demo.qic.fr").first()
    with transaction.atomic():
        if not site.learnings.exists():
            for title, day, happened, learned, change, tags in LEARNINGS:
                LearningEntry(
                    site=site,
                    title=title,
                    occurred_on=day,
                    what_happened=happened,
                    what_we_learned=learned,
                    what_we_change=change,
                    tags=tags,
                    author=nadia,
                ).save()
        if not site.indicators.exists():
            _indicator(site, nadia, IndicatorKind.QUANTITATIVE, QUANTITATIVE)
            _indicator(site, nadia, IndicatorKind.QUALITATIVE, QUALITATIVE)
        if not site.evaluation_cycles.exists():
            _closed_cycle(site, nadia)
        if not site.self_assessments.filter(conditions__isnull=False).exists():
            _self_assessments(site, nadia)
    if stdout is not None:
        stdout.write("Évaluation de Saint-Étienne : apprentissages, indicateurs et mesures.")


def _indicator(site, user, kind, spec) -> Indicator | None:
    spec = dict(spec)
    change = site.changes.filter(title=spec.pop("change")).first()
    if change is None:
        return None
    rows = spec.pop("measurements")
    start = timezone.localdate().replace(day=15)
    spec["baseline_on"] = add_months(start, spec["baseline_on"])
    spec["target_on"] = add_months(start, spec["target_on"])
    indicator = Indicator(site=site, change=change, kind=kind, direction=Direction.INCREASE, **spec)
    indicator.updated_by = user
    indicator.save()
    for months, value, comment in rows:
        day = add_months(start, months)
        field = "value" if kind == IndicatorKind.QUANTITATIVE else "level"
        Measurement(
            indicator=indicator,
            site=site,
            measured_on=day,
            comment=comment,
            recorded_by=user,
            **{field: value},
        ).save()
    return indicator


def _closed_cycle(site, user) -> None:
    """A past cycle, closed, whose adjustment links a change without editing the adopted strategy."""
    start = add_months(timezone.localdate().replace(day=1), -7)
    change = site.changes.filter(title=QUANTITATIVE["change"]).first()
    cycle = EvaluationCycle(
        site=site,
        title="Printemps : le café des parents",
        starts_on=start,
        ends_on=add_months(start, 3),
        planned="Ouvrir un café des parents chaque mois au collège, avec le centre social.",
        observed="Une quinzaine de parents à chaque café ; les pères viennent peu.",
        learned="Les parents viennent quand d’autres parents les invitent, pas sur un courrier de l’école.",
        adjustments_summary="Confier l’invitation aux parents relais.",
        updated_by=user,
    )
    cycle.save()
    Adjustment(cycle=cycle, site=site, kind=AdjustmentKind.LINK, change=change).save()
    close_cycle(cycle, user, expected_version=cycle.version)


# Two self-assessments typed by the trinôme, a year apart and then six months ago: conditions rise slowly.
SELF_ASSESSMENTS = [
    (-13, 3, [2, 3, 1, 2, 1, 2, 2, 1], [1, 1, 0, 0, 1, 0, 0], "Le premier forum des acteurs du quartier."),
    (
        -7,
        4,
        [3, 3, 2, 3, 2, 2, 3, 2],
        [2, 2, 1, 0, 1, 0, 1],
        "Le collectif se réunit chaque mois au centre social.",
    ),
]


def _self_assessments(site, user) -> None:
    from collectives.enums import BackboneRole

    from . import assessments
    from .enums import ConditionKey

    start = timezone.localdate().replace(day=10)
    for months, continuum, levels, roles, moved_by in SELF_ASSESSMENTS:
        data = {
            "assessed_on": add_months(start, months),
            "continuum_level": continuum,
            "continuum_moved_by": moved_by,
            "comment": "",
        }
        data.update(
            {f"condition_{key}": level for key, level in zip(ConditionKey.values, levels, strict=True)}
        )
        data.update({f"role_{role}": value for role, value in zip(BackboneRole.values, roles, strict=True)})
        assessments.record(site, user, data)
