"""Sign-in with ProConnect, the account security page, and ending one of one's own sessions."""

from __future__ import annotations

import logging
import unicodedata
from functools import wraps

from allauth.account.utils import get_next_redirect_url
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from sites.models import ResourceCentre

from . import proconnect, services
from .proconnect import ProConnectError

logger = logging.getLogger(__name__)

LOGGED_OUT_MESSAGE = "Vous êtes déconnecté·e de la plateforme et de ProConnect."


def proconnect_enabled(view):
    """ProConnect's pages do not exist while it is not configured."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not proconnect.is_enabled():
            raise Http404("ProConnect n’est pas configuré")
        return view(request, *args, **kwargs)

    return wrapper


def _refuse(request: HttpRequest, error: ProConnectError) -> HttpResponse:
    logger.warning("ProConnect sign-in refused: %s", error.detail or error.message)
    messages.error(request, error.message)
    return redirect("account_login")


@login_not_required
@require_POST
@proconnect_enabled
def proconnect_login(request: HttpRequest) -> HttpResponse:
    next_url = get_next_redirect_url(request)
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        request.session[services.NEXT_KEY] = next_url
    else:
        request.session.pop(services.NEXT_KEY, None)
    try:
        return proconnect.authorization_redirect(
            request, request.build_absolute_uri(reverse("security:proconnect_callback"))
        )
    except ProConnectError as error:
        return _refuse(request, error)


@login_not_required
@require_GET
@proconnect_enabled
def proconnect_callback(request: HttpRequest) -> HttpResponse:
    try:
        agent = proconnect.complete_authorization(request)
    except ProConnectError as error:
        return _refuse(request, error)
    user = services.find_account(agent)
    if user is None:
        user, memberships = services.account_from_invitations(agent)
        for membership in memberships:
            messages.success(
                request,
                f"Bienvenue dans le collectif de {membership.site.name} : vous y êtes "
                f"{membership.get_role_display().lower()}.",
            )
    if user is None:
        logger.info("ProConnect agent without an invited account: %s", agent.email)
        services.remember_unknown_agent(request, agent)
        return redirect("security:proconnect_unknown")
    return services.sign_in_agent(request, user, agent, request.session.pop(services.NEXT_KEY, None))


@login_not_required
@require_GET
@proconnect_enabled
def proconnect_unknown(request: HttpRequest) -> HttpResponse:
    """The agent is who ProConnect says, but nobody invited them here: tell them whom to ask."""
    agent = request.session.get(services.UNKNOWN_AGENT_KEY)
    if not agent:
        return redirect("account_login")
    by_region = sorted(
        (
            (region.name, centre)
            for centre in ResourceCentre.objects.prefetch_related("regions")
            for region in centre.regions.all()
        ),
        key=lambda row: unicodedata.normalize("NFKD", row[0]).encode("ascii", "ignore"),  # Île- among the I
    )
    return render(
        request,
        "account/proconnect_unknown.html",
        {"page_title": "Aucun compte pour cette adresse", "agent": agent, "centres_by_region": by_region},
    )


@login_not_required
@require_POST
@proconnect_enabled
def proconnect_logout(request: HttpRequest) -> HttpResponse:
    """Sign out of the platform and of ProConnect (the way back for an agent with no account)."""
    url = prepare_provider_logout(request)
    if request.user.is_authenticated:
        logout(request)
    else:
        request.session.flush()
    remember_provider_logout(request)
    return HttpResponseRedirect(url or reverse("account_login"))


@login_not_required
@require_GET
@proconnect_enabled
def proconnect_logged_out(request: HttpRequest) -> HttpResponse:
    """ProConnect sends the browser back here after its end-session, with the state we gave it."""
    expected = request.session.pop(services.LOGOUT_STATE_KEY, None)
    if expected and request.GET.get("state") == expected:
        messages.success(request, LOGGED_OUT_MESSAGE)
    elif expected or request.GET.get("state"):
        logger.warning("ProConnect logout returned an unexpected state")
    return redirect("account_login")


def prepare_provider_logout(request: HttpRequest) -> str | None:
    """Before the local session ends: the provider's end-session URL, if this session came from ProConnect."""
    id_token = request.session.get(services.ID_TOKEN_KEY)
    if not id_token or not proconnect.is_enabled():
        return None
    result = proconnect.end_session_url(
        id_token, request.build_absolute_uri(reverse("security:proconnect_logged_out"))
    )
    if result is None:
        return None
    url, request._proconnect_logout_state = result
    return url


def remember_provider_logout(request: HttpRequest) -> None:
    """After the local session ended: the new, anonymous session keeps the state to check on return."""
    state = getattr(request, "_proconnect_logout_state", None)
    if state:
        request.session[services.LOGOUT_STATE_KEY] = state


@require_GET
def account_security(request: HttpRequest) -> HttpResponse:
    user = request.user
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    context = {
        "page_title": "Sécurité de mon compte",
        "has_totp": Authenticator.Type.TOTP in authenticators,
        "mfa_required": services.mfa_required_for(user),
        "recovery_codes_left": len(recovery.wrap().get_unused_codes()) if recovery else None,
        "session_count": UserSession.objects.filter(user=user).count(),
        "identities": list(user.proconnect_identities.all()),
        "has_password": user.has_usable_password(),
    }
    return render(request, "account/security.html", context)


@require_POST
def end_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """End one of one's own sessions, on another device; another person's session is not found."""
    session = UserSession.objects.filter(user=request.user, pk=session_id).first()
    if session is None:
        raise Http404("Session introuvable")
    if session.session_key == request.session.session_key:
        return redirect("account_logout")  # the current session ends through the sign-out page
    services.end_session_of(request.user, session_id)
    messages.success(request, "La session a été fermée : l’appareil concerné devra se reconnecter.")
    return redirect("usersessions_list")
