"""The guiding questions shown beside each part of the cooperation agreement and each backbone role.

Taken from the wave 3 training deck's "prototype an ideal cooperation agreement" exercise and from the
programme's description of the method (see ../shared/domain.md).
"""

from .enums import AgreementPart, BackboneRole

AGREEMENT_PURPOSE = (
    "Identifier les principaux repères du mode de fonctionnement pour collaborer à la réalisation de la "
    "stratégie de changement et cheminer vers votre vision."
)

AGREEMENT_QUESTIONS: dict[str, list[str]] = {
    AgreementPart.PRINCIPLES: [
        "Comment voulons-nous gérer les changements visés dans notre plan d’action commun ? "
        "(par changement, par projet et action, autre…)",
        "Comment souhaitons-nous fonctionner entre nous ?",
        "Comment créer un climat de confiance ?",
    ],
    AgreementPart.SPACES: [
        "Quels sont les lieux et espaces de coopération de notre structure de fonctionnement ?",
        "Quels sont les rôles et responsabilités de chacun de ces lieux ?",
        "À quelle fréquence se réunissent-ils, qui y participe, que décident-ils ?",
    ],
    AgreementPart.POWER: [
        "Qui décide de quoi ?",
        "Comment se prennent les décisions ?",
    ],
    AgreementPart.COMMUNICATION: [
        "Comment avoir une communication porteuse et fluide, à l’intérieur du collectif (interne) ?",
        "Et vers l’extérieur : habitant·es, partenaires, institutions (externe) ?",
    ],
    AgreementPart.TALENTS: [
        "Qui participe à chacun des lieux identifiés dans la structure de fonctionnement ?",
        "Quels sont nos forces et nos talents ?",
        "Quelle place ont les citoyens et les habitant·es ?",
    ],
}

# The help topic (qic/help_topics.toml) that explains each part, shown under its questions.
AGREEMENT_HELP: dict[str, str] = {
    AgreementPart.PRINCIPLES: "entente-principes",
    AgreementPart.SPACES: "entente-lieux",
    AgreementPart.POWER: "entente-pouvoir",
    AgreementPart.COMMUNICATION: "entente-communication",
    AgreementPart.TALENTS: "entente-talents",
}

BACKBONE_HINTS: dict[str, str] = {
    BackboneRole.VISION: "Faire vivre la vision partagée et la stratégie de changement, garder le cap.",
    BackboneRole.TRUST: "Créer la confiance entre partenaires, habitant·es et institutions.",
    BackboneRole.ALIGNMENT: "Aider les projets des partenaires à s’aligner sur les changements visés.",
    BackboneRole.MEASUREMENT: "Organiser les indicateurs, les mesures et les apprentissages partagés.",
    BackboneRole.ENGAGEMENT: "Mobiliser habitant·es et acteurs du quartier dans la durée.",
    BackboneRole.POLICY: "Porter la démarche auprès des élus, des services de l’État et des financeurs.",
    BackboneRole.RESOURCES: "Trouver et orienter les moyens humains et financiers au service du collectif.",
}
