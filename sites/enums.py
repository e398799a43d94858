"""Choices of the sites registry."""

from django.db import models


class SiteKind(models.TextChoices):
    QPV = "qpv", "Quartier prioritaire (QPV)"
    CITE_EDUCATIVE = "cite_educative", "Cité éducative"
    CITE_EMPLOI = "cite_emploi", "Cité de l’emploi"


class SiteStatus(models.TextChoices):
    """The lifecycle of a site, from first interest to leaving the programme."""

    INTERESTED = "interested", "Intéressé"
    REGISTERING = "registering", "En inscription"
    IN_TRAINING = "in_training", "En formation"
    ACTIVE = "active", "Actif"
    PAUSED = "paused", "En pause"
    WITHDRAWN = "withdrawn", "Retiré"


class WavePrerequisite(models.TextChoices):
    """The three prerequisites a registering site must meet to join a wave."""

    ADHERES = "adheres", "Adhère à la démarche"
    TRINOME = "trinome", "Trinôme constitué"
    COMMITS = "commits", "S’engage dans la formation, l’accompagnement et les échanges"
