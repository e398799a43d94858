"""Which account an email address designates: only one whose address is verified.

An address is verified (allauth's `EmailAddress.verified`) when its owner proved it (a link sent to it, an
invitation link, ProConnect) or when national staff assigned it to an account (an import, the admin).
An account nobody ever signed in to, created for an address, also counts: only a proof of the address lets
anyone in. An address someone merely typed into their own account never designates that account: imports,
invitations, seat handovers, ProConnect and sign-in look accounts up here, and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from ..models import User

logger = logging.getLogger(__name__)


def _clean(email: str) -> str:
    return (email or "").strip().lower()


def verified_owners(emails: Iterable[str]) -> dict[str, User]:
    """{address: account} (lower case) for the addresses an account verified, or that an account nobody ever
    signed in to was created for (whoever enters it will have proved the address); others are absent."""
    wanted = {_clean(email) for email in emails if _clean(email)}
    if not wanted:
        return {}
    rows = EmailAddress.objects.filter(email__in=wanted, verified=True).select_related("user")
    found = {row.email.lower(): row.user for row in rows}
    placeholders = User.objects.filter(
        email__in=wanted - set(found), last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX
    )
    return {**found, **{user.email.lower(): user for user in placeholders}}


def verified_owner(email: str) -> User | None:
    """The account this address designates (see `verified_owners`), or None."""
    return verified_owners([email]).get(_clean(email))


def login_accounts(email: str, *, active_only: bool = False) -> list[User]:
    """The accounts this address signs in to (or resets the password of): the account whose login address it
    is (which changes only through a verification or national staff), or one that verified it; an address
    merely added to an account is not one of its login addresses."""
    email = _clean(email)
    if not email:
        return []
    users = list(User.objects.filter(email__iexact=email))
    owner = verified_owner(email)
    if owner is not None and owner.pk not in {user.pk for user in users}:
        users.append(owner)
    return [user for user in users if user.is_active] if active_only else users


def is_verified(user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user_id=user.pk, email__iexact=_clean(email), verified=True).exists()


@transaction.atomic
def record_verified(user: User) -> None:
    """The account's own address is now proven (or assigned by national staff): it becomes its verified,
    primary address; another account's unproven claim on it is withdrawn first."""
    email = _clean(user.email)
    release_unproven_claim(email, keep=user)
    others = EmailAddress.objects.filter(user_id=user.pk, primary=True).exclude(email__iexact=email)
    others.update(primary=False)
    address = EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


@transaction.atomic
def release_unproven_claim(email: str, *, keep: User | None = None) -> None:
    """Someone proved this address: accounts that only claimed it (unverified) give it up. An account whose
    login address it was falls back to an address it did verify, else to a placeholder nobody receives."""
    email = _clean(email)
    claims = EmailAddress.objects.filter(email__iexact=email, verified=False)
    if keep is not None:
        claims = claims.exclude(user_id=keep.pk)
    claims.delete()
    holders = User.objects.filter(email__iexact=email).select_for_update()
    if keep is not None:
        holders = holders.exclude(pk=keep.pk)
    for holder in holders:
        fallback = EmailAddress.objects.filter(user_id=holder.pk, verified=True).order_by("-primary").first()
        holder.email = fallback.email if fallback else f"adresse-non-verifiee-{holder.pk}@compte.invalid"
        holder.save(update_fields=["email"])
        if fallback is not None and not fallback.primary:
            fallback.primary = True
            fallback.save(update_fields=["primary"])
        logger.warning("Account %s gave up an unverified address, now proven by its owner", holder.pk)
