"""Demo data of the vision workspace: Saint-Étienne's vision, context, change strategy and partner actions.

Written through the services, so every step is a version of the history: the document is built in 2023
(partly by the prefect's delegate who has since handed over his seat), adopted by the current trinôme in
November 2024, then reworked in a 2025 draft that is not adopted yet. Idempotent: a site that already has
a history is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from collectives.models import User
from sites.models import Site, SiteEvent

from . import progress as vision_progress
from . import services
from .enums import ActionStatus, ChangeLevel, ChangeRegister, FactorKind
from .models import Approval, ChangeStrategy, Comment, Revision, Vision

SITE = "saint-etienne"
STATEMENT = (
    "En 2040, Montreynaud est un quartier ouvert sur la ville, où chaque habitant, "
    "de l’enfance au grand âge, "
    "trouve sa place, fait entendre sa voix et construit avec ses voisins les projets qui le font vivre."
)
POSITIVE = [
    "Un tissu associatif dense et engagé : centre social, amicales de locataires, clubs sportifs",
    "La colline et le parc : des espaces verts rares à cette échelle en ville",
    "Le renouvellement urbain, qui ouvre de nouveaux équipements publics",
    "Des habitants attachés à leur quartier et une solidarité de voisinage forte",
]
NEGATIVE = [
    "Un chômage des jeunes deux fois plus élevé que dans le reste de la ville",
    "Des services publics qui ont quitté le quartier",
    "Une image du quartier vécue comme une stigmatisation",
    "Des acteurs nombreux qui travaillent chacun de leur côté",
]
ULTIMATE = (
    "Les habitants vivent Montreynaud comme un quartier choisi, où l’on s’entraide et où l’on s’engage",
    ChangeRegister.LIVING_ENVIRONMENT,
    "Le changement de culture visé : passer d’un quartier que l’on subit à un quartier que l’on choisit.",
)
INTERMEDIATES = [
    ("Les structures du quartier coordonnent leurs actions au sein d’un collectif", ChangeRegister.PRACTICES),
    ("Les parents participent à la vie des écoles et du collège", ChangeRegister.PRACTICES),
    (
        "Les jeunes s’orientent et accèdent aux stages et aux emplois de l’agglomération",
        ChangeRegister.PRACTICES,
    ),
    (
        "Les espaces publics rénovés sont animés et entretenus avec les habitants",
        ChangeRegister.LIVING_ENVIRONMENT,
    ),
]
# (title, register, index of the intermediate change it contributes to)
DIRECTS = [
    ("Les professionnels connaissent les missions et les ressources de chacun", ChangeRegister.KNOWLEDGE, 0),
    ("Les familles connaissent l’école et les dispositifs d’accompagnement", ChangeRegister.KNOWLEDGE, 1),
    ("Les jeunes découvrent les métiers et les entreprises du territoire", ChangeRegister.KNOWLEDGE, 2),
    (
        "Les employeurs connaissent les parcours et les talents des jeunes du quartier",
        ChangeRegister.KNOWLEDGE,
        2,
    ),
    (
        "Les habitants connaissent le projet de rénovation et les usages des nouveaux espaces",
        ChangeRegister.KNOWLEDGE,
        3,
    ),
]
ACTIONS = [
    (
        "Forum des acteurs de Montreynaud",
        "Centre social de Montreynaud",
        ActionStatus.RUNNING,
        [("d", 0), ("i", 0)],
    ),
    ("Café des parents", "Collège du quartier", ActionStatus.RUNNING, [("d", 1), ("i", 1)]),
    (
        "Parrainage vers l’emploi",
        "Mission locale Saint-Étienne",
        ActionStatus.RUNNING,
        [("d", 2), ("d", 3), ("i", 2)],
    ),
    (
        "Chantiers participatifs du parc",
        "Ville de Saint-Étienne — espaces verts",
        ActionStatus.PLANNED,
        [("d", 4), ("i", 3)],
    ),
]
NARRATIVE = """### D’un quartier que l’on subit à un quartier que l’on choisit

Tout commence par **se connaître** : les professionnels découvrent les missions des uns et des autres, \
les familles comprennent l’école, les jeunes rencontrent les entreprises du territoire \
et les employeurs découvrent leurs talents.

Ces connaissances changent les pratiques :
- les structures du quartier coordonnent leurs actions au lieu de se concurrencer ;
- les parents prennent leur place à l’école et au collège ;
- les jeunes trouvent des stages et des emplois dans l’agglomération.

Peu à peu, les habitants vivent Montreynaud comme un quartier *choisi*, \
où l’on s’entraide et où l’on s’engage."""


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed(stdout=None) -> None:
    site = Site.objects.filter(slug=SITE).first()
    if site is None or Revision.objects.filter(site=site).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__endswith="@demo.qic.fr")}
    nadia = people["trinome@demo.qic.fr"]
    sophie = people["ville.saint-etienne@demo.qic.fr"]
    karim = people["prefet.saint-etienne@demo.qic.fr"]
    pascal = people["ancien.delegue@demo.qic.fr"]  # the prefect's delegate until August 2024
    partner = people["partenaire@demo.qic.fr"]
    facilitator = people["crpv@demo.qic.fr"]
    with transaction.atomic():
        dates = []  # one date per revision, in order

        def step(day, result=None):
            dates.append(day)
            return result

        services.save_statement(site, nadia, expected_version=1, statement=STATEMENT, horizon_year=2040)
        step(dt.date(2023, 3, 9))
        for index, text in enumerate(POSITIVE):
            step(
                dt.date(2023, 3, 16),
                services.add_factor(
                    site, sophie if index % 2 else nadia, kind=FactorKind.POSITIVE, text=text
                ),
            )
        for index, text in enumerate(NEGATIVE):
            step(
                dt.date(2023, 3, 16),
                services.add_factor(
                    site, pascal if index % 2 else sophie, kind=FactorKind.NEGATIVE, text=text
                ),
            )
        ultimate = services.add_change(
            site, nadia, level=ChangeLevel.ULTIMATE, register=ULTIMATE[1], title=ULTIMATE[0],
            description=ULTIMATE[2], to_vision=True,
        )  # fmt: skip
        step(dt.date(2023, 5, 11))
        intermediates = []
        for index, (title, register) in enumerate(INTERMEDIATES):
            author = [sophie, nadia, pascal, sophie][index]
            intermediates.append(
                services.add_change(
                    site,
                    author,
                    level=ChangeLevel.INTERMEDIATE,
                    register=register,
                    title=title,
                    targets=[ultimate],
                )
            )
            step(dt.date(2023, 5, 11))
        directs = []
        for index, (title, register, target) in enumerate(DIRECTS):
            author = [nadia, sophie, pascal, pascal, sophie][index]
            directs.append(
                services.add_change(
                    site,
                    author,
                    level=ChangeLevel.DIRECT,
                    register=register,
                    title=title,
                    targets=[intermediates[target]],
                )  # fmt: skip
            )
            step(dt.date(2023, 6, 15))
        changes = {"d": directs, "i": intermediates}
        for index, (name, lead, status, served) in enumerate(ACTIONS):
            author = [nadia, nadia, sophie, sophie][index]
            services.add_action(
                site, author, name=name, lead_organisation=lead, status=status,
                changes=[changes[kind][i] for kind, i in served],
            )  # fmt: skip
            step(dt.date(2023, 9, 21))
        services.save_narrative(site, nadia, expected_version=1, narrative=NARRATIVE)
        step(dt.date(2024, 10, 3))
        # The trinôme in place since September 2024 adopts the document.
        adopted = services.head(site)
        for user in (karim, sophie, nadia):
            services.approve(site, user, number=adopted.number)
        # 2025: a draft reworks the strategy, not adopted yet.
        step(
            dt.date(2025, 3, 20),
            services.add_change(
                site, karim, level=ChangeLevel.DIRECT, register=ChangeRegister.KNOWLEDGE,
                title="Les habitants connaissent leurs droits et les démarches en ligne",
                description="Issu de la session du CRPV de mars 2025 : "
                "l’accès aux droits revient dans tous les ateliers.",
            ),
        )  # fmt: skip
        services.move_change(directs[3], sophie, direction="up")
        step(dt.date(2025, 4, 2))
        strategy = ChangeStrategy.objects.get(site=site)
        services.save_narrative(
            site, nadia, expected_version=strategy.version,
            narrative=NARRATIVE
            + "\n\nEn 2025, l’accès aux droits rejoint la stratégie : il conditionne tout le reste.",
        )  # fmt: skip
        step(dt.date(2025, 4, 10))
        _backdate(site, dates, adopted, adoption_day=dt.date(2024, 11, 14))
        _comments(site, partner, facilitator, nadia, intermediates[2])
    if stdout is not None:
        stdout.write("Vision et stratégie de Saint-Étienne : version adoptée et brouillon en cours.")


def _backdate(site, dates, adopted, *, adoption_day):
    """Spread the history over the real calendar of the site (the services wrote today's date)."""
    revisions = list(Revision.objects.filter(site=site).order_by("number"))
    for revision, day in zip(revisions, dates, strict=True):
        revision.created_at = _at(day, 9 + revision.number % 8)
    Revision.objects.bulk_update(revisions, ["created_at"])
    adopted_at = _at(adoption_day, 17)
    Revision.objects.filter(pk=adopted.pk).update(adopted_at=adopted_at)
    vision_progress.refresh([site.pk])  # the update bypasses model signals
    for offset, approval in enumerate(Approval.objects.filter(revision=adopted).order_by("approved_at")):
        Approval.objects.filter(pk=approval.pk).update(approved_at=adopted_at - dt.timedelta(days=2 - offset))
    SiteEvent.objects.filter(site=site, subject=f"vision.revision:{adopted.pk}").update(
        occurred_at=adopted_at
    )
    last = _at(dates[-1], 15)
    for model in ("context_factors", "changes", "partner_actions"):
        getattr(site, model).update(updated_at=last)
    Vision.objects.filter(site=site).update(updated_at=_at(dates[0]))
    ChangeStrategy.objects.filter(site=site).update(updated_at=last)


def _comments(site, partner, facilitator, nadia, change):
    first = services.add_comment(
        site, facilitator,
        body="Belle vision ! Lors de la prochaine session, confrontez-la aux facteurs négatifs : "
        "tient-elle toujours ?",
    )  # fmt: skip
    services.resolve_comment(first, nadia)
    services.add_comment(
        site, partner,
        body="La Mission locale peut proposer un atelier de découverte des métiers "
        "chaque mois au centre social.",
        change=change,
    )  # fmt: skip
    services.add_comment(
        site,
        facilitator,
        body="Pensez à dire comment vous saurez que les habitants « choisissent » leur quartier.",
    )
    Comment.objects.filter(site=site).update(created_at=_at(dt.date(2025, 4, 14)))
