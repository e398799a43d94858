"""Two-factor authentication (allauth's MFA): who may not turn it off, and when to ask for a code again."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from . import services


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Votre rôle donne accès à tous les sites : la double authentification y est obligatoire "
            "et ne peut pas être désactivée. Pour changer de téléphone, générez de nouveaux codes de "
            "secours et demandez à l’équipe nationale de réinitialiser votre application d’authentification."
        ),
    }

    def get_totp_label(self, user) -> str:
        return user.email

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and services.mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


def reauthentication_required(app: str, default: bool) -> bool:
    """allauth asks for the password again before any change to two-factor settings, even seconds after
    signing in. A fresh sign-in (within allauth's reauthentication timeout) is enough to set up two-factor and
    see its recovery codes: that is what a person whose role requires it is sent to do right after signing in.
    Turning two-factor off always asks again."""
    request = context.request
    if not default or app != "allauth.mfa" or request is None or not request.user.is_authenticated:
        return default
    match = request.resolver_match
    if match is None or match.url_name not in SETUP_URL_NAMES:
        return default
    records = get_authentication_records(request, request.user)
    recent = records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
    return not recent


SETUP_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
    }
)
