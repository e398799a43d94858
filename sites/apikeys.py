"""Partner API keys (issue 19): issued by national staff, found from the key a request carries, revoked.

A key reads `qic_<prefix>_<secret>`: the prefix (8 hex digits, unique) finds the row, the SHA-256 of the whole
key is compared in constant time. Who may use a key for what is decided in `qic.access` (`key_*`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .enums import ApiKeyRole, ApiKeyScope
from .models import ApiKey

KEY_PREFIX = "qic_"
# A key's last use is written at most this often: not one write per request.
TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue(
    *, organisation: str, scope: str, role: str, by, resource_centre=None, site=None
) -> tuple[ApiKey, str]:
    """A new key for this organisation: returns the row and the key itself (shown once, never stored)."""
    organisation = (organisation or "").strip()
    errors = {}
    if not organisation:
        errors["organisation"] = "Indiquez l’organisation à qui la clé est remise."
    if scope not in ApiKeyScope.values:
        errors["scope"] = "Choisissez un périmètre."
    elif scope == ApiKeyScope.CRPV and resource_centre is None:
        errors["resource_centre"] = "Choisissez le CRPV dont la clé lira les régions."
    elif scope == ApiKeyScope.SITE and site is None:
        errors["site"] = "Choisissez le site que la clé lira."
    if role not in ApiKeyRole.values:
        errors["role"] = "Choisissez les droits de la clé."
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():  # 1 in 4 billion
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(
        organisation=organisation[:200],
        scope=scope,
        role=role,
        resource_centre=resource_centre if scope == ApiKeyScope.CRPV else None,
        site=site if scope == ApiKeyScope.SITE else None,
        prefix=prefix,
        key_hash=hash_key(key),
        created_by=by,
    )
    return row, key


@transaction.atomic
def revoke(key: ApiKey) -> bool:
    """Revoke the key at once (its next request is refused); False if it was revoked already."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    key.revoked_at = locked.revoked_at
    return True


def split(key: str) -> tuple[str, str]:
    """(prefix, secret) of a key as a request carries it; empty strings where it does not read `qic_…_…`."""
    body = key.removeprefix(KEY_PREFIX) if key.startswith(KEY_PREFIX) else ""
    prefix, _, secret = body.partition("_")
    return prefix, secret


def find(key: str) -> ApiKey | None:
    """The key row this key opens, revoked or not (the caller refuses a revoked one), or None: one query."""
    prefix, secret = split(key)
    if len(prefix) != 8 or not secret or len(secret) > 100:
        return None
    row = ApiKey.objects.select_related("resource_centre", "site").filter(prefix=prefix).first()
    expected = row.key_hash if row is not None else hash_key("")
    if not hmac.compare_digest(hash_key(key), expected) or row is None:
        return None
    return row


def touch(key: ApiKey, now=None) -> None:
    """Remember when the key was last used, at most once a minute (bookkeeping: not audited)."""
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
