"""Server-side session rules: idle and absolute expiry; two-factor set up first when it is required."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import services

EXPIRED_MESSAGES = {
    "idle": "Votre session a expiré après une période d’inactivité. Reconnectez-vous pour continuer.",
    "absolute": "Votre session a atteint sa durée maximale. Reconnectez-vous pour continuer.",
}
# Where a person who must still set up two-factor may go: the setup pages themselves and the way out.
MFA_SETUP_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "account_security",  # the security overview (security:account_security)
    }
)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url  # a fragment request reloads the whole page there
        return response
    return HttpResponseRedirect(url)


class SessionLifetimeMiddleware:
    """Ends a signed-in session on the server after `QIC_SESSION_IDLE_SECONDS` without a request, and
    `SESSION_COOKIE_AGE` seconds after sign-in whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = services.session_expiry(request.session)
            if reason:
                logout(request)  # flushes the session: its row is deleted from the store
                messages.warning(request, EXPIRED_MESSAGES[reason])
                login_url = reverse("account_login")
                if request.method in ("GET", "HEAD") and request.headers.get("HX-Request") != "true":
                    login_url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return _redirect(request, login_url)
            seen_before = request.session.get(services.SEEN_AT_KEY)
            services.touch_session(request.session)
            if seen_before is not None and request.session.get(services.SEEN_AT_KEY) != seen_before:
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen_at=timezone.now()
                )
        return self.get_response(request)


class MFARequiredMiddleware:
    """A person whose role requires two-factor authentication and who has not set it up is sent to the
    setup page, and may reach nothing else but sign-out until it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in MFA_SETUP_URL_NAMES:
            return None
        if getattr(view_func, "login_required", True) is False:
            return None  # public pages (legal notice, accessibility, health) stay public
        if not services.mfa_missing(request):
            return None
        return _redirect(request, reverse("mfa_activate_totp"))
