"""Sessions for tests: `make_session` builds one without the planning rules and invites its members."""

import datetime as dt

from django.utils import timezone

from collectives.enums import NATIONAL_SESSION_KINDS, SessionKind
from collectives.models import Session, SessionOutput, SessionSite
from collectives.sessions.services import sync_participants


def at(days: int = 0, hour: int = 9, minute: int = 30) -> dt.datetime:
    """A local date and time, `days` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_session(
    sites,
    *,
    kind=SessionKind.REGIONAL_MODULE,
    title=None,
    starts_at=None,
    hours=3,
    region="auto",
    facilitators=(),
    created_by=None,
    invite=True,
    **extra,
) -> Session:
    starts_at = starts_at or at(days=7)
    if region == "auto":
        region = None if kind in NATIONAL_SESSION_KINDS else sites[0].department.region
    session = Session(
        kind=kind,
        title=title or f"Session {kind}",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        region=region,
        place=extra.pop("place", "Salle des fêtes"),
        created_by=created_by,
        **extra,
    )
    session.save()
    session.facilitators.set(facilitators)
    for site in sites:
        SessionSite.objects.create(session=session, site=site)
    if invite:
        sync_participants(session)
    return session


def make_output(session, site, *, title="Prototype d’entente", text="- Principes\n- Lieux") -> SessionOutput:
    output = SessionOutput(session=session, site=site, title=title, text=text)
    output.save()
    return output
