"""Invitations by email into a site's collective, seat handovers, and accepting an invitation."""

from __future__ import annotations

import datetime as dt

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qic import text
from sites import journal, notifications
from sites.enums import EventKind, NotificationKind

from ..enums import TRINOME_SEATS, MemberRole, PlatformRole
from ..models import Invitation, Membership, User
from . import identity
from .members import MembershipError, end_membership, join, person_name


class InvitationError(Exception):
    """An invitation the rules refuse; `field` names the form field the French message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.QIC_INVITATION_DAYS)


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("collectives:accept_invitation", kwargs={"token": token})


def _send(invitation: Invitation, token: str) -> None:
    """Email the link once the transaction commits (the adapter queues it for a Celery worker)."""
    context = {
        "invitation": invitation,
        "site": invitation.site,
        "inviter": person_name(invitation.invited_by) if invitation.invited_by else "L’équipe QIC",
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "existing_account": identity.verified_owner(invitation.email) is not None,
        "succeeds": invitation.replaces.user if invitation.replaces_id else None,
    }
    get_adapter().send_mail("collectives/email/invitation", invitation.email, context)


def _close_expired(site, *, email: str | None = None, role: str | None = None) -> None:
    """Expired invitations no longer block a new one for the same person or seat."""
    stale = site.invitations.open().filter(expires_at__lte=timezone.now())
    for invitation in stale.filter(Q(email__iexact=email or "") | Q(role=role or "")):
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def check_invitable(site, email: str, role: str, *, replacing: Membership | None = None) -> None:
    """Refuse what would break the collective's rules, with a French message for the right field.
    The address designates an account only once that account verified it."""
    existing = identity.verified_owner(email)
    if existing is not None and existing.role != PlatformRole.MEMBER:
        raise InvitationError(
            f"Cette adresse est celle d’un compte « {existing.get_role_display()} », qui accède déjà au site "
            "sans invitation.",
            "email",
        )
    if existing is not None:
        current = site.memberships.current().filter(user=existing).first()
        if replacing is not None and current is not None and current.pk == replacing.pk:
            raise InvitationError("La personne qui quitte le siège ne peut pas s’y succéder.", "email")
        if current is not None and current.role == role:
            raise InvitationError(
                f"{person_name(existing)} est déjà membre du collectif "
                f"comme « {current.get_role_display()} ».",
                "email",
            )
    if site.invitations.pending().filter(email__iexact=email).exists():
        raise InvitationError(
            "Une invitation est déjà en attente pour cette adresse : "
            "renvoyez-la depuis la liste des invitations.",
            "email",
        )
    if role in TRINOME_SEATS:
        holder = site.memberships.current().filter(role=role).select_related("user").first()
        if holder is not None and (replacing is None or holder.pk != replacing.pk):
            raise InvitationError(
                f"Le siège « {MemberRole(role).label} » est occupé par {person_name(holder.user)} : "
                "utilisez « Remplacer » pour organiser la passation.",
                "role",
            )
        pending = site.invitations.pending().filter(role=role).first()
        if pending is not None:
            raise InvitationError(
                f"Une invitation est déjà en attente pour ce siège ({pending.display_name}) : "
                "renvoyez-la ou révoquez-la d’abord.",
                "role",
            )


def invite(
    site,
    *,
    email: str,
    role: str,
    invited_by,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
    message: str = "",
    replaces: Membership | None = None,
) -> Invitation:
    """Create an invitation and email its link (on commit). The raw token exists only in that email."""
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        _close_expired(site, email=email, role=role if role in TRINOME_SEATS else None)
        check_invitable(site, email, role, replacing=replaces)
        token = Invitation.new_token()
        invitation = Invitation(
            site=site,
            email=email,
            role=role,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            organisation=organisation.strip(),
            message=message.strip(),
            invited_by=invited_by,
            replaces=replaces,
            expires_at=_expiry(),
        )
        invitation.set_token(token)
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            raise InvitationError(
                "Une autre invitation vient d’être envoyée pour cette adresse ou ce siège.", "email"
            ) from None
        _send(invitation, token)
    return invitation


def hand_over_seat(
    site,
    seat: str,
    *,
    invited_by,
    email: str,
    ended_on: dt.date | None = None,
    first_name: str = "",
    last_name: str = "",
    organisation: str = "",
    message: str = "",
) -> Invitation:
    """Replace a seat holder: their mandate ends (kept in the history), the successor is invited.

    Until the successor accepts, the seat shows as vacant with the invitation sent.
    """
    if seat not in TRINOME_SEATS:
        raise InvitationError("Ce rôle n’est pas un siège du trinôme.", "role")
    with transaction.atomic():
        holder = site.memberships.current().filter(role=seat).select_for_update().first()
        email = User.objects.normalize_email(email).lower()
        if holder is not None:
            check_invitable(site, email, seat, replacing=holder)
            try:
                end_membership(holder, ended_on=ended_on, actor=invited_by)
            except MembershipError as error:
                raise InvitationError(str(error), "ended_on") from None
        invitation = invite(
            site,
            email=email,
            role=seat,
            invited_by=invited_by,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
            message=message,
            replaces=holder,
        )
        if holder is not None:
            journal.record(
                site,
                EventKind.SEAT_HANDOVER,
                f"Passation du siège « {MemberRole(seat).label} » : "
                f"{person_name(holder.user)} cède sa place, "
                f"invitation envoyée à {invitation.display_name}",
                actor=invited_by,
                subject=invitation,
            )
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    """The invitation's row, locked until the end of the transaction, its state read again."""
    return Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)


def resend(invitation: Invitation, *, actor, seen_send_count: int | None = None) -> Invitation:
    """A new link (the old one stops working) valid for the full period again.

    `seen_send_count` is the number of sendings the page showed: the same button pressed twice (or twenty
    times at once) sends one email, the others are told it just went.
    """
    with transaction.atomic():
        locked = _locked(invitation)
        if locked.used_at or locked.revoked_at:
            raise InvitationError(
                "Cette invitation a déjà été acceptée ou révoquée : elle ne peut pas être renvoyée."
            )
        if seen_send_count is not None and locked.send_count != seen_send_count:
            raise InvitationError(
                f"Cette invitation vient d’être renvoyée à {locked.email} : le dernier lien envoyé est "
                f"valable jusqu’au {text.date(timezone.localtime(locked.expires_at))}."
            )
        token = Invitation.new_token()
        locked.set_token(token)
        locked.expires_at = _expiry()
        locked.sent_at = timezone.now()
        locked.send_count += 1
        locked.save(update_fields=["token_hash", "expires_at", "sent_at", "send_count"])
        _send(locked, token)
    for name in ("token_hash", "expires_at", "sent_at", "send_count"):
        setattr(invitation, name, getattr(locked, name))
    return invitation


def revoke(invitation: Invitation, *, actor) -> Invitation:
    """End an invitation; read under lock, so that one accepted at the same moment is not also revoked."""
    with transaction.atomic():
        locked = _locked(invitation)
        if locked.used_at:
            raise InvitationError("Cette invitation a déjà été acceptée.")
        if locked.revoked_at:
            raise InvitationError("Cette invitation est déjà révoquée.")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
    invitation.revoked_at, invitation.revoked_by = locked.revoked_at, locked.revoked_by
    return invitation


def account_for(invitation: Invitation) -> User | None:
    """The account the invited address designates: one that verified it (an account that merely typed it
    in is not the invitee's, and the invitee's proof withdraws that claim)."""
    return identity.verified_owner(invitation.email)


# How long after an invitation was accepted the same answer sent again (a double click, a resent form) is
# recognised as its own, rather than refused as a used link.
ANSWER_AGAIN_SECONDS = 600


def accepted_by_the_same(invitation: Invitation, user: User | None, answer) -> User | None:
    """The account that accepted this invitation moments ago, when this request is that same answer sent
    again: signed in as that account, or the same name and the password it was just given. None otherwise
    (another answer to a used link is refused)."""
    accepted = invitation.accepted_by
    if accepted is None or invitation.used_at is None:
        return None
    if (timezone.now() - invitation.used_at).total_seconds() > ANSWER_AGAIN_SECONDS:
        return None
    if user is not None and user.is_authenticated:
        return accepted if user.pk == accepted.pk else None
    same_name = (answer.get("first_name", "").strip(), answer.get("last_name", "").strip()) == (
        accepted.first_name,
        accepted.last_name,
    )
    password = answer.get("password1", "")
    return accepted if same_name and password and accepted.check_password(password) else None


def accept_with_new_account(
    invitation: Invitation, *, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    """The invitee's first visit: their account (created, or a passwordless one completed) and their place in
    the collective, in one transaction that holds the invitation: of two answers sent at once, the second
    waits, then finds the invitation used (InvitationError) and creates nothing."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
        if locked.status != "pending":
            raise InvitationError(
                f"Cette invitation n’est plus valable ({locked.get_status_display().lower()})."
            )
        account = account_for(locked)
        if account is not None and account.has_usable_password():
            raise InvitationError(
                "Un compte existe déjà pour cette adresse\u00a0: connectez-vous pour rejoindre le collectif."
            )
        if account is None:
            account = create_account(locked, first_name=first_name, last_name=last_name, password=password)
        else:
            account.first_name, account.last_name = first_name.strip(), last_name.strip()
            account.set_password(password)
            account.save()
        return account, accept(locked, account)


@transaction.atomic
def create_account(invitation: Invitation, *, first_name: str, last_name: str, password: str) -> User:
    """The invitee's new account; the invitation link proves they own the address."""
    identity.release_unproven_claim(invitation.email)
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=invitation.organisation,
        role=PlatformRole.MEMBER,
    )
    identity.record_verified(user)
    return user


def accept(invitation: Invitation, user: User) -> Membership:
    """Join the collective in the invited role; the invitation cannot be used again."""
    with transaction.atomic():
        locked = (
            # of=("self",): lock the invitation only (PostgreSQL cannot lock an outer join's side).
            Invitation.objects.select_for_update(of=("self",))
            .select_related("site", "replaces__user")
            .get(pk=invitation.pk)
        )
        if locked.status != "pending":
            raise InvitationError(
                f"Cette invitation n’est plus valable ({locked.get_status_display().lower()})."
            )
        if user.email.lower() != locked.email.lower():
            raise InvitationError("Cette invitation est adressée à une autre adresse électronique.")
        try:
            membership = join(
                locked.site,
                user,
                locked.role,
                organisation=locked.organisation,
                actor=user,
                succeeds=locked.replaces,
            )
        except MembershipError as error:
            raise InvitationError(str(error)) from None
        locked.used_at, locked.accepted_by = timezone.now(), user
        locked.save(update_fields=["used_at", "accepted_by"])
        notifications.notify(
            NotificationKind.INVITATION_ACCEPTED,
            [locked.invited_by_id],
            title=f"{person_name(user)} a accepté votre invitation ({locked.get_role_display().lower()})",
            url=reverse("collectives:members", args=[locked.site.slug]),
            site=locked.site,
            actor=user,
            subject=membership,
        )
        identity.record_verified(user)  # the link went to this address: its owner is this account
    return membership
