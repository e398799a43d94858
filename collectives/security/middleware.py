"""Server-side session rules: idle and absolute expiry; two-factor set up first when it is required."""

from __future__ import annotations

import functools

from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from qic import htmx, unsaved

from . import services

EXPIRED_MESSAGES = {
    "idle": "Votre session a expiré après une période d’inactivité. Reconnectez-vous pour continuer.",
    "absolute": "Votre session a atteint sa durée maximale. Reconnectez-vous pour continuer.",
}
ENDED_MESSAGE = "Votre session s’est fermée entre-temps. Reconnectez-vous pour continuer."
KEPT_MESSAGE = (
    " Ce que vous veniez d’envoyer n’a pas été enregistré, mais rien n’est perdu : une fois reconnecté·e,"
    " vous retrouverez votre saisie."
)
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


def _sign_in_again(request: HttpRequest, login_url: str, next_field: str) -> HttpResponse:
    """To the sign-in page, which brings the person back to the page they were on: the page asked for, or
    for a form or an HTMX fragment the page it was sent from (as a whole page for HTMX)."""
    if request.method in ("GET", "HEAD") and request.headers.get("HX-Request") != "true":
        back = request.get_full_path()
    else:
        back = unsaved.page_of(request)
    if back:
        login_url += "?" + urlencode({next_field: back})
    return htmx.redirect(request, login_url)


@functools.cache
def _state_path() -> str:
    return reverse("security:session_state")


class SessionLifetimeMiddleware:
    """Ends a signed-in session on the server after `QIC_SESSION_IDLE_SECONDS` without a request, and
    `SESSION_COOKIE_AGE` seconds after sign-in whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = services.session_expiry(request.session)
            if reason:
                user_id = request.user.pk
                logout(request)  # flushes the session: its row is deleted from the store
                # What was sent is kept in the new session, which signing in again keeps (qic.unsaved).
                request.session[unsaved.ENDED_USER_KEY] = user_id  # for a later request of its pages
                kept = request.method == "POST" and unsaved.keep(request, user_id)
                messages.warning(request, EXPIRED_MESSAGES[reason] + (KEPT_MESSAGE if kept else ""))
                return _sign_in_again(request, reverse("account_login"), REDIRECT_FIELD_NAME)
            if request.path == _state_path():
                return self.get_response(request)  # reading the clock is not activity
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
        return htmx.redirect(request, reverse("mfa_activate_totp"))


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, for a page's request that arrives once its session has ended (the idle limit, seen by the
    page's clock or another tab; a sign-out in another tab): a form sent keeps what it sent for its writer
    (`qic.unsaved`), and both a form and an HTMX request lead to the sign-in page as a whole page (not the
    sign-in page inside the fragment), which brings the person back to the page they were on."""

    def handle_no_permission(self, request, view_func):
        is_htmx = request.headers.get("HX-Request") == "true"
        if request.method in ("GET", "HEAD") and not is_htmx:
            return super().handle_no_permission(request, view_func)
        ended_user = request.session.get(unsaved.ENDED_USER_KEY)
        kept = ended_user is not None and request.method == "POST" and unsaved.keep(request, ended_user)
        if ended_user is None:
            messages.warning(request, ENDED_MESSAGE)  # signed out in another tab, or sessions ended
        elif kept:  # the session's expiry was already said when it was found
            messages.warning(request, KEPT_MESSAGE.strip())
        login_url = resolve_url(self.get_login_url(view_func))
        return _sign_in_again(request, login_url, self.get_redirect_field_name(view_func))
