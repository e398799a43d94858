"""Sessions: planning (who may plan what, for which sites), the invited participants and attendance.

Coaching budgets live in `coaching.py`, the live exercises and outputs in `exercises.py`, the calendar feed in
`calendar.py`, the day-before reminders in `reminders.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from qic import access, text
from qic.locking import save_if_unchanged
from sites import journal, notifications
from sites.enums import EventKind, NotificationKind
from sites.models import Site, SiteEvent

from ..enums import NATIONAL_SESSION_KINDS, MemberRole, PlatformRole, SessionKind
from ..models import Membership, User
from ..services import coaching
from .models import ContinuumAnswer, Participant, Session, SessionOutput, SessionSite

MAX_SESSION_DAYS = 3
# Fields of a session a planner types; the sites and facilitators are saved alongside.
EDITABLE_FIELDS = {
    "kind": "Type",
    "title": "Intitulé",
    "starts_at": "Début",
    "ends_at": "Fin",
    "region": "Région",
    "place": "Lieu",
    "online_url": "Lien de connexion",
    "is_public": "Annoncée sur les pages publiques",
    "agenda": "Ordre du jour",
    "notes": "Notes",
    "overbooking_reason": "Raison du dépassement",
}


class SessionError(Exception):
    """A plan the rules refuse; `field` names the form field the French message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Plan:
    """What a planner asks for, before it is checked and saved."""

    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    region: object | None
    sites: list = field(default_factory=list)
    facilitators: list = field(default_factory=list)
    place: str = ""
    online_url: str = ""
    is_public: bool = False
    agenda: str = ""
    notes: str = ""
    overbooking_reason: str = ""

    def values(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title.strip(),
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "region": self.region,
            "place": self.place.strip(),
            "online_url": self.online_url.strip(),
            "is_public": self.is_public,
            "agenda": self.agenda.strip(),
            "notes": self.notes.strip(),
            "overbooking_reason": self.overbooking_reason.strip(),
        }


def person_name(user) -> str:
    return user.get_full_name() or user.email


# --- Who may facilitate, which sites may be chosen ----------------------------------------------------------


def facilitator_choices(user, region=None) -> QuerySet:
    """People who may be named to facilitate: national staff, and the facilitators of the CRPV(s) covering
    the region (or, for a facilitator planning, their own centre's colleagues)."""
    people = User.objects.filter(is_active=True)
    condition = Q(role=PlatformRole.NATIONAL)
    if region is not None:
        condition |= Q(role=PlatformRole.FACILITATOR, resource_centre__regions=region)
    elif access.is_facilitator(user):
        condition |= Q(role=PlatformRole.FACILITATOR, resource_centre=user.resource_centre_id)
    else:
        condition |= Q(role=PlatformRole.FACILITATOR)
    return people.filter(condition).distinct().order_by("last_name", "first_name", "email")


def check_plan(user, plan: Plan, *, session: Session | None = None) -> None:
    """Refuse, with a French message next to the right field, what this user may not plan."""
    if plan.ends_at <= plan.starts_at:
        raise SessionError("La fin doit être après le début.", "ends_at")
    if plan.ends_at - plan.starts_at > dt.timedelta(days=MAX_SESSION_DAYS):
        raise SessionError(f"Une session dure au plus {MAX_SESSION_DAYS} jours.", "ends_at")
    if not (plan.place.strip() or plan.online_url.strip()):
        raise SessionError("Indiquez un lieu ou un lien de connexion.", "place")
    national = access.is_national(user)
    if plan.kind in NATIONAL_SESSION_KINDS:
        if not national:
            raise SessionError("Les sessions nationales sont planifiées par l’équipe nationale.", "kind")
        if plan.region is not None:
            raise SessionError("Une session nationale ne se rattache à aucune région.", "region")
    elif plan.region is None:
        if plan.kind != SessionKind.WEBINAR:
            raise SessionError("Choisissez la région de cette session.", "region")
        if not national:
            raise SessionError(
                "Choisissez votre région : un webinaire national est organisé par l’ANCT.", "region"
            )
    elif not national and plan.region.pk not in access.covered_region_ids(user):
        raise SessionError("Votre centre de ressources ne couvre pas cette région.", "region")
    if not plan.sites:
        raise SessionError("Choisissez au moins un site.", "sites")
    allowed = set(
        access.runnable_sites(user).filter(pk__in=[s.pk for s in plan.sites]).values_list("pk", flat=True)
    )
    refused = [s.name for s in plan.sites if s.pk not in allowed]
    if refused:
        raise SessionError("Vous ne pouvez pas inviter ces sites : " + ", ".join(refused) + ".", "sites")
    if plan.region is not None:
        outside = [s.name for s in plan.sites if s.department.region_id != plan.region.pk]
        if outside:
            raise SessionError(
                f"Ces sites ne sont pas en {plan.region.name} : " + ", ".join(outside) + ".", "sites"
            )
    if plan.kind == SessionKind.SITE_COACHING and len(plan.sites) != 1:
        raise SessionError("Un accompagnement concerne un seul site : planifiez-en un par site.", "sites")
    allowed_people = set(facilitator_choices(user, plan.region).values_list("pk", flat=True))
    strangers = [person_name(u) for u in plan.facilitators if u.pk not in allowed_people]
    if strangers:
        raise SessionError(
            "Ces personnes ne peuvent pas animer cette session : " + ", ".join(strangers), "facilitators"
        )


def _check_budget(plan: Plan, session: Session | None) -> None:
    if plan.kind != SessionKind.SITE_COACHING:
        return
    minutes = int((plan.ends_at - plan.starts_at).total_seconds() // 60)
    check = coaching.check_budget(plan.sites[0], minutes, exclude=session)
    if check.over_budget and not plan.overbooking_reason.strip():
        site = plan.sites[0].name
        raise SessionError(
            f"Cet accompagnement porte le total de {site} à {coaching.hours(check.total_after)} h, "
            f"au-delà de son budget de {coaching.hours(check.budget)} h : indiquez la raison du dépassement.",
            "overbooking_reason",
        )


# --- Planning, editing, cancelling --------------------------------------------------------------------------


@transaction.atomic
def plan_session(user, plan: Plan) -> Session:
    check_plan(user, plan)
    if plan.kind == SessionKind.SITE_COACHING:
        coaching.lock_site(plan.sites[0])  # two planners booking the same budget at once: one waits
    _check_budget(plan, None)
    session = Session(**plan.values(), created_by=user, updated_by=user)
    session.save()
    session.facilitators.set(plan.facilitators)
    _set_sites(session, plan.sites)
    sync_participants(session, actor=user)
    coaching.record_if_held(session)
    _tell_participants(session, NotificationKind.SESSION_PLANNED, "Session planifiée", actor=user)
    return session


@transaction.atomic
def update_session(session: Session, plan: Plan, *, user, expected_version: int) -> Session:
    """Save a planner's changes; `EditConflict` if someone saved the session since `expected_version`."""
    check_plan(user, plan, session=session)
    _check_removed_sites(session, plan.sites)
    if plan.kind == SessionKind.SITE_COACHING:
        coaching.lock_site(plan.sites[0])
    _check_budget(plan, session)
    values = plan.values()
    values["duration_minutes"] = int((plan.ends_at - plan.starts_at).total_seconds() // 60)
    before = (session.starts_at, session.ends_at, session.place, session.online_url)
    session = save_if_unchanged(session, expected_version, values, user=user)
    session.facilitators.set(plan.facilitators)
    _set_sites(session, plan.sites)
    sync_participants(session, actor=user)
    coaching.record_if_held(session)
    if before != (session.starts_at, session.ends_at, session.place, session.online_url):
        _tell_participants(session, NotificationKind.SESSION_MOVED, "Session déplacée", actor=user)
    return session


def _tell_participants(session: Session, kind: str, what: str, *, actor) -> None:
    """A session's invited people and its sites' trinômes, each told once, under their site (the
    facilitators, under none)."""
    seats = Membership.objects.current().seats().filter(site__in=session.session_sites.values("site"))
    by_person: dict[int, int | None] = {}
    for site_id, user_id in [
        *session.participants.filter(user__isnull=False).values_list("site_id", "user_id"),
        *seats.values_list("site_id", "user_id"),
    ]:
        by_person.setdefault(user_id, site_id)
    for user_id in session.facilitators.values_list("pk", flat=True):
        by_person.setdefault(user_id, None)
    sites = Site.objects.in_bulk({pk for pk in by_person.values() if pk})
    title = f"{what} : « {session.title} », {text.session_span(session.starts_at, session.ends_at)}"
    for site_id in sorted(set(by_person.values()), key=lambda pk: pk or 0):
        notifications.notify(
            kind,
            [user for user, site in by_person.items() if site == site_id],
            title=title,
            url=reverse("sessions:detail", args=[session.pk]),
            site=sites.get(site_id),
            actor=actor,
            subject=session,
        )


def _check_removed_sites(session: Session, sites) -> None:
    """A site whose work is recorded in the session (its continuum position, its productions) stays in it:
    taking it out would hide that work from the session's board and from the site's members. (Attendance
    needs no such rule: people marked present stay in the session whatever its sites.)"""
    wanted = {site.pk for site in sites}
    for link in session.session_sites.exclude(site__in=wanted).select_related("site"):
        site = link.site
        recorded = []
        if ContinuumAnswer.objects.filter(exercise__session=session, site=site).exists():
            recorded.append("sa position sur le continuum")
        outputs = SessionOutput.objects.filter(session=session, site=site).count()
        if outputs:
            recorded.append(f"{outputs} production{'s' if outputs > 1 else ''}")
        if recorded:
            raise SessionError(
                f"« {site.name} » ne peut pas être retiré de la session, qui garde son travail "
                f"({', '.join(recorded)}). Gardez le site, ou retirez d’abord ce qui y est enregistré.",
                "sites",
            )


def _set_sites(session: Session, sites) -> None:
    wanted = {site.pk for site in sites}
    for link in session.session_sites.exclude(site__in=wanted):
        link.delete()
    have = set(session.session_sites.values_list("site_id", flat=True))
    for site in sites:
        if site.pk not in have:
            SessionSite.objects.create(session=session, site=site)


@transaction.atomic
def cancel_session(session: Session, *, user, reason: str = "") -> Session:
    """Cancel once: read under lock, so that a second cancellation at the same moment keeps the first reason
    and an edit saved meanwhile keeps its version number (the lock version only moves forward)."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if not locked.is_cancelled:
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = user
        locked.cancel_reason = reason.strip()[:300]
        locked.version += 1
        locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "version"])
        _tell_participants(locked, NotificationKind.SESSION_CANCELLED, "Session annulée", actor=user)
    for name in ("cancelled_at", "cancelled_by_id", "cancel_reason", "version"):
        setattr(session, name, getattr(locked, name))
    return session


# --- Participants -------------------------------------------------------------------------------------------


def sync_participants(session: Session, *, actor=None) -> None:
    """Invite the current members of the sites involved; drop those of sites no longer involved (unless they
    were marked present: attendance is history)."""
    site_ids = set(session.session_sites.values_list("site_id", flat=True))
    stale = session.participants.filter(user__isnull=False, present=False).exclude(site__in=site_ids)
    for participant in stale:
        participant.delete()
    invited = set(session.participants.filter(user__isnull=False).values_list("user_id", flat=True))
    members = Membership.objects.current().filter(site__in=site_ids).select_related("user")
    for membership in members.order_by("site_id", "role", "id"):
        if membership.user_id in invited or not membership.user.is_active:
            continue
        Participant.objects.create(
            session=session,
            site_id=membership.site_id,
            user=membership.user,
            member_role=membership.role,
            organisation=membership.organisation or membership.user.organisation,
            added_by=actor,
        )
        invited.add(membership.user_id)


def add_guest(session: Session, *, name: str, organisation: str, email: str, site=None, actor) -> Participant:
    """A named guest; the same person (same address, or same name and organisation, accents and case aside)
    is invited once. The session is locked while checking, so that two facilitators adding the same guest at
    the same moment add one."""
    email, name, organisation = email.strip().lower(), name.strip(), organisation.strip()
    if site is not None and not session.session_sites.filter(site=site).exists():
        raise SessionError("Ce site ne participe pas à la session.", "site")
    try:
        with transaction.atomic():
            Session.objects.select_for_update().filter(pk=session.pk).first()
            if (
                email
                and session.participants.filter(
                    Q(email__iexact=email) | Q(user__email__iexact=email)
                ).exists()
            ):
                raise SessionError("Cette personne est déjà invitée à la session.", "email")
            same = (text.normalise(name), text.normalise(organisation))
            for other_name, other_organisation in session.participants.filter(user__isnull=True).values_list(
                "name", "organisation"
            ):
                if (text.normalise(other_name), text.normalise(other_organisation)) == same:
                    raise SessionError(
                        f"{name} ({organisation or 'sans organisation'}) est déjà invité·e à la session.",
                        "name",
                    )
            return Participant.objects.create(
                session=session, site=site, name=name, organisation=organisation, email=email, added_by=actor
            )
    except IntegrityError:
        raise SessionError("Cette personne est déjà invitée à la session.", "email") from None


def remove_participant(participant: Participant) -> None:
    if participant.present:
        raise SessionError("Cette personne est notée présente : retirez d’abord sa présence.")
    participant.delete()


def participants(session: Session) -> list[Participant]:
    """Everyone invited, site by site then guests, in name order: the attendance screen and the sheet."""
    rows = list(session.participants.select_related("user", "site"))
    return sorted(
        rows,
        key=lambda p: (
            p.site is None,
            p.site.name if p.site else "",
            (p.user.last_name if p.user else p.name).lower(),
            p.display_name.lower(),
        ),
    )


@dataclass
class SiteGroup:
    site: object | None
    people: list

    @property
    def present(self) -> int:
        return sum(1 for p in self.people if p.present)


def grouped(rows: list[Participant]) -> list[SiteGroup]:
    groups: list[SiteGroup] = []
    for row in rows:
        if not groups or groups[-1].site != row.site:
            groups.append(SiteGroup(row.site, []))
        groups[-1].people.append(row)
    return groups


def attendance_counts(session: Session) -> dict:
    counts = session.participants.aggregate(invited=Count("id"), present=Count("id", filter=Q(present=True)))
    return {"invited": counts["invited"], "present": counts["present"]}


@transaction.atomic
def set_presence(participant: Participant, present: bool, *, actor, now=None) -> Participant:
    """Tick (or untick) one person; the first person ticked for a site writes the site's journal entry."""
    now = now or timezone.now()
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("session", "site")
        .get(pk=participant.pk)
    )
    if participant.present == present:
        return participant
    participant.present = present
    participant.marked_at = now
    participant.marked_by = actor
    participant.save(update_fields=["present", "marked_at", "marked_by"])
    if present and participant.site_id:
        record_attendance(participant.session, participant.site, actor=actor)
    return participant


def record_attendance(session: Session, site, *, actor=None) -> bool:
    """One "session attended" entry per site and session in the site's journal (idempotent)."""
    subject = f"{session._meta.label_lower}:{session.pk}"
    if SiteEvent.objects.filter(site=site, kind=EventKind.SESSION_ATTENDED, subject=subject).exists():
        return False
    at = min(session.starts_at, timezone.now())
    summary = f"{session.get_kind_display()} : « {session.title} »"
    journal.record(site, EventKind.SESSION_ATTENDED, summary, actor=actor, at=at, subject=session)
    return True


# --- Lists --------------------------------------------------------------------------------------------------


def my_sessions(user, queryset: QuerySet | None = None) -> QuerySet:
    """The sessions that are this person's own: they facilitate it, are invited, or it involves their site."""
    qs = Session.objects.all() if queryset is None else queryset
    invited = Q(pk__in=Participant.objects.filter(user=user).values("session"))
    facilitates = Q(pk__in=Session.facilitators.through.objects.filter(user=user).values("session"))
    my_sites = Membership.objects.filter(user=user, ended_on__isnull=True).values("site")
    of_my_sites = Q(pk__in=SessionSite.objects.filter(site__in=my_sites).values("session"))
    return qs.filter(invited | facilitates | of_my_sites | Q(created_by=user))


def with_list_data(queryset: QuerySet) -> QuerySet:
    """What a list of sessions shows, in a fixed number of queries."""
    from sites.models import Site

    return (
        queryset.without_texts()
        .select_related("region")
        .prefetch_related(
            Prefetch("sites", queryset=Site.objects.only("pk", "name", "slug").order_by("name")),
            Prefetch("facilitators", queryset=User.objects.only("pk", "first_name", "last_name", "email")),
        )
        .annotate(invited_count=_participants(), present_count=_participants(present=True))
    )


def _participants(**conditions):
    """How many participants a session of the list has (with these conditions): counted per session shown,
    through the participants' session index. A join of all participants grouped by session made PostgreSQL
    read the whole participants table for a page of three sessions (11 ms a page; 27,000 participants)."""
    rows = Participant.objects.filter(session=OuterRef("pk"), **conditions).order_by().values("session")
    counted = rows.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def upcoming(queryset: QuerySet, now=None) -> QuerySet:
    now = now or timezone.now()
    return queryset.filter(ends_at__gte=now).order_by("starts_at", "id")


def past(queryset: QuerySet, now=None) -> QuerySet:
    now = now or timezone.now()
    return queryset.filter(ends_at__lt=now).order_by("-starts_at", "-id")


def site_sessions(site) -> QuerySet:
    return Session.objects.filter(session_sites__site=site)


def member_roles() -> dict:
    return dict(MemberRole.choices)
