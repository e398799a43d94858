"""The life of the synthetic sites: what the later capabilities hold for each, coherent with its status.

A site still interested or registering has nothing yet. From the start of its wave's training it attends its
region's modules (run by the CRPV), may draft its vision and place itself on the cooperation continuum; an
active site has, most of the time, an adopted vision (approved by the three seat holders of the day), a change
strategy, often a signed cooperation agreement, coaching hours used against its budget, self-assessments every
six months or so (trends), and sometimes indicators with their measurements. A paused or withdrawn site stops
at the date it paused or withdrew; a site that fell silent stops at its last sign of life.

Rows are written with `bulk_create` (in the caller's transaction); the journal events the real services write
(vision adopted, agreement signed, session attended, coaching, self-assessment) are appended to the batch's
events, so that the last-activity mark covers them. Its own random generator (seed + 1): the registry part
stays what it was for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from collectives.enums import (
    TRINOME_SEATS,
    BackboneRole,
    PlatformRole,
    SessionKind,
)
from collectives.models import (
    Participant,
    Session,
    SessionSite,
    User,
)
from collectives.services.coaching import hours as coaching_hours
from evaluation.enums import ConditionKey, ContinuumLevel, Direction, Frequency, IndicatorKind
from evaluation.models import (
    BackboneRoleAssessment,
    ConditionAssessment,
    Indicator,
    Measurement,
    SelfAssessment,
)

from .enums import EventKind, SiteStatus
from .models import ResourceCentre
from .synthetic_documents import DocumentsMixin, _at, _past, _quote


def _hours(minutes: int) -> str:
    """Minutes as the coaching service writes hours: 150 → "2,5"."""
    return coaching_hours(Decimal(minutes) / 60)


EMAIL_DOMAIN = "synthetique.qic.fr"

MODULES = [
    "Lancement et posture du trinôme",
    "La vision partagée",
    "L’analyse du contexte",
    "La stratégie de changement",
    "L’entente de coopération",
    "L’évaluation et l’apprentissage",
    "La structure de soutien",
    "Le continuum de la coopération",
    "Mobiliser les habitant·es",
    "Les indicateurs de changement",
    "Les communautés de pratique",
    "Bilan de la formation",
]
COACHING_TOPICS = [
    "Préparer l’atelier vision",
    "Relire la stratégie de changement",
    "Préparer la signature de l’entente",
    "Animer le comité de pilotage",
    "Construire les indicateurs",
    "Préparer l’auto-évaluation",
]
INDICATORS = [
    ("Jeunes accompagnés vers l’emploi", "jeunes", Direction.INCREASE, 40, 70),
    ("Parents présents aux réunions de l’école", "parents", Direction.INCREASE, 25, 60),
    ("Signalements de dégradations", "signalements", Direction.DECREASE, 120, 60),
    ("Structures partageant l’agenda commun", "structures", Direction.INCREASE, 5, 15),
]
TRUST_SCALE = ["Méfiance", "Prudence", "Confiance naissante", "Confiance établie"]
MODULE_GAP_DAYS = 35
HORIZON_DAYS = 120  # sessions planned up to four months ahead


@dataclass
class Profile:
    """What `synthetic._plan` decided about a site that its life depends on."""

    index: int
    status: str
    wave: object
    region_id: int
    training_on: dt.date | None  # reached training (the wave's training start), or None
    active_on: dt.date | None  # became active, or None
    quiet_from: dt.date  # nothing happens after this day (paused, withdrawn, silent, or today)
    seats: list = field(default_factory=list)  # (seat, user index, since, until or None)
    adopted_on: dt.date | None = None  # the day its vision was adopted
    strategy_changes: list = field(default_factory=list)  # the adopted strategy's higher changes

    def holder(self, seat, day: dt.date) -> int | None:
        for role, user, since, until in self.seats:
            if role == seat and since <= day and (until is None or day < until):
                return user
        return None

    def holders(self, day: dt.date) -> dict:
        """The seat holders on that day; a seat missing when vacant."""
        found = {seat: self.holder(seat, day) for seat in TRINOME_SEATS}
        return {seat: user for seat, user in found.items() if user is not None}


SESSION_NOTE = "Session synthétique (seed_synthetic) : remplacée au prochain passage."


def synthetic_sessions():
    """The sessions a previous run planned (marked in their notes: a region without CRPV has no synthetic
    facilitator to plan them)."""
    return Session.objects.filter(notes=SESSION_NOTE)


class _Writer(DocumentsMixin):
    def __init__(self, batch, sites, users, seed: int):
        self.batch, self.sites, self.users = batch, sites, users
        self.rng = random.Random(seed + 1)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        for s, u, role, since, until in batch.memberships:
            if role in TRINOME_SEATS:
                batch.profiles[s].seats.append((role, u, since, until))
        self.profiles = batch.profiles
        for p in self.profiles:
            p.training_on = min(p.training_on, self.today) if p.training_on else None
            p.active_on = min(p.active_on, self.today) if p.active_on else None

    def event(self, profile, kind, summary, at, subject=""):
        self.batch.events.append((profile.index, kind, summary, at, subject))

    def user(self, index):
        return self.users[index]

    def run(self) -> dict:
        self.sessions()
        self.visions()
        self.agreements()
        self.assessments()
        return self.counts

    # --- Sessions: the region's training modules, the site's coaching --------------------------------------

    def _facilitators(self) -> dict[int, User]:
        """One synthetic facilitator per CRPV, for each region it covers."""
        centres = list(ResourceCentre.objects.prefetch_related("regions").order_by("pk"))
        people = User.objects.bulk_create(
            [
                User(
                    email=f"animation.crpv{n}@{EMAIL_DOMAIN}",
                    first_name="Animation",
                    last_name=centre.short_name or centre.name,
                    role=PlatformRole.FACILITATOR,
                    resource_centre=centre,
                    organisation=centre.name,
                    password=make_password(None),
                )
                for n, centre in enumerate(centres)
            ]
        )
        return {
            region.pk: person
            for centre, person in zip(centres, people, strict=True)
            for region in centre.regions.all()
        }

    def sessions(self) -> None:
        rng, today = self.rng, self.today
        facilitators = self._facilitators()
        planned = []  # (Session, [(profile, [user indices], attended)])
        trained = [p for p in self.profiles if p.training_on]
        groups: dict[tuple, list] = {}
        for p in trained:
            groups.setdefault((p.wave.number, p.region_id), []).append(p)
        for (_, region_id), members in sorted(groups.items()):
            wave = members[0].wave
            start = wave.training_starts_on or min(p.training_on for p in members)
            start += dt.timedelta(days=rng.randint(0, 10))
            for k in range(min(wave.training_days, len(MODULES))):
                day = start + dt.timedelta(days=k * MODULE_GAP_DAYS)
                if day > today + dt.timedelta(days=HORIZON_DAYS):
                    break
                session = Session(
                    kind=SessionKind.REGIONAL_MODULE,
                    title=f"Vague {wave.number} — module {k + 1} : {MODULES[k]}",
                    starts_at=_at(day, 9, 30),
                    ends_at=_at(day, 17),
                    region_id=region_id,
                    place="Maison des associations",
                    agenda="Apports, exercices en trinôme, partage entre sites.",
                    notes=SESSION_NOTE,
                    created_by=facilitators.get(region_id),
                    created_at=_past(day - dt.timedelta(days=45), 10),
                )
                involved = [p for p in members if self._invited(p, day)]
                if involved:
                    planned.append((session, involved))
        for p in self.profiles:
            if p.active_on or (p.training_on and rng.random() < 0.3):
                planned.extend(self._coaching(p, facilitators.get(p.region_id)))
        self._write_sessions(planned, facilitators)

    def _ongoing(self, profile) -> bool:
        """Still in training or active, and not silent: sessions are planned for it."""
        return (
            profile.status in (SiteStatus.IN_TRAINING, SiteStatus.ACTIVE) and profile.quiet_from >= self.today
        )

    def _invited(self, profile, day) -> bool:
        """Whether the site is invited to a session that day (not once paused or withdrawn; a silent site is
        invited, and absent)."""
        if day > self.today:
            return self._ongoing(profile)
        stopped = profile.status in (SiteStatus.PAUSED, SiteStatus.WITHDRAWN)
        return not (stopped and day > profile.quiet_from)

    def _coaching(self, profile, facilitator) -> list:
        rng = self.rng
        budget_minutes = int(profile.wave.coaching_hours_per_site * 60)
        first = (profile.active_on or profile.training_on) - dt.timedelta(days=rng.randint(0, 60))
        first = max(first, profile.training_on or first)
        # An ongoing site has a session or two still to come; the others stop on their last day.
        last = self.today + dt.timedelta(days=60) if self._ongoing(profile) else profile.quiet_from
        if last < first:
            return []
        overbook = rng.random() < 0.06
        count = rng.randint(2, 5) if profile.active_on else rng.randint(1, 2)
        span = max((last - first).days, 1)
        days = sorted({first + dt.timedelta(days=rng.randint(0, span)) for _ in range(count)})
        planned, booked = [], 0
        for n, day in enumerate(days):
            minutes = rng.choice([120, 150, 180])
            if booked + minutes > budget_minutes and not overbook:
                break
            booked += minutes
            start = _at(day, rng.choice([9, 14]))
            session = Session(
                kind=SessionKind.SITE_COACHING,
                title=COACHING_TOPICS[(n + profile.index) % len(COACHING_TOPICS)],
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                region_id=profile.region_id,
                place="Sur site",
                notes=SESSION_NOTE,
                created_by=facilitator,
                created_at=min(start - dt.timedelta(days=21), self.now),
                overbooking_reason=(
                    "Signature de l’entente à préparer avant l’été." if booked > budget_minutes else ""
                ),
            )
            planned.append((session, [profile]))
        return planned

    def _write_sessions(self, planned, facilitators) -> None:
        rng, now = self.rng, self.now
        for session, _ in planned:
            session.duration_minutes = session.compute_duration()
        sessions = Session.objects.bulk_create([s for s, _ in planned], batch_size=1000)
        through = Session.facilitators.through
        through.objects.bulk_create(
            [through(session_id=s.pk, user_id=s.created_by_id) for s in sessions if s.created_by_id],
            batch_size=2000,
        )
        links, participants = [], []
        used: dict[int, int] = {}
        for session, involved in planned:
            held = session.starts_at <= now
            for p in involved:
                site = self.sites[p.index]
                links.append(SessionSite(session=session, site=site, added_at=session.created_at))
                day = timezone.localdate(session.starts_at)
                attended = False
                for seat, user in sorted(p.holders(min(day, self.today)).items()):
                    present = held and day <= p.quiet_from and rng.random() < 0.85
                    attended |= present
                    participants.append(
                        Participant(
                            session=session,
                            site=site,
                            user=self.user(user),
                            member_role=seat,
                            present=present,
                            marked_at=session.ends_at if present else None,
                            marked_by=session.created_by if present else None,
                            created_at=session.created_at,
                        )
                    )
                subject = f"collectives.session:{session.pk}"
                if attended:
                    self.event(
                        p,
                        EventKind.SESSION_ATTENDED,
                        f"{session.get_kind_display()} : {_quote(session.title)}",
                        session.starts_at,
                        subject,
                    )
                if session.is_coaching and held:
                    used[p.index] = used.get(p.index, 0) + session.duration_minutes
                    budget = p.wave.coaching_hours_per_site
                    self.event(
                        p,
                        EventKind.COACHING,
                        f"Accompagnement de {_hours(session.duration_minutes)} h : {_quote(session.title)} "
                        f"({_hours(used[p.index])} h utilisées sur {_hours(int(budget * 60))} h)",
                        session.starts_at,
                        subject,
                    )
        SessionSite.objects.bulk_create(links, batch_size=2000)
        Participant.objects.bulk_create(participants, batch_size=2000)
        self.counts.update(
            {
                "sessions": len(sessions),
                "participants": len(participants),
                "attendances": sum(1 for p in participants if p.present),
            }
        )

    # --- Self-assessments every six months or so, and indicators with their measurements ---------------

    def assessments(self) -> None:
        rng = self.rng
        planned = []  # (profile, SelfAssessment, {condition: level}, {role: coverage})
        for p in self.profiles:
            if not p.training_on or rng.random() > (0.95 if p.active_on else 0.6):
                continue
            day = p.training_on + dt.timedelta(days=rng.randint(20, 90))
            level = rng.randint(2, 3)
            conditions = {key: rng.randint(1, 2) for key in ConditionKey.values}
            while day <= p.quiet_from:
                holders = p.holders(day)
                if holders:
                    planned.append(
                        (
                            p,
                            SelfAssessment(
                                site=self.sites[p.index],
                                assessed_on=day,
                                recorded_by=self.user(rng.choice(sorted(holders.values()))),
                                continuum_level=level,
                                comment="Auto-évaluation en trinôme élargi aux partenaires.",
                                created_at=_past(day, 17),
                            ),
                            dict(conditions),
                            {role: min(2, rng.randint(0, 1) + (level >= 5)) for role in BackboneRole.values},
                        )
                    )
                day += dt.timedelta(days=rng.randint(150, 220))
                level = min(7, level + rng.choice([0, 1, 1] if p.active_on else [0, 0, 1]))
                conditions = {key: min(4, value + rng.choice([0, 0, 1])) for key, value in conditions.items()}
        assessments = SelfAssessment.objects.bulk_create([a for _, a, _, _ in planned], batch_size=1000)
        ratings, roles = [], []
        for (p, assessment, conditions, coverage), _ in zip(planned, assessments, strict=True):
            ratings.extend(
                ConditionAssessment(self_assessment=assessment, condition=key, level=value)
                for key, value in conditions.items()
            )
            roles.extend(
                BackboneRoleAssessment(self_assessment=assessment, role=role, coverage=value)
                for role, value in coverage.items()
            )
            average = f"{sum(conditions.values()) / len(conditions):.1f}".replace(".", ",")
            self.event(
                p,
                EventKind.SELF_ASSESSMENT,
                f"Auto-évaluation du {assessment.assessed_on:%d/%m/%Y} : continuum "
                f"« {ContinuumLevel(assessment.continuum_level).label} », conditions {average}/4 en moyenne",
                assessment.created_at,
                f"evaluation.selfassessment:{assessment.pk}",
            )
        ConditionAssessment.objects.bulk_create(ratings, batch_size=2000)
        BackboneRoleAssessment.objects.bulk_create(roles, batch_size=2000)
        self.counts["self-assessments"] = len(assessments)
        self.indicators()

    def indicators(self) -> None:
        rng = self.rng
        indicators, series = [], []
        for p in self.profiles:
            if not p.strategy_changes or p.status != SiteStatus.ACTIVE or rng.random() > 0.5:
                continue
            for change in rng.sample(p.strategy_changes, min(len(p.strategy_changes), rng.randint(1, 2))):
                qualitative = rng.random() < 0.25
                name, unit, direction, start, target = rng.choice(INDICATORS)
                indicator = Indicator(
                    site=self.sites[p.index],
                    change=change,
                    name="Confiance entre partenaires" if qualitative else name,
                    kind=IndicatorKind.QUALITATIVE if qualitative else IndicatorKind.QUANTITATIVE,
                    unit="" if qualitative else unit,
                    direction=Direction.INCREASE if qualitative else direction,
                    scale=TRUST_SCALE if qualitative else [],
                    baseline_on=p.adopted_on,
                    baseline_value=None if qualitative else Decimal(start),
                    baseline_level=1 if qualitative else None,
                    target_value=None if qualitative else Decimal(target),
                    target_level=4 if qualitative else None,
                    target_on=p.adopted_on.replace(year=p.adopted_on.year + 3, day=1),
                    data_source="Tableau de suivi du collectif",
                    frequency=Frequency.QUARTERLY,
                    created_at=_past(p.adopted_on, 18, 30),
                )
                indicators.append(indicator)
                series.append((p, indicator, start, target))
        Indicator.objects.bulk_create(indicators, batch_size=1000)
        measurements = []
        for p, indicator, start, target in series:
            recorder = self._user_or_none(next(iter(p.holders(indicator.baseline_on).values()), None))
            day, step = indicator.baseline_on, 1
            while True:
                day = _months_later(indicator.baseline_on, 3 * step)
                if day > p.quiet_from:
                    break
                progress = min(1.0, step / 12 + rng.uniform(-0.05, 0.1))
                measurements.append(
                    Measurement(
                        indicator=indicator,
                        site=indicator.site,
                        measured_on=day,
                        value=None
                        if indicator.scale
                        else Decimal(round(start + (target - start) * progress)),
                        level=min(4, 1 + int(progress * 4)) if indicator.scale else None,
                        recorded_by=recorder,
                        created_at=_past(day, 11),
                    )
                )
                step += 1
        Measurement.objects.bulk_create(measurements, batch_size=2000)
        self.counts.update({"indicators": len(indicators), "measurements": len(measurements)})


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def write(batch, sites, users, seed: int) -> dict:
    """Write the life of the planned sites (their rows saved); return how many rows of each kind."""
    return _Writer(batch, sites, users, seed).run()
