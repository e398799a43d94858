"""Choices of the vision app: the method's levels of change, registers, factors and partner actions."""

from django.db import models


class ChangeLevel(models.TextChoices):
    """The three levels of the chain of effects, from the nearest to the furthest (wave 3 training deck)."""

    DIRECT = "direct", "Changement direct"
    INTERMEDIATE = "intermediate", "Changement intermédiaire"
    ULTIMATE = "ultimate", "Changement ultime"

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.value]

    @property
    def plural(self) -> str:
        return LEVEL_PLURAL[self.value]

    @property
    def short(self) -> str:
        return LEVEL_SHORT[self.value]

    @property
    def focus(self) -> str:
        return LEVEL_FOCUS[self.value]

    @property
    def question(self) -> str:
        return LEVEL_QUESTION[self.value]


LEVEL_RANK = {ChangeLevel.DIRECT: 1, ChangeLevel.INTERMEDIATE: 2, ChangeLevel.ULTIMATE: 3}
LEVEL_PLURAL = {
    ChangeLevel.DIRECT: "Changements directs",
    ChangeLevel.INTERMEDIATE: "Changements intermédiaires",
    ChangeLevel.ULTIMATE: "Changement ultime",
}
LEVEL_SHORT = {
    ChangeLevel.DIRECT: "direct",
    ChangeLevel.INTERMEDIATE: "intermédiaire",
    ChangeLevel.ULTIMATE: "ultime",
}
LEVEL_FOCUS = {
    ChangeLevel.DIRECT: "connaissances",
    ChangeLevel.INTERMEDIATE: "pratiques et comportements",
    ChangeLevel.ULTIMATE: "culture et mode de vie",
}
# The guiding questions of the wave 3 training deck, one per level.
LEVEL_QUESTION = {
    ChangeLevel.DIRECT: (
        "Quelles seront les transformations de connaissances nécessaires pour que les changements de "
        "pratique et de comportement puissent se produire ?"
    ),
    ChangeLevel.INTERMEDIATE: (
        "Quelles seront les transformations de pratique des organisations et les transformations de "
        "comportement des habitants pour que le changement de culture puisse se produire ?"
    ),
    ChangeLevel.ULTIMATE: (
        "Quelle sera la transformation de culture ou de mode de vie visée pour cheminer vers cette vision ?"
    ),
}


class ChangeRegister(models.TextChoices):
    """What a change transforms."""

    LIVING_ENVIRONMENT = "living_environment", "Cadre de vie"
    PRACTICES = "practices", "Pratiques et comportements"
    KNOWLEDGE = "knowledge", "Connaissances"


class FactorKind(models.TextChoices):
    """The two sides of the context analysis the vision is tested against."""

    POSITIVE = "positive", "Facteur positif (sur lequel s’appuyer)"
    NEGATIVE = "negative", "Facteur négatif (avec lequel composer)"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "En projet"
    RUNNING = "running", "En cours"
    DONE = "done", "Réalisée"
    STOPPED = "stopped", "Arrêtée"
