"""The collectives' choices: invitations, backbone roles, agreements, sessions.

The platform's roles and the trinôme's seats are core vocabulary (`qic.roles`, where access decides with
them); they are re-exported here for the collectives' code.
"""

from django.db import models

from qic.roles import TRINOME_SEATS, MemberRole, PlatformRole  # noqa: F401


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    EXPIRED = "expired", "Expirée"
    USED = "used", "Acceptée"
    REVOKED = "revoked", "Révoquée"


class BackboneRole(models.TextChoices):
    """The seven roles of a backbone support structure (collective impact's fifth condition)."""

    VISION = "vision", "Guider la vision et la stratégie d’ensemble"
    TRUST = "trust", "Cultiver la confiance"
    ALIGNMENT = "alignment", "Soutenir l’alignement des actions"
    MEASUREMENT = "measurement", "Établir un système d’évaluation commun"
    ENGAGEMENT = "engagement", "Cultiver et maintenir l’engagement de la communauté"
    POLICY = "policy", "Influencer les décideurs"
    RESOURCES = "resources", "Mobiliser les ressources"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Projet en cours de rédaction"
    IN_FORCE = "in_force", "En vigueur"
    SUPERSEDED = "superseded", "Remplacée"


class AgreementPart(models.TextChoices):
    """The five parts of a cooperation agreement (entente de coopération), in the training deck's order."""

    PRINCIPLES = "principles", "Principes de fonctionnement"
    SPACES = "spaces", "Lieux et espaces de coopération"
    POWER = "power", "Pouvoir et décisions"
    COMMUNICATION = "communication", "Communication"
    TALENTS = "talents", "Implication des talents"


# --- The cooperation continuum: where a site's collective stands (sessions' exercise, self-assessments) -----


class ContinuumLevel(models.IntegerChoices):
    """The seven levels of the cooperation continuum, from rivalry to trust (least to most structure)."""

    COMPETITION = 1, "Concurrence"
    COEXISTENCE = 2, "Coexistence"
    COMMUNICATION = 3, "Communication"
    ASSISTANCE = 4, "Assistance"
    COORDINATION = 5, "Coordination"
    COLLABORATION = 6, "Collaboration"
    INTEGRATION = 7, "Intégration"


# What each level means, in the words of the wave 3 training deck ("Continuum de la coopération").
CONTINUUM_DESCRIPTIONS: dict[int, str] = {
    ContinuumLevel.COMPETITION: (
        "Concurrence pour l’image, les ressources, les bénéficiaires, les partenaires "
        "ou l’attention du public."
    ),
    ContinuumLevel.COEXISTENCE: "Absence de lien systématique entre les organisations.",
    ContinuumLevel.COMMUNICATION: "Échanges d’information, réseautage, etc.",
    ContinuumLevel.ASSISTANCE: (
        "Relation fonctionnelle et souvent informelle, se manifestant généralement autour de projets et "
        "d’actions."
    ),
    ContinuumLevel.COORDINATION: (
        "Les organisations s’ajustent et harmonisent systématiquement leurs efforts afin d’obtenir de "
        "meilleures retombées."
    ),
    ContinuumLevel.COLLABORATION: (
        "Interactions durables basées sur une mission, une vision, des objectifs, des décisions et des "
        "ressources partagés."
    ),
    ContinuumLevel.INTEGRATION: "Programmes, vision, planification et financement pleinement intégrés.",
}


# --- Sessions (issue 7) ------------------------------------------------------------------------------------


class SessionKind(models.TextChoices):
    """What a session is: national training, a regional learning collective, a site's coaching, etc."""

    NATIONAL_TRAINING = "national_training", "Journée de formation nationale"
    REGIONAL_MODULE = "regional_module", "Module régional (collectif apprenant)"
    SITE_COACHING = "site_coaching", "Accompagnement de site"
    WEBINAR = "webinar", "Webinaire"
    NATIONAL_MEETING = "national_meeting", "Rencontre nationale"


# Kinds run by national staff for every region; the others belong to one region and its CRPV.
NATIONAL_SESSION_KINDS = (SessionKind.NATIONAL_TRAINING, SessionKind.NATIONAL_MEETING)
