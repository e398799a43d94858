"""Who a person is on the platform and in a site's collective: the vocabulary `qic.access` decides with.

Core, below the apps: `collectives` stores these on its users and memberships (and re-exports them from
`collectives.enums`).
"""

from django.db import models


class PlatformRole(models.TextChoices):
    """What a person is on the platform; site members get their rights from their memberships."""

    NATIONAL = "national", "Équipe nationale (ANCT)"
    STEERING = "steering", "Comité de pilotage national"
    FACILITATOR = "facilitator", "Animateur·rice de CRPV"
    MEMBER = "member", "Membre d’un collectif local"


class MemberRole(models.TextChoices):
    """A person's place in a site's collective: one of the three trinôme seats, a partner or a resident."""

    PREFECT_DELEGATE = "prefect_delegate", "Délégué·e du préfet"
    MUNICIPALITY = "municipality", "Collectivité"
    CIVIL_SOCIETY = "civil_society", "Société civile"
    PARTNER = "partner", "Partenaire"
    RESIDENT = "resident", "Habitant·e"


TRINOME_SEATS = (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY)
