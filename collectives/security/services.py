"""Account security rules: who signs in with ProConnect, who must use two-factor, how sessions end."""

from __future__ import annotations

import math
import time

from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from collectives.enums import PlatformRole
from collectives.models import User
from collectives.services import identity as addresses

from .models import ProConnectIdentity
from .proconnect import Agent

# Session keys. The ID token is kept for the provider's end-session call (id_token_hint).
ID_TOKEN_KEY = "proconnect_id_token"
UNKNOWN_AGENT_KEY = "proconnect_unknown_agent"
NEXT_KEY = "proconnect_next"
LOGOUT_STATE_KEY = "proconnect_logout_state"
AUTHENTICATED_AT_KEY = "qic_authenticated_at"
SEEN_AT_KEY = "qic_seen_at"
MFA_OK_KEY = "qic_mfa_ok"


# --- ProConnect -------------------------------------------------------------------------------------------


def find_account(agent: Agent) -> User | None:
    """The invited account of this agent: the one already linked to their ProConnect identity, else the one
    that verified their email (an account that merely typed the address in is not theirs). Nobody else gets
    in: accounts are never created from ProConnect."""
    identity = ProConnectIdentity.objects.select_related("user").filter(subject=agent.subject).first()
    if identity is not None:
        return identity.user
    return addresses.verified_owner(agent.email)


@transaction.atomic
def link_identity(user: User, agent: Agent) -> ProConnectIdentity:
    identity, _ = ProConnectIdentity.objects.update_or_create(
        subject=agent.subject,
        defaults={"user": user, "email": agent.email, "siret": agent.siret, "last_login_at": timezone.now()},
    )
    changed = []
    if not user.first_name and agent.given_name:
        user.first_name, changed = agent.given_name[:150], [*changed, "first_name"]
    if not user.last_name and agent.usual_name:
        user.last_name, changed = agent.usual_name[:150], [*changed, "last_name"]
    if changed:
        user.save(update_fields=changed)
    return identity


def sign_in_agent(request: HttpRequest, user: User, agent: Agent, next_url: str | None) -> HttpResponse:
    """Sign the agent in through allauth's login flow, so that its stages (two-factor among them) apply."""
    if user.is_active:
        link_identity(user, agent)
    request.session[ID_TOKEN_KEY] = agent.id_token
    request.session.pop(UNKNOWN_AGENT_KEY, None)
    record_authentication(request, user, method="proconnect", uid=agent.subject, email=agent.email)
    return perform_login(request, Login(user=user, redirect_url=next_url, email=user.email))


def account_from_invitations(agent: Agent) -> tuple[User | None, list]:
    """An agent with no account yet but invited by email: ProConnect vouches for that address as the
    invitation link would, so their account is opened (without a password) and the invitations accepted.
    Returns the account and the memberships; (None, []) when no pending invitation could be accepted."""
    from collectives.models import Invitation
    from collectives.services import invitations

    pending = list(Invitation.objects.pending().filter(email__iexact=agent.email).order_by("created_at"))
    if not pending:
        return None, []
    with transaction.atomic():
        first = pending[0]
        user = invitations.create_account(
            first,
            first_name=agent.given_name or first.first_name,
            last_name=agent.usual_name or first.last_name,
            password=None,  # an unusable password: ProConnect is how they sign in
        )
        memberships = []
        for invitation in pending:
            try:
                with transaction.atomic():
                    memberships.append(invitations.accept(invitation, user))
            except invitations.InvitationError:
                continue  # e.g. the seat was taken meanwhile; the others still count
        if not memberships:
            transaction.set_rollback(True)
            return None, []
    return user, memberships


def remember_unknown_agent(request: HttpRequest, agent: Agent) -> None:
    """An agent with no invited account: nothing is created; the page that explains whom to ask reads this."""
    request.session[UNKNOWN_AGENT_KEY] = {
        "email": agent.email,
        "name": f"{agent.given_name} {agent.usual_name}".strip(),
    }
    request.session[ID_TOKEN_KEY] = agent.id_token  # to sign out of ProConnect and try another identity


# --- Two-factor authentication ----------------------------------------------------------------------------


def mfa_required_for(user) -> bool:
    """National staff, the steering committee and admin accounts see every site: a password is not enough."""
    if not (settings.QIC_MFA_REQUIRED and user.is_authenticated):
        return False
    return user.is_superuser or user.is_staff or user.role in (PlatformRole.NATIONAL, PlatformRole.STEERING)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_missing(request: HttpRequest) -> bool:
    """Whether this signed-in person must still set up two-factor authentication before going anywhere."""
    user = request.user
    if not mfa_required_for(user) or request.session.get(MFA_OK_KEY) == user.pk:
        return False
    if has_totp(user):
        request.session[MFA_OK_KEY] = user.pk  # checked once per session, not once per request
        return False
    return True


# --- Sessions ---------------------------------------------------------------------------------------------


def start_session_clock(session: SessionBase) -> None:
    now = int(time.time())
    session[AUTHENTICATED_AT_KEY] = now
    session[SEEN_AT_KEY] = now


def session_expiry(session: SessionBase, now: float | None = None) -> str | None:
    """Why this signed-in session is over ("idle" or "absolute"), or None while it is alive."""
    now = time.time() if now is None else now
    authenticated_at = session.get(AUTHENTICATED_AT_KEY)
    seen_at = session.get(SEEN_AT_KEY)
    if authenticated_at is None or seen_at is None:
        return None  # a session from before these rules: its clock starts now
    if now - authenticated_at > settings.SESSION_COOKIE_AGE:
        return "absolute"
    if now - seen_at > settings.QIC_SESSION_IDLE_SECONDS:
        return "idle"
    return None


def session_clock(session: SessionBase, now: float | None = None) -> dict[str, int]:
    """Seconds left before this session ends for inactivity ("idle") and whatever the activity ("ends"),
    for the page's script that warns before either (WCAG 2.2.1: a time limit is announced and extendable)."""
    now = time.time() if now is None else now
    authenticated_at = session.get(AUTHENTICATED_AT_KEY, now)
    seen_at = session.get(SEEN_AT_KEY, now)
    return {  # rounded up: a page never thinks its session over before the server does
        "idle": max(0, math.ceil(seen_at + settings.QIC_SESSION_IDLE_SECONDS - now)),
        "ends": max(0, math.ceil(authenticated_at + settings.SESSION_COOKIE_AGE - now)),
        "idle_limit": settings.QIC_SESSION_IDLE_SECONDS,
    }


def touch_session(session: SessionBase, now: float | None = None) -> None:
    """Record activity, writing to the session store at most once a minute (or a tenth of the idle time)."""
    now = int(time.time() if now is None else now)
    if session.get(AUTHENTICATED_AT_KEY) is None:
        start_session_clock(session)
        return
    throttle = min(60, settings.QIC_SESSION_IDLE_SECONDS // 10)
    if now - session.get(SEEN_AT_KEY, 0) >= throttle:
        session[SEEN_AT_KEY] = now


def end_all_sessions(user) -> int:
    """End every session of this person on the server (deactivation, or "sign out everywhere")."""
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)


def end_session_of(user, session_id: int) -> bool:
    """End one of this person's own sessions; another person's session id ends nothing."""
    session = UserSession.objects.filter(user_id=user.pk, pk=session_id).first()
    if session is None:
        return False
    session.end()
    return True
