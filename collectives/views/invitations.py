"""Invitations: inviting, handing a seat over, the invitation list, and the invitee's link."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from qic import access, text

from ..enums import TRINOME_SEATS, MemberRole
from ..forms import AccountForm, HandoverForm, InviteForm
from ..models import Invitation
from ..services import invitations as services
from ..services.members import person_name


def _apply_error(form, error: services.InvitationError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _person_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "email": data["email"],
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "organisation": data["organisation"],
        "message": data["message"],
    }


def _sent_message(request, invitation) -> None:
    messages.success(
        request,
        f"Invitation envoyée à {invitation.email} ({invitation.get_role_display()}). "
        f"Le lien est valable jusqu’au {text.date(invitation.expires_at)}.",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, site_slug: str) -> HttpResponse:
    site, site_access = request.site, request.site_access
    roles = site_access.invitable_roles
    access.require(bool(roles))
    initial = {"role": request.GET.get("role")} if request.GET.get("role") in roles else {}
    form = InviteForm(request.POST or None, roles=roles, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                site, role=form.cleaned_data["role"], invited_by=request.user, **_person_fields(form)
            )
        except services.InvitationError as error:
            _apply_error(form, error)
        else:
            _sent_message(request, invitation)
            return redirect("collectives:members", site_slug=site.slug)
    context = {"page_title": f"Inviter dans le collectif — {site.name}", "site": site, "form": form}
    return render(request, "collectives/invite.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def handover(request: HttpRequest, site_slug: str, seat: str) -> HttpResponse:
    site, site_access = request.site, request.site_access
    if seat not in TRINOME_SEATS:
        raise Http404("Siège inconnu")
    access.require(site_access.can_manage_role(seat))
    holder = site.memberships.current().filter(role=seat).select_related("user").first()
    pending = site.invitations.pending().filter(role=seat).first()
    form = HandoverForm(request.POST or None, holder=holder)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.hand_over_seat(
                site,
                seat,
                invited_by=request.user,
                ended_on=form.cleaned_data.get("ended_on"),
                **_person_fields(form),
            )
        except services.InvitationError as error:
            _apply_error(form, error)
        else:
            _sent_message(request, invitation)
            return redirect("collectives:members", site_slug=site.slug)
    context = {
        "page_title": f"Passation du siège « {MemberRole(seat).label} » — {site.name}",
        "site": site,
        "seat": MemberRole(seat),
        "holder": holder,
        "pending": pending,
        "form": form,
    }
    return render(request, "collectives/handover.html", context)


@require_safe
def invitation_list(request: HttpRequest, site_slug: str) -> HttpResponse:
    site, site_access = request.site, request.site_access
    access.require(bool(site_access.invitable_roles))
    invitations = list(
        site.invitations.select_related("invited_by", "accepted_by", "revoked_by", "replaces__user")[:200]
    )
    for invitation in invitations:
        invitation.manageable = site_access.can_manage_role(invitation.role)
    context = {
        "page_title": f"Invitations — {site.name}",
        "site": site,
        "invitations": invitations,
    }
    return render(request, "collectives/invitation_list.html", context)


def _site_invitation(request, pk) -> Invitation:
    invitation = get_object_or_404(request.site.invitations, pk=pk)
    access.require(request.site_access.can_manage_role(invitation.role))
    return invitation


def resend(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    invitation = _site_invitation(request, pk)  # another site's invitation is a 404, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    seen = request.POST.get("envois", "")
    seen = int(seen) if seen.isascii() and seen.isdigit() and len(seen) < 6 else None
    if seen is None:
        # The page says how many times it was sent: without it, twenty presses would send twenty e-mails.
        messages.error(
            request, "Cette page n’était plus à jour\u00a0: vérifiez l’invitation, puis renvoyez-la."
        )
        return redirect("collectives:invitations", site_slug=request.site.slug)
    try:
        services.resend(invitation, actor=request.user, seen_send_count=seen)
    except services.InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Invitation renvoyée à {invitation.email} avec un nouveau lien, valable jusqu’au "
            f"{text.date(invitation.expires_at)}. L’ancien lien ne fonctionne plus.",
        )
    return redirect("collectives:invitations", site_slug=request.site.slug)


def revoke(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    invitation = _site_invitation(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.revoke(invitation, actor=request.user)
    except services.InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"L’invitation de {invitation.email} est révoquée : son lien ne fonctionne plus."
        )
    return redirect("collectives:invitations", site_slug=request.site.slug)


def _unusable(request, invitation: Invitation | None) -> HttpResponse:
    """A clear French page for an unknown, expired, revoked or already used link."""
    status = invitation.status if invitation is not None else "unknown"
    context = {"page_title": "Lien d’invitation inutilisable", "status": status, "invitation": invitation}
    return render(
        request, "collectives/invitation_unusable.html", context, status=404 if invitation is None else 410
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's link: set a name and password on a first visit, or attach the existing account."""
    invitation = Invitation.objects.find(token)
    if invitation is not None and invitation.status != "pending" and request.method == "POST":
        again = _answered_again(request, invitation)
        if again is not None:
            return again
    if invitation is None or invitation.status != "pending":
        return _unusable(request, invitation)
    account = services.account_for(invitation)
    user = request.user
    context = {"page_title": f"Rejoindre le collectif de {invitation.site.name}", "invitation": invitation}

    if user.is_authenticated and user.email.lower() != invitation.email.lower():
        if request.method == "POST" and request.POST.get("action") == "logout":
            logout(request)
            return redirect(request.path)
        return render(request, "collectives/invitation_other_account.html", context)

    if user.is_authenticated:
        # Signed in as the invited account (with a password or through ProConnect): just confirm.
        if request.method == "POST":
            return _join(request, invitation, user)
        return render(request, "collectives/invitation_confirm.html", context)

    if account is not None and account.has_usable_password():
        # Someone else's account is never taken over through the link: its owner signs in first.
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        return render(
            request, "collectives/invitation_existing_account.html", {**context, "login_url": login_url}
        )

    # No account yet (or one without a password, created by national staff or an import).
    initial = {"first_name": invitation.first_name, "last_name": invitation.last_name}
    if account is not None:
        initial = {
            "first_name": account.first_name or invitation.first_name,
            "last_name": account.last_name or invitation.last_name,
        }
    form = AccountForm(request.POST or None, email=invitation.email, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, membership = services.accept_with_new_account(
                invitation,
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except (services.InvitationError, IntegrityError) as error:
            # Sent twice at once: the other answer created the account (SQLite lets both read "pending").
            fresh = Invitation.objects.get(pk=invitation.pk)
            again = _answered_again(request, fresh)
            if again is not None:
                return again
            if isinstance(error, services.InvitationError):
                messages.error(request, error.message)
            return _unusable(request, fresh)
        return _welcome(request, membership, account, log_in=True)
    return render(request, "collectives/invitation_accept.html", {**context, "form": form})


def _answered_again(request, invitation: Invitation) -> HttpResponse | None:
    """The same person's answer sent again (a double click, a resent form): where the first one led, signed
    in, instead of a "used link" page for someone who has just joined."""
    user = services.accepted_by_the_same(invitation, request.user, request.POST)
    if user is None:
        return None
    membership = invitation.site.memberships.current().filter(user=user, role=invitation.role).first()
    if membership is None:
        return None
    if not request.user.is_authenticated:
        get_adapter(request).login(request, user)
    messages.info(
        request,
        f"Votre réponse était déjà enregistrée\u00a0: vous êtes dans le collectif de {invitation.site.name}.",
    )
    return _destination(membership)


def _destination(membership) -> HttpResponse:
    site = membership.site
    if membership.is_seat:
        return redirect("collectives:members", site_slug=site.slug)
    return redirect("sites:detail", site_slug=site.slug)


def _join(request, invitation: Invitation, user, *, log_in: bool = False) -> HttpResponse:
    try:
        membership = services.accept(invitation, user)
    except services.InvitationError as error:
        fresh = Invitation.objects.get(pk=invitation.pk)
        again = _answered_again(request, fresh)
        if again is not None:
            return again
        messages.error(request, error.message)
        return _unusable(request, fresh)
    return _welcome(request, membership, user, log_in=log_in)


def _welcome(request, membership, user, *, log_in: bool) -> HttpResponse:
    if log_in:
        get_adapter(request).login(request, user)
    site = membership.site
    role = membership.get_role_display().lower()
    text = f"Bienvenue dans le collectif de {site.name}, {person_name(user)} : vous y êtes {role}."
    if membership.is_seat:
        text += " Votre dossier de passation (PDF) rassemble ce que le collectif a déjà construit."
        request.session["qic_handover_pack_for"] = site.slug
    messages.success(request, text)
    return _destination(membership)
