"""The synthetic sites' documents: vision and change strategy (drafted, then adopted by the three seat holders
of the day), and the cooperation agreement (signed by the three seats). Part of `synthetic_activity._Writer`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collectives.enums import TRINOME_SEATS, AgreementPart, AgreementStatus, MemberRole
from collectives.models import AgreementChange, AgreementSection, AgreementSignature, CooperationAgreement
from vision import document
from vision.enums import ActionStatus, ChangeLevel, ChangeRegister, FactorKind
from vision.models import Approval, Change, ChangeStrategy, ContextFactor, PartnerAction, Revision, Vision

from .enums import EventKind

VISIONS = [
    "En {year}, les habitant·es construisent ensemble un quartier où chaque jeune trouve sa voie.",
    "En {year}, le quartier est un lieu où l’on vit en sécurité, entouré·e de voisin·es solidaires.",
    "En {year}, chaque famille du quartier accède simplement à l’emploi, à la santé et à la culture.",
    "En {year}, les acteurs du quartier agissent d’une seule voix pour la réussite de tous les enfants.",
]
FACTORS = {
    FactorKind.POSITIVE: [
        "Un tissu associatif dense et engagé",
        "Des habitant·es mobilisé·es lors des consultations",
        "Un centre social reconnu",
        "Des financements de la politique de la ville sécurisés",
    ],
    FactorKind.NEGATIVE: [
        "Un fort turnover des professionnel·les",
        "Peu de lieux de rencontre entre institutions",
        "Une défiance envers les institutions",
        "Des transports en commun peu fréquents",
    ],
}
CHANGES = {
    ChangeLevel.ULTIMATE: [
        "Les jeunes du quartier réussissent leur insertion professionnelle",
        "Les habitant·es se sentent en sécurité et solidaires",
        "Les familles accèdent sans obstacle aux services",
    ],
    ChangeLevel.INTERMEDIATE: [
        "Les structures orientent les jeunes vers les mêmes parcours",
        "Les parents participent aux instances de l’école",
        "Les bailleurs et la ville entretiennent ensemble les espaces publics",
        "Les professionnel·les partagent leurs informations sur les familles suivies",
    ],
    ChangeLevel.DIRECT: [
        "Les acteurs connaissent l’offre d’accompagnement du quartier",
        "Les habitant·es connaissent les lieux d’accueil",
        "Les professionnel·les savent repérer les décrocheurs",
        "Les parents connaissent le fonctionnement du collège",
        "Les associations connaissent les besoins des employeurs",
    ],
}
REGISTERS = list(ChangeRegister)
ACTIONS = [
    ("Forum des métiers", "Mission locale"),
    ("Café des parents", "Centre social"),
    ("Marches exploratoires", "Association des habitant·es"),
    ("Permanence d’accès aux droits", "CCAS"),
]
AGREEMENT_TEXTS = {
    AgreementPart.PRINCIPLES: "Nous décidons au consensus et chacun·e peut demander un temps de discussion.",
    AgreementPart.SPACES: "Un comité de pilotage trimestriel et un groupe opérationnel mensuel.",
    AgreementPart.POWER: "Le comité de pilotage arbitre ; le groupe opérationnel propose.",
    AgreementPart.COMMUNICATION: "Un compte rendu partagé après chaque réunion, une lettre aux partenaires.",
    AgreementPart.TALENTS: "Chaque partenaire apporte une compétence identifiée au collectif.",
}


def _past(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """That day at that time, or now if that is still to come (what happened today happened by now)."""
    return min(_at(day, hour, minute), timezone.now())


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _quote(text: str) -> str:
    return f"« {text} »"


class DocumentsMixin:
    """Needs `rng`, `today`, `profiles`, `sites`, `user()`, `event()` and `counts` (see `_Writer`)."""

    # --- Vision and change strategy: drafted in training, adopted by the three seats once active ---------

    def visions(self) -> None:
        rng = self.rng
        plans = []
        for p in self.profiles:
            if not p.training_on:
                continue
            start = p.training_on + dt.timedelta(days=rng.randint(20, 60))
            end = min(p.quiet_from, self.today)
            if start > end or rng.random() > (0.95 if p.active_on else 0.55):
                continue
            adopted_on = None
            if p.active_on and rng.random() < 0.92:
                # Adopted some months into the training, or later once a vacant seat is filled (never while
                # a seat is vacant: the three seat holders approve it).
                day = min(max(p.training_on + dt.timedelta(days=rng.randint(150, 330)), start), end)
                adopted_on = next((d for d in (day, end) if len(p.holders(d)) == len(TRINOME_SEATS)), None)
            with_strategy = rng.random() < (0.85 if p.active_on else 0.3)
            plans.append(self._plan_vision(p, start, end, adopted_on, with_strategy))
        self._write_visions(plans)

    def _plan_vision(self, p, start, end, adopted_on, with_strategy) -> dict:
        rng = self.rng
        year = start.year + rng.randint(9, 12)
        author = next(iter(p.holders(start).values()), None)
        factors = [
            ContextFactor(site=self.sites[p.index], kind=kind, text=text, position=n)
            for kind in FactorKind
            for n, text in enumerate(rng.sample(FACTORS[kind], rng.randint(1, 2)))
        ]
        changes, links = [], []
        if with_strategy:
            ultimate = Change(
                site=self.sites[p.index],
                level=ChangeLevel.ULTIMATE,
                register=rng.choice(REGISTERS),
                title=rng.choice(CHANGES[ChangeLevel.ULTIMATE]),
                contributes_to_vision=True,
            )
            changes.append(ultimate)
            complete = p.active_on is not None
            middle = rng.sample(CHANGES[ChangeLevel.INTERMEDIATE], 2 if complete else 1)
            direct = rng.sample(CHANGES[ChangeLevel.DIRECT], rng.randint(2, 3) if complete else 0)
            for n, title in enumerate(middle):
                change = Change(
                    site=ultimate.site,
                    level=ChangeLevel.INTERMEDIATE,
                    register=rng.choice(REGISTERS),
                    title=title,
                    position=n,
                )
                changes.append(change)
                links.append((change, ultimate))
            for n, title in enumerate(direct):
                change = Change(
                    site=ultimate.site,
                    level=ChangeLevel.DIRECT,
                    register=ChangeRegister.KNOWLEDGE,
                    title=title,
                    position=n,
                )
                changes.append(change)
                links.append((change, changes[1 + rng.randrange(len(middle))]))
        actions = []
        if with_strategy and p.active_on:
            for n, (name, lead) in enumerate(rng.sample(ACTIONS, rng.randint(0, 2))):
                action = PartnerAction(
                    site=self.sites[p.index],
                    name=name,
                    lead_organisation=lead,
                    status=rng.choice([ActionStatus.PLANNED, ActionStatus.RUNNING, ActionStatus.DONE]),
                    position=n,
                )
                actions.append((action, changes[-1]))
        last = adopted_on - dt.timedelta(days=rng.randint(3, 30)) if adopted_on else end
        last = max(last, start)
        if not adopted_on:
            last = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        moments = [_past(start, 10), _past(start + (last - start) / 2, 11), _past(last, 16)]
        for item in [*factors, *changes, *(a for a, _ in actions)]:
            item.updated_at, item.updated_by = moments[-1], self._user_or_none(author)
        vision = Vision(
            site=self.sites[p.index],
            statement=rng.choice(VISIONS).format(year=year),
            horizon_year=year,
            updated_at=moments[0],
            updated_by=self._user_or_none(author),
        )
        strategy = None
        if changes:
            strategy = ChangeStrategy(
                site=vision.site,
                narrative="Notre chaîne de changements part des connaissances des acteurs pour aller vers "
                "une transformation durable du quartier.",
                updated_at=moments[-1],
            )
        return {
            "profile": p,
            "vision": vision,
            "strategy": strategy,
            "factors": factors,
            "changes": changes,
            "links": links,
            "actions": actions,
            "moments": moments,
            "author": author,
            "adopted_on": adopted_on,
        }

    def _user_or_none(self, index):
        return self.user(index) if index is not None else None

    def _write_visions(self, plans) -> None:
        Vision.objects.bulk_create([plan["vision"] for plan in plans], batch_size=1000)
        ChangeStrategy.objects.bulk_create(
            [plan["strategy"] for plan in plans if plan["strategy"]], batch_size=1000
        )
        ContextFactor.objects.bulk_create([f for plan in plans for f in plan["factors"]], batch_size=2000)
        Change.objects.bulk_create([c for plan in plans for c in plan["changes"]], batch_size=2000)
        PartnerAction.objects.bulk_create([a for plan in plans for a, _ in plan["actions"]], batch_size=2000)
        link = Change.contributes_to.through
        link.objects.bulk_create(
            [link(from_change_id=a.pk, to_change_id=b.pk) for plan in plans for a, b in plan["links"]],
            batch_size=2000,
        )
        served = PartnerAction.changes.through
        served.objects.bulk_create(
            [served(partneraction_id=a.pk, change_id=c.pk) for plan in plans for a, c in plan["actions"]],
            batch_size=2000,
        )
        revisions = []
        for plan in plans:
            revisions.extend(self._revisions(plan))
        Revision.objects.bulk_create(revisions, batch_size=500)
        approvals = []
        for plan in plans:
            adopted = plan.get("adopted")
            if adopted is not None:
                approvals.extend(self._adopt(plan, adopted))
        approved_at = Approval._meta.get_field("approved_at")
        approved_at.auto_now_add = False
        try:
            Approval.objects.bulk_create(approvals, batch_size=2000)
        finally:
            approved_at.auto_now_add = True
        self.counts.update(
            {
                "visions": len(plans),
                "vision versions": len(revisions),
                "visions adopted": sum(1 for plan in plans if plan.get("adopted")),
                "changes": sum(len(plan["changes"]) for plan in plans),
            }
        )

    def _revisions(self, plan) -> list[Revision]:
        """The document's saved versions: the vision alone, then its context, then the whole document (the
        rows as they are now: `document.snapshot` of them)."""
        vision, strategy, factors, changes = (
            plan["vision"],
            plan["strategy"],
            plan["factors"],
            plan["changes"],
        )
        targets: dict[int, list[int]] = {c.pk: [] for c in changes}
        for source, target in plan["links"]:
            targets[source.pk].append(target.pk)
        actions = [a for a, _ in plan["actions"]]
        served = {a.pk: [c.pk] for a, c in plan["actions"]}
        order = sorted(changes, key=lambda c: (c.level_enum.rank, c.position, c.pk))
        factors = sorted(factors, key=lambda f: (f.kind, f.position, f.pk))
        positive = next(f for f in factors if f.kind == FactorKind.POSITIVE)
        full = document.snapshot(
            document.LiveDocument(vision, strategy, factors, order, actions, targets, served)
        )
        alone = document.snapshot(document.LiveDocument(vision, None, [], [], [], {}, {}))
        context = document.snapshot(document.LiveDocument(vision, None, factors, [], [], {}, {}))
        summaries = [
            (f"Vision modifiée (horizon {vision.horizon_year})", alone),
            (f"Facteur positif ajouté : {_quote(positive.text)}", context),
        ]
        if changes:
            summaries.append((f"{ChangeLevel.DIRECT.label} ajouté : {_quote(order[0].title)}", full))
        else:
            summaries[-1] = (summaries[-1][0], full)
        author = self._user_or_none(plan["author"])
        site = vision.site
        rows = [
            Revision(site=site, number=n, snapshot=snap, summary=summary, author=author, created_at=moment)
            for n, ((summary, snap), moment) in enumerate(zip(summaries, plan["moments"], strict=False), 1)
        ]
        if plan["adopted_on"]:
            rows[-1].adopted_at = _past(plan["adopted_on"], 18)
            rows[-1].adopted_with_strategy = bool(changes)
            plan["adopted"] = rows[-1]
        return rows

    def _adopt(self, plan, revision) -> list[Approval]:
        """The three seat holders approve the last version; the third approval adopts it (the journal says
        so, as `vision.services` does)."""
        rng, p, day = self.rng, plan["profile"], plan["adopted_on"]
        holders = p.holders(day)
        adopted_at = revision.adopted_at
        approvals = []
        for n, (seat, user) in enumerate(sorted(holders.items())):
            at = adopted_at if n == len(holders) - 1 else adopted_at - dt.timedelta(days=rng.randint(1, 5))
            approvals.append(Approval(revision=revision, user=self.user(user), seat=seat, approved_at=at))
        subject = f"vision.revision:{revision.pk}"
        statement = revision.snapshot["vision"]["statement"]
        self.event(
            p,
            EventKind.VISION_ADOPTED,
            f"Vision adoptée par le trinôme (version {revision.number}) : {_quote(statement)}",
            adopted_at,
            subject,
        )
        if revision.adopted_with_strategy:
            self.event(
                p,
                EventKind.STRATEGY_ADOPTED,
                f"Stratégie de changement adoptée par le trinôme (version {revision.number}, "
                f"{len(revision.snapshot['changes'])} changements)",
                adopted_at,
                subject,
            )
        p.adopted_on = day
        p.strategy_changes = (
            [c for c in plan["changes"] if c.level != ChangeLevel.DIRECT]
            if revision.adopted_with_strategy
            else []
        )
        return approvals

    # --- Cooperation agreement: signed by the three seats some months after the vision ------------------

    def agreements(self) -> None:
        rng = self.rng
        agreements, plans = [], []
        for p in self.profiles:
            if not p.active_on:
                continue
            opened = (p.adopted_on or p.active_on) + dt.timedelta(days=rng.randint(10, 60))
            if opened > p.quiet_from:
                continue
            signed_on = None
            if p.adopted_on and rng.random() < 0.65:
                day = min(opened + dt.timedelta(days=rng.randint(30, 200)), p.quiet_from)
                if len(p.holders(day)) == len(TRINOME_SEATS):
                    signed_on = day
            elif rng.random() > (0.5 if p.adopted_on else 0.15):
                continue
            author = next(iter(p.holders(opened).values()), None)
            agreement = CooperationAgreement(
                site=self.sites[p.index],
                number=1,
                status=AgreementStatus.IN_FORCE if signed_on else AgreementStatus.DRAFT,
                created_by=self._user_or_none(author),
                created_at=_past(opened, 10),
                in_force_since=signed_on,
            )
            agreements.append(agreement)
            plans.append((p, agreement, author, signed_on))
        CooperationAgreement.objects.bulk_create(agreements, batch_size=1000)
        sections, signatures, changes = [], [], []
        for p, agreement, author, signed_on in plans:
            for n, part in enumerate(AgreementPart):
                written = signed_on or n < rng.randint(1, 5)
                sections.append(
                    AgreementSection(
                        agreement=agreement,
                        part=part,
                        text=AGREEMENT_TEXTS[part] if written else "",
                        updated_at=agreement.created_at,
                        updated_by=self._user_or_none(author),
                    )
                )
            changes.append(
                AgreementChange(
                    agreement=agreement,
                    author=self._user_or_none(author),
                    at=agreement.created_at,
                    summary="Ouverture de la version 1",
                )
            )
            if signed_on:
                signatures.extend(self._signatures(p, agreement, signed_on))
        AgreementSection.objects.bulk_create(sections, batch_size=2000)
        AgreementChange.objects.bulk_create(changes, batch_size=2000)
        AgreementSignature.objects.bulk_create(signatures, batch_size=2000)
        self.counts["agreements signed"] = sum(1 for *_, signed in plans if signed)

    def _signatures(self, p, agreement, signed_on) -> list[AgreementSignature]:
        """One signature per seat, the third on the day it came into force (journal: as the service says)."""
        holders = sorted(p.holders(signed_on).items())
        subject = f"collectives.cooperationagreement:{agreement.pk}"
        rows = []
        for n, (seat, index) in enumerate(holders):
            day = signed_on - dt.timedelta(days=0 if n == len(holders) - 1 else self.rng.randint(1, 10))
            user = self.user(index)
            at = _past(day, 12)
            rows.append(
                AgreementSignature(
                    agreement=agreement, seat=seat, signed_by=user, signed_on=day, signed_at=at
                )
            )
            self.event(
                p,
                EventKind.AGREEMENT_SIGNED,
                f"{user.get_full_name()} signe l’entente de coopération (version 1) pour le siège "
                f"« {MemberRole(seat).label} »",
                at,
                subject,
            )
        self.event(
            p,
            EventKind.AGREEMENT_SIGNED,
            "Entente de coopération (version 1) en vigueur : signée par les trois sièges du trinôme",
            _past(signed_on, 12, 1),
            subject,
        )
        return rows
