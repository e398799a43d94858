"""Choices of the evaluation loop: the preconditions and conditions of collective impact, the scales a
self-assessment rates them on (labels: domain.md, wave 3 deck), and the kinds of indicators.

The cooperation continuum is the collectives' (a session's exercise places sites on it, `collectives.enums`);
a self-assessment records a position on it, so it is re-exported here.
"""

from django.db import models

from collectives.enums import CONTINUUM_DESCRIPTIONS, ContinuumLevel  # noqa: F401


class ConditionKind(models.TextChoices):
    PRECONDITION = "precondition", "Précondition"
    CONDITION = "condition", "Condition"


class ConditionKey(models.TextChoices):
    """The three preconditions, then the five conditions of collective impact."""

    URGENCY = "urgency", "Sentiment d’urgence"
    INFLUENTIAL_PEOPLE = "influential_people", "Personnes influentes"
    RESOURCES = "resources", "Ressources adéquates"
    SHARED_VISION = "shared_vision", "Vision partagée et plan d’action commun"
    SHARED_MEASUREMENT = "shared_measurement", "Évaluation partagée et apprentissage stratégique"
    REINFORCING_STRATEGIES = (
        "reinforcing_strategies",
        "Stratégies et activités à fort effet de levier, qui se renforcent mutuellement",
    )
    COMMUNICATION = "communication", "Communication continue et engagement inclusif"
    BACKBONE = "backbone", "Structure de soutien"


PRECONDITIONS = (ConditionKey.URGENCY, ConditionKey.INFLUENTIAL_PEOPLE, ConditionKey.RESOURCES)
CONDITIONS = (
    ConditionKey.SHARED_VISION,
    ConditionKey.SHARED_MEASUREMENT,
    ConditionKey.REINFORCING_STRATEGIES,
    ConditionKey.COMMUNICATION,
    ConditionKey.BACKBONE,
)
CONDITION_KINDS: dict[str, str] = {
    **dict.fromkeys(PRECONDITIONS, ConditionKind.PRECONDITION),
    **dict.fromkeys(CONDITIONS, ConditionKind.CONDITION),
}


class ConditionLevel(models.IntegerChoices):
    """The four-level scale each precondition and condition is rated on."""

    ABSENT = 1, "Absente"
    EMERGING = 2, "Émergente"
    DEVELOPING = 3, "En développement"
    ESTABLISHED = 4, "Bien établie"


class RoleCoverage(models.IntegerChoices):
    """How well one of the seven backbone roles is carried, as the site sees it."""

    NONE = 0, "Non porté"
    PARTIAL = 1, "Partiellement porté"
    FULL = 2, "Pleinement porté"


class IndicatorKind(models.TextChoices):
    QUANTITATIVE = "quantitative", "Quantitatif (un nombre)"
    QUALITATIVE = "qualitative", "Qualitatif (une échelle de niveaux)"


class Direction(models.TextChoices):
    INCREASE = "increase", "À la hausse"
    DECREASE = "decrease", "À la baisse"


class Frequency(models.TextChoices):
    """How often an indicator is measured; the value is the number of months between two measurements."""

    MONTHLY = "1", "Tous les mois"
    QUARTERLY = "3", "Tous les trimestres"
    HALF_YEARLY = "6", "Tous les six mois"
    YEARLY = "12", "Tous les ans"


class AdjustmentKind(models.TextChoices):
    """What an adjustment of an evaluation cycle does to the change strategy when the cycle is closed."""

    EDIT_CHANGE = "edit_change", "Reformuler un changement de la stratégie"
    ADD_CHANGE = "add_change", "Ajouter un changement à la stratégie"
    ACTION_STATUS = "action_status", "Changer l’état d’une action des partenaires"
    LINK = "link", "Relier à un changement ou une action, sans modifier la stratégie"


# Adjustments that write to the strategy when the cycle is closed.
STRATEGY_EDITS = (AdjustmentKind.EDIT_CHANGE, AdjustmentKind.ADD_CHANGE, AdjustmentKind.ACTION_STATUS)
