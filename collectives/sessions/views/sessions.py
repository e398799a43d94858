"""Sessions: the user's upcoming sessions (a facilitator's planning), one session's page, planning, editing
and cancelling."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access
from qic.htmx import wants_fragment
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict, conflict_context
from qic.pagination import paginate
from qic.params import parse_text

from ...enums import SessionKind
from ...services import coaching
from .. import exercises, services
from ..forms import CancelForm, SessionForm
from ..models import Session

PAGE_SIZE = 20
PERIODS = {"a-venir": "À venir", "passees": "Passées"}


def _scopes(user) -> dict:
    if access.sees_all_sites(user):
        return {"miennes": "Mes sessions", "toutes": "Toutes les sessions"}
    if access.is_facilitator(user):
        return {"miennes": "Mes sessions", "toutes": "Toutes les sessions de ma région"}
    return {}


@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    scopes = _scopes(user)
    scope = request.GET.get("vue", "miennes")
    scope = scope if scope in scopes else "miennes"
    period = request.GET.get("periode", "a-venir")
    period = period if period in PERIODS else "a-venir"
    kind = request.GET.get("type", "")
    sessions = access.visible_sessions(user)
    if scope == "miennes":
        sessions = services.my_sessions(user, sessions)
    if kind in SessionKind.values:
        sessions = sessions.filter(kind=kind)
    sessions = services.with_list_data(sessions)
    sessions = services.upcoming(sessions) if period == "a-venir" else services.past(sessions)
    page = paginate(request, sessions, PAGE_SIZE)
    context = {
        "page_title": "Sessions",
        "page_obj": page,
        "scopes": scopes,
        "scope": scope,
        "periods": PERIODS,
        "period": period,
        "kinds": SessionKind.choices,
        "kind": kind if kind in SessionKind.values else "",
        "can_plan": access.can_plan_sessions(user),
        "show_counts": access.can_plan_sessions(user) or access.sees_all_sites(user),
    }
    if wants_fragment(request):
        return render(request, "sessions/includes/results.html", context)
    return render(request, "sessions/list.html", context)


def _form_context(request, form, *, session=None, conflict=None) -> dict:
    return {
        "form": form,
        "session": session,
        "site_groups": form.site_groups(),
        "region": form.region,
        **(conflict or {}),
    }


def _refreshing(request) -> bool:
    """The planner changed the region (or asked for the list of its sites): show the form again, unsaved."""
    return request.method == "POST" and "actualiser" in request.POST


def _session_form(request, *, session=None, initial=None) -> SessionForm:
    """The planning form: bound to the POST, or (when only refreshing the sites) refilled from it unbound,
    so that no error shows before the planner asks to save."""
    if _refreshing(request):
        posted = {key: request.POST.get(key) for key in request.POST if key not in ("sites", "facilitators")}
        posted["sites"] = request.POST.getlist("sites")
        posted["facilitators"] = request.POST.getlist("facilitators")
        form = SessionForm(user=request.user, session=session, initial=posted)
    else:
        data = request.POST if request.method == "POST" else None
        form = SessionForm(data, user=request.user, session=session, initial=initial or {})
    form.fields["region"].widget.attrs.update(
        {
            "hx-post": request.path,
            "hx-trigger": "change",
            "hx-select": "#session-sites",
            "hx-target": "#session-sites",
            "hx-swap": "outerHTML",
            "hx-vals": '{"actualiser": "1"}',
        }
    )
    return form


@require_http_methods(["GET", "HEAD", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    access.require(access.can_plan_sessions(request.user))
    initial = {}
    slug = parse_text(request.GET.get("site"), max_length=100)
    if slug:
        site = access.runnable_sites(request.user).filter(slug=slug).first()
        if site is not None:
            initial = {"region": site.department.region_id, "sites": [site.pk]}
            if request.GET.get("type") in SessionKind.values:
                initial["kind"] = request.GET["type"]
    form = _session_form(request, initial=initial)
    if request.method == "POST" and not _refreshing(request) and form.is_valid():
        try:
            with once(form):
                session = services.plan_session(request.user, form.plan())
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect("sessions:list")
        except services.SessionError as error:
            form.add_plan_error(error)
        else:
            count = session.participants.count()
            messages.success(
                request,
                f"Session « {session.title} » planifiée : {count} personne{'s' if count > 1 else ''} "
                f"invitée{'s' if count > 1 else ''}.",
            )
            return redirect(session)
    context = {"page_title": "Planifier une session", **_form_context(request, form)}
    return render(request, "sessions/form.html", context)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk)
    if request.method not in ("GET", "HEAD"):  # after the lookup: outsiders get a 404 whatever the method
        return HttpResponseNotAllowed(["GET", "HEAD"])
    session_sites = list(session.sites.select_related("department__region", "wave").order_by("name"))
    site_ids = [site.pk for site in session_sites]
    my_sites = {m.site_id for m in request.user.memberships.current().filter(site__in=site_ids)}
    # A session of several sites: each is a link for those who may open its page (a member of one of them
    # sees the others by name, where a link led to "page introuvable").
    openable = (
        set(site_ids)
        if access.sees_all_sites(request.user)
        else set(access.visible_sites(request.user).filter(pk__in=site_ids).values_list("pk", flat=True))
    )
    exercise = exercises.exercise_of(session)
    context = {
        "page_title": session.title,
        "session": session,
        "access": session_access,
        "sites": session_sites,
        "my_site_ids": my_sites,
        "openable_site_ids": openable,
        "facilitators": list(session.facilitators.all()),
        "exercise": exercise,
        "counts": services.attendance_counts(session),
        # Listed by their titles (each links to its text, on its site's page of outputs).
        "outputs": list(exercises.outputs_of(session).defer("text"))
        if session_access.sees_participants
        else [],
        "balances": [coaching.balance_of(site) for site in session_sites] if session.is_coaching else [],
    }
    if session_access.sees_participants:
        context["groups"] = services.grouped(services.participants(session))
    return render(request, "sessions/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk)
    access.require(session_access.can_edit)
    form = _session_form(request, session=session, initial=SessionForm.initial_for(session))
    conflict = None
    if request.method == "POST" and not _refreshing(request) and form.is_valid():
        try:
            session = services.update_session(
                session, form.plan(), user=request.user, expected_version=form.cleaned_data["version"]
            )
        except services.SessionError as error:
            form.add_plan_error(error)
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(
                error, {"title": "Intitulé", "agenda": "Ordre du jour", "notes": "Notes"}
            )
        else:
            messages.success(request, "Session enregistrée.")
            return redirect(session)
    context = {
        "page_title": f"Modifier — {session.title}",
        **_form_context(request, form, session=session, conflict=conflict),
    }
    return render(request, "sessions/form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk)
    access.require(session_access.can_cancel)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.cancel_session(session, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, f"La session « {session.title} » est annulée ; elle reste dans l’historique."
        )
        return redirect(session)
    context = {"page_title": f"Annuler — {session.title}", "session": session, "form": form}
    return render(request, "sessions/cancel.html", context)


def session_or_404_in_site(request, pk: int) -> Session:
    """A session of the site of the URL (the middleware already checked the site), or 404."""
    from django.shortcuts import get_object_or_404

    sessions = Session.objects.filter(session_sites__site=request.site).without_texts()  # shown on its page
    return get_object_or_404(sessions.select_related("region"), pk=pk)
