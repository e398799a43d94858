"""Live exercises: the facilitator's continuum screen (polled every few seconds), opening and closing it;
each site's own answer page (from its members' phones) and its free outputs kept with the session."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict, conflict_context
from qic.params import parse_int

from .. import exercises as services
from ..forms import ContinuumAnswerForm, OutputForm
from ..services import person_name
from .sessions import session_or_404_in_site


def _board_context(session, session_access) -> dict:
    exercise = services.exercise_of(session)
    rows = services.positions(session, exercise)
    answered = [row for row in rows if row.answer]
    return {
        "session": session,
        "access": session_access,
        "exercise": exercise,
        "rows": rows,
        "board": services.board(rows),
        "answered": len(answered),
        "levels": services.levels(),
    }


def board(request: HttpRequest, pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk, texts=False)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    access.require(session_access.sees_participants)
    context = _board_context(session, session_access)
    if request.htmx:
        return render(request, "sessions/includes/continuum_board.html", context)
    context["page_title"] = f"Continuum de la coopération — {session.title}"
    return render(request, "sessions/continuum.html", context)


def open_exercise(request: HttpRequest, pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk, texts=False)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.require(session_access.can_run)
    try:
        services.open_continuum(session, user=request.user)
    except services.ExerciseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "L’exercice est ouvert : chaque site peut se positionner depuis sa page.")
    return redirect("sessions:continuum", pk=session.pk)


def close_exercise(request: HttpRequest, pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk, texts=False)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.require(session_access.can_run)
    try:
        recorded = services.close_continuum(session, user=request.user)
    except services.ExerciseError as error:
        messages.error(request, str(error))
    else:
        plural = "s" if len(recorded) > 1 else ""
        messages.success(
            request,
            f"Exercice clos : {len(recorded)} position{plural} enregistrée{plural} "
            "comme auto-évaluation des sites, avec cette session pour origine.",
        )
    return redirect("sessions:continuum", pk=session.pk)


# --- A site's own pages -------------------------------------------------------------------------------------


def _site_session(request, pk):
    access.require(request.site_access.can_read)
    session = session_or_404_in_site(request, pk)
    can_write = access.can_answer_session_exercises(request.site_access) and not session.is_cancelled
    return session, can_write


@require_http_methods(["GET", "HEAD", "POST"])
def site_answer(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    site = request.site
    session, can_write = _site_session(request, pk)
    exercise = services.exercise_of(session)
    answer = services.answer_of(exercise, site)
    is_open = exercise is not None and exercise.is_open
    initial = {"version": answer.version if answer else 0}
    if answer:
        initial.update(level=answer.level, moved_by=answer.moved_by)
    form = ContinuumAnswerForm(request.POST or None, initial=initial)
    conflict, saved = {}, False
    if request.method == "POST":
        access.require(can_write)
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer = services.answer_continuum(
                    session,
                    site,
                    level=data["level"],
                    moved_by=data["moved_by"],
                    user=request.user,
                    expected_version=data["version"],
                )
            except services.ExerciseError as error:
                form.add_error(None, str(error))
            except EditConflict as error:
                form.take_conflict(error)
                conflict = conflict_context(error, services.ANSWER_FIELDS)
                if error.current is not None:
                    conflict["conflict"]["rows"][0]["theirs"] = error.current.get_level_display()
                    mine = conflict["conflict"]["rows"][0]["mine"]
                    conflict["conflict"]["rows"][0]["mine"] = dict(form.fields["level"].choices).get(
                        int(mine), mine
                    )
            else:
                saved = True
                if not request.htmx:
                    messages.success(request, f"Position enregistrée : {answer.get_level_display()}.")
                    return redirect("sessions:site_continuum", site_slug=site.slug, pk=session.pk)
                form = ContinuumAnswerForm(
                    initial={"version": answer.version, "level": answer.level, "moved_by": answer.moved_by}
                )
    context = {
        "page_title": f"Continuum de la coopération — {site.name}",
        "site": site,
        "session": session,
        "exercise": exercise,
        "is_open": is_open,
        "answer": answer,
        "answered_by": person_name(answer.updated_by) if answer and answer.updated_by else "",
        "form": form,
        "can_write": can_write and is_open,
        "levels": services.levels(),
        "saved": saved,
        **conflict,
    }
    if request.htmx:
        return render(request, "sessions/includes/site_answer.html", context)
    return render(request, "sessions/site_continuum.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def site_outputs(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    site = request.site
    session, can_write = _site_session(request, pk)
    form = OutputForm(request.POST or None, initial={"version": 0})
    if request.method == "POST":
        access.require(can_write)
        if form.is_valid():
            try:
                with once(form):
                    output = services.add_output(
                        session,
                        site,
                        title=form.cleaned_data["title"],
                        text=form.cleaned_data["text"],
                        user=request.user,
                    )
            except AlreadySubmitted:
                messages.info(request, ALREADY_SAVED)
                return redirect(reverse("sessions:site_outputs", args=[site.slug, session.pk]))
            except services.ExerciseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"« {output.title} » est enregistré avec la session.")
                return redirect(
                    reverse("sessions:site_outputs", args=[site.slug, session.pk]) + f"#output-{output.pk}"
                )
    context = {
        "page_title": f"Productions — {site.name}",
        "site": site,
        "session": session,
        "outputs": list(services.outputs_of(session, site)),
        "form": form,
        "can_write": can_write,
    }
    return render(request, "sessions/site_outputs.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_output(request: HttpRequest, site_slug: str, pk: int, output_pk: int) -> HttpResponse:
    site = request.site
    session, can_write = _site_session(request, pk)
    output = get_object_or_404(session.outputs.filter(site=site), pk=output_pk)
    access.require(can_write)
    form = OutputForm(
        request.POST or None, initial={"title": output.title, "text": output.text, "version": output.version}
    )
    conflict = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            output = services.edit_output(
                output,
                title=data["title"],
                text=data["text"],
                user=request.user,
                expected_version=data["version"],
            )
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.OUTPUT_FIELDS)
        else:
            messages.success(request, f"« {output.title} » est enregistré.")
            return redirect(
                reverse("sessions:site_outputs", args=[site.slug, session.pk]) + f"#output-{output.pk}"
            )
    context = {
        "page_title": f"Modifier « {output.title} »",
        "site": site,
        "session": session,
        "output": output,
        "form": form,
        **conflict,
    }
    return render(request, "sessions/output_edit.html", context)


def delete_output(request: HttpRequest, site_slug: str, pk: int, output_pk: int) -> HttpResponse:
    site = request.site
    session, can_write = _site_session(request, pk)
    output = get_object_or_404(session.outputs.filter(site=site), pk=output_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.require(can_write)
    version = parse_int(request.POST.get("version"))
    try:
        services.delete_output(output, expected_version=0 if version is None else version)
    except EditConflict:
        messages.error(request, "Ce texte a été modifié entre-temps : relisez-le avant de le supprimer.")
    else:
        messages.success(request, f"« {output.title} » est supprimé.")
    return redirect("sessions:site_outputs", site_slug=site.slug, pk=session.pk)
