# ruff: noqa: E501  (demo texts read better unwrapped)
"""Demo data of the collectives: Saint-Étienne's draft cooperation agreement and its backbone roles.

Idempotent: an agreement already present is left as it is (the demo may have been used since).
"""

from django.db import transaction

from sites.models import Site

from .enums import AgreementPart, BackboneRole
from .models import (
    AgreementChange,
    AgreementSection,
    BackboneAssignment,
    CooperationAgreement,
    CooperationSpace,
    User,
)

TEXTS = {
    AgreementPart.PRINCIPLES: (
        "Nous pilotons le plan d’action commun par changement visé plutôt que par projet : chaque changement a "
        "un binôme référent (une institution, une association ou un collectif d’habitant·es).\n\n"
        "- Nous décidons ensemble de ce que nous changeons ; chacun garde la maîtrise de ses propres actions.\n"
        "- Nous disons ce qui ne marche pas : une difficulté partagée tôt est un apprentissage, pas un échec.\n"
        "- La confiance se construit dans la régularité : les rencontres ont lieu même quand il y a peu à dire."
    ),
    AgreementPart.SPACES: (
        "Trois lieux font vivre la démarche à Montreynaud ; ils sont décrits ci-dessous avec leur rôle, leur "
        "fréquence, leurs participants et ce qu’ils décident."
    ),
    AgreementPart.POWER: (
        "Le trinôme décide des orientations et arbitre entre les changements visés, par consentement : une "
        "décision est prise quand personne n’y oppose d’objection argumentée.\n"
        "Le comité des partenaires décide de l’engagement de ses propres moyens. Les habitant·es sont consulté·es "
        "avant toute décision qui touche la vie du quartier."
    ),
    AgreementPart.COMMUNICATION: "",
    AgreementPart.TALENTS: (
        "- Le centre social apporte sa connaissance fine des familles et son savoir-faire d’animation.\n"
        "- La Ville et la préfecture apportent l’accès aux dispositifs et aux financements.\n"
        "- Le conseil citoyen et les habitant·es relais font le lien avec celles et ceux qu’on n’entend pas."
    ),
}

SPACES = [
    {
        "name": "Comité de pilotage du trinôme",
        "purpose": "Tenir le cap de la vision, arbitrer les priorités, préparer les sessions avec le CRPV.",
        "frequency": "Tous les mois",
        "participants": "Les trois sièges du trinôme ; l’animatrice du CRPV une fois par trimestre.",
        "decisions": "Les priorités du trimestre, l’ordre du jour des rencontres du collectif.",
    },
    {
        "name": "Rencontre du collectif",
        "purpose": "Faire le point sur les changements visés, partager ce qui a été appris, ajuster les actions.",
        "frequency": "Tous les trois mois",
        "participants": "Le trinôme, les partenaires, les habitant·es relais, ouvert à toute personne du quartier.",
        "decisions": "Les ajustements du plan d’action commun, sur proposition des groupes de travail.",
    },
    {
        "name": "Groupe « Jeunesse et insertion »",
        "purpose": "Coordonner les actions vers les 16-25 ans : repérage, accompagnement, premières expériences.",
        "frequency": "Toutes les six semaines",
        "participants": "Mission locale, centre social, club de prévention, deux jeunes du quartier.",
        "decisions": "La répartition des accompagnements entre structures.",
    },
]

BACKBONE = {
    BackboneRole.VISION: (
        "trinome@demo.qic.fr",
        "Centre social de Montreynaud",
        "Anime la relecture de la vision.",
    ),
    BackboneRole.TRUST: ("trinome@demo.qic.fr", "", "Prépare et anime les rencontres du collectif."),
    BackboneRole.ALIGNMENT: ("ville.saint-etienne@demo.qic.fr", "Ville de Saint-Étienne", ""),
    BackboneRole.POLICY: (
        "prefet.saint-etienne@demo.qic.fr",
        "Préfecture de la Loire",
        "Porte la démarche en CODIR.",
    ),
    BackboneRole.RESOURCES: (None, "Ville de Saint-Étienne — service politique de la ville", ""),
}


def seed(stdout=None) -> None:
    site = Site.objects.filter(slug="saint-etienne").first()
    if site is None:
        return
    people = {u.email: u for u in User.objects.filter(email__endswith="@demo.qic.fr")}
    author = people.get("trinome@demo.qic.fr")
    with transaction.atomic():
        if not site.agreements.exists():
            agreement = CooperationAgreement.objects.create(site=site, number=1, created_by=author)
            for part in AgreementPart:
                AgreementSection.objects.create(
                    agreement=agreement, part=part, text=TEXTS[part], updated_by=author
                )
            for position, space in enumerate(SPACES, start=1):
                CooperationSpace.objects.create(
                    agreement=agreement, position=position, updated_by=author, **space
                )
            AgreementChange.objects.create(
                agreement=agreement, author=author, summary="Ouverture de la version 1"
            )
            AgreementChange.objects.create(
                agreement=agreement,
                author=people.get("ville.saint-etienne@demo.qic.fr"),
                summary="« Pouvoir et décisions » modifiée",
            )
        for role, (email, organisation, note) in BACKBONE.items():
            BackboneAssignment.objects.get_or_create(
                site=site,
                role=role,
                defaults={
                    "person": people.get(email) if email else None,
                    "organisation": organisation,
                    "note": note,
                },
            )
    if stdout is not None:
        stdout.write("Entente de coopération (projet) et structure de soutien de Saint-Étienne chargées.")
