"""Sign-in with ProConnect, the account security page, and ending one of one's own sessions."""

from __future__ import annotations

import logging
import unicodedata
from functools import wraps

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import EmailView as AllauthEmailView
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from collectives.services import identity
from sites.models import ResourceCentre

from . import proconnect, services
from .proconnect import ProConnectError

logger = logging.getLogger(__name__)

LOGGED_OUT_MESSAGE = "Vous êtes déconnecté·e de la plateforme et de ProConnect."
CURRENT_UNVERIFIED = (
    "Votre adresse actuelle, {email}, n’a jamais été vérifiée : ouvrez d’abord le lien que nous venons "
    "de lui envoyer, puis indiquez votre nouvelle adresse."
)
UNVERIFIED_PRIMARY = (
    "Cette adresse n’est pas encore vérifiée : elle deviendra votre adresse de connexion quand vous aurez "
    "suivi le lien que nous lui avons envoyé."
)


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
@require_safe
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
                f"Bienvenue dans le collectif de {membership.site.name} : vous y êtes "
                f"{membership.get_role_display().lower()}.",
            )
    if user is None:
        logger.info("ProConnect agent without an invited account: %s", agent.email)
        services.remember_unknown_agent(request, agent)
        return redirect("security:proconnect_unknown")
    return services.sign_in_agent(request, user, agent, request.session.pop(services.NEXT_KEY, None))


@login_not_required
@require_safe
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
@require_safe
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


@require_safe
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


@require_safe
def session_state(request: HttpRequest) -> JsonResponse:
    """How long the current session has left (`services.session_clock`). Reading it is not activity: the
    middleware does not count it, so an open page that checks its clock does not keep the session alive."""
    return JsonResponse(services.session_clock(request.session), headers={"Cache-Control": "no-store"})


@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """« Rester connecté·e », or someone typing on a page: activity, which the middleware has recorded."""
    return JsonResponse(services.session_clock(request.session), headers={"Cache-Control": "no-store"})


@require_POST
def end_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """End one of one's own sessions, on another device; another person's session is not found."""
    session = UserSession.objects.filter(user=request.user, pk=session_id).first()
    if session is None:
        raise Http404("Session introuvable")
    if session.session_key == request.session.session_key:
        return redirect("account_logout")  # the current session ends through the sign-out page
    services.end_session_of(request.user, session_id)
    messages.success(request, "La session a été fermée : l’appareil concerné devra se reconnecter.")
    return redirect("usersessions_list")


class EmailView(AllauthEmailView):
    """allauth's address page (ACCOUNT_CHANGE_EMAIL: a new address replaces the old once verified), which
    also refuses to make an unverified address the login address: allauth allows it to an account that has
    no verified address yet. Such an account first verifies its current address (allauth would otherwise
    drop it, leaving the account without a login address, when a new one is added)."""

    def form_valid(self, form):
        user = self.request.user
        if not identity.is_verified(user, user.email):
            current = EmailAddress.objects.get_for_user(user, user.email)
            send_verification_email_to_address(self.request, current)
            messages.error(self.request, CURRENT_UNVERIFIED.format(email=user.email))
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)

    def _action_primary(self, request, *args, **kwargs):
        address = self._get_email_address(request)
        if address is not None and not address.verified:
            messages.error(request, UNVERIFIED_PRIMARY)
            return HttpResponseRedirect(self.get_success_url())
        return super()._action_primary(request, *args, **kwargs)


email = EmailView.as_view()
