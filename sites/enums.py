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


# The order of the lifecycle, for sorting and for the mobilisation funnel.
STATUS_ORDER = {status: index for index, status in enumerate(SiteStatus)}

# The stages of the mobilisation funnel of a wave: each counts the sites that reached it.
FUNNEL_STAGES = (SiteStatus.INTERESTED, SiteStatus.REGISTERING, SiteStatus.IN_TRAINING, SiteStatus.ACTIVE)

# Which moves national staff may make from each status (the reason is always asked for).
ALLOWED_TRANSITIONS = {
    SiteStatus.INTERESTED: (SiteStatus.REGISTERING, SiteStatus.WITHDRAWN),
    SiteStatus.REGISTERING: (SiteStatus.IN_TRAINING, SiteStatus.INTERESTED, SiteStatus.WITHDRAWN),
    SiteStatus.IN_TRAINING: (SiteStatus.ACTIVE, SiteStatus.PAUSED, SiteStatus.WITHDRAWN),
    SiteStatus.ACTIVE: (SiteStatus.PAUSED, SiteStatus.WITHDRAWN),
    SiteStatus.PAUSED: (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE, SiteStatus.WITHDRAWN),
    SiteStatus.WITHDRAWN: (SiteStatus.INTERESTED,),
}


class WavePrerequisite(models.TextChoices):
    """The three prerequisites a registering site must meet to join a wave."""

    ADHERES = "adheres", "Adhère à la démarche"
    TRINOME = "trinome", "Trinôme constitué"
    COMMITS = "commits", "S’engage dans la formation, l’accompagnement et les échanges"


class EventKind(models.TextChoices):
    """What can happen to a site; each app records its own events in the site's journal."""

    STATUS_CHANGED = "status_changed", "Changement de statut"
    PREREQUISITE_CHECKED = "prerequisite_checked", "Prérequis validé"
    PREREQUISITE_UNCHECKED = "prerequisite_unchecked", "Prérequis retiré"
    MEMBER_JOINED = "member_joined", "Arrivée dans le collectif"
    MEMBER_LEFT = "member_left", "Départ du collectif"
    SEAT_HANDOVER = "seat_handover", "Passation d’un siège du trinôme"
    VISION_ADOPTED = "vision_adopted", "Vision adoptée"
    STRATEGY_ADOPTED = "strategy_adopted", "Stratégie de changement adoptée"
    AGREEMENT_SIGNED = "agreement_signed", "Entente de coopération signée"
    SELF_ASSESSMENT = "self_assessment", "Auto-évaluation"
    EVALUATION_CYCLE = "evaluation_cycle", "Cycle d’évaluation"
    SESSION_ATTENDED = "session_attended", "Participation à une session"
    COACHING = "coaching", "Accompagnement"
    REPORT = "report", "Bilan produit"
    PAGE_PUBLISHED = "page_published", "Page publique publiée"
    PAGE_UNPUBLISHED = "page_unpublished", "Page publique retirée"
    NOTE = "note", "Note"


class NotificationKind(models.TextChoices):
    """What a person is told about (issue 18). Each kind names one event of one service."""

    VERSION_TO_APPROVE = "version_to_approve", "Version de la vision à approuver"
    VERSION_APPROVED = "version_approved", "Approbation d’une version par un siège"
    VISION_ADOPTED = "vision_adopted", "Vision adoptée"
    AGREEMENT_TO_SIGN = "agreement_to_sign", "Entente en attente de signature"
    AGREEMENT_SIGNED = "agreement_signed", "Entente signée"
    REPORT_READY = "report_ready", "Bilan prêt"
    SESSION_PLANNED = "session_planned", "Session planifiée"
    SESSION_MOVED = "session_moved", "Session modifiée"
    SESSION_CANCELLED = "session_cancelled", "Session annulée"
    COMMENT = "comment", "Commentaire à lire ou à traiter"
    SEAT_CHANGED = "seat_changed", "Changement de titulaire d’un siège"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation acceptée"
    PUBLICATION_PROPOSED = "publication_proposed", "Publication de la page publique à approuver"
    PAGE_PUBLISHED = "page_published", "Page publique publiée"
    PAGE_UNPUBLISHED = "page_unpublished", "Page publique retirée"


class Delivery(models.TextChoices):
    """How a person wants to hear of a kind of notification by e-mail (always in the notification centre)."""

    IMMEDIATE = "immediate", "Par courriel, tout de suite (regroupés)"
    DIGEST = "digest", "Dans le résumé hebdomadaire"
    NONE = "none", "Pas de courriel"


# What a person gets until they choose: what asks them to act or changes their week comes at once.
DEFAULT_DELIVERY = {
    NotificationKind.VERSION_TO_APPROVE: Delivery.IMMEDIATE,
    NotificationKind.VERSION_APPROVED: Delivery.DIGEST,
    NotificationKind.VISION_ADOPTED: Delivery.IMMEDIATE,
    NotificationKind.AGREEMENT_TO_SIGN: Delivery.IMMEDIATE,
    NotificationKind.AGREEMENT_SIGNED: Delivery.IMMEDIATE,
    NotificationKind.REPORT_READY: Delivery.IMMEDIATE,
    NotificationKind.SESSION_PLANNED: Delivery.IMMEDIATE,
    NotificationKind.SESSION_MOVED: Delivery.IMMEDIATE,
    NotificationKind.SESSION_CANCELLED: Delivery.IMMEDIATE,
    NotificationKind.COMMENT: Delivery.DIGEST,
    NotificationKind.SEAT_CHANGED: Delivery.DIGEST,
    NotificationKind.INVITATION_ACCEPTED: Delivery.DIGEST,
    NotificationKind.PUBLICATION_PROPOSED: Delivery.IMMEDIATE,
    NotificationKind.PAGE_PUBLISHED: Delivery.IMMEDIATE,
    NotificationKind.PAGE_UNPUBLISHED: Delivery.IMMEDIATE,
}


class ApiKeyScope(models.TextChoices):
    """What a partner API key reads (issue 19): one site, a CRPV's regions, or every site (the narrowest
    first: the form offers it first)."""

    SITE = "site", "Un site"
    CRPV = "crpv", "Régions d’un CRPV"
    NATIONAL = "national", "National (tous les sites)"


class ApiKeyRole(models.TextChoices):
    READ = "read", "Lecture"
    WRITE = "write", "Lecture et saisie des mesures et des présences"
