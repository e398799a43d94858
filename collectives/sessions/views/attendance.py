"""Attendance on the day: one tap per person from a phone (HTMX, or a form POST each without JavaScript),
named guests, and the printable sign-in sheet (feuille d'émargement)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.pdf import STYLESHEET, html_to_pdf, pdf_response

from .. import services
from ..forms import GuestForm


def _runnable(request, pk):
    session, session_access = access.get_session_for_user(request.user, pk, texts=False)
    access.require(session_access.can_run)
    return session, session_access


def _attendance_url(session, participant=None) -> str:
    url = reverse("sessions:attendance", args=[session.pk])
    return f"{url}#participant-{participant.pk}" if participant else url


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session, _ = _runnable(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    rows = services.participants(session)
    context = {
        "page_title": f"Présences — {session.title}",
        "session": session,
        "groups": services.grouped(rows),
        "counts": {"invited": len(rows), "present": sum(1 for p in rows if p.present)},
        "editable": not session.is_cancelled,
    }
    return render(request, "sessions/attendance.html", context)


def mark(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk, texts=False)
    # Another session's participant is a 404, whatever the method.
    participant = get_object_or_404(session.participants.select_related("user", "site"), pk=participant_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.require(session_access.can_run and not session.is_cancelled)
    present = request.POST.get("present") == "1"
    participant = services.set_presence(participant, present, actor=request.user)
    if request.htmx:
        participant = session.participants.select_related("user", "site").get(pk=participant.pk)
        context = {
            "session": session,
            "participant": participant,
            "editable": True,
            "counts": services.attendance_counts(session),
            "oob": True,
        }
        return render(request, "sessions/includes/presence_row.html", context)
    state = "présente" if participant.present else "absente"
    messages.success(request, f"{participant.display_name} : notée {state}.")
    return redirect(_attendance_url(session, participant))


@require_http_methods(["GET", "HEAD", "POST"])
def add_guest(request: HttpRequest, pk: int) -> HttpResponse:
    session, _ = _runnable(request, pk)
    access.require(not session.is_cancelled)
    form = GuestForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(form):
                guest = services.add_guest(
                    session,
                    name=data["name"],
                    organisation=data["organisation"],
                    email=data["email"],
                    site=data["site"],
                    actor=request.user,
                )
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect(_attendance_url(session))
        except services.SessionError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"{guest.display_name} est invité·e à la session.")
            return redirect(_attendance_url(session, guest))
    context = {"page_title": "Inviter une personne", "session": session, "form": form}
    return render(request, "sessions/guest_form.html", context)


def remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, pk, texts=False)
    participant = get_object_or_404(session.participants.select_related("user"), pk=participant_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.require(session_access.can_run and not session.is_cancelled)
    name = participant.display_name
    try:
        services.remove_participant(participant)
    except services.SessionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{name} ne figure plus parmi les invités.")
    return redirect(_attendance_url(session))


# Blank lines for people who come uninvited: enough to fill the page when the sheet fits on one (people,
# blank lines and site headings: up to ONE_PAGE_LINES, with the facilitator's box below); six otherwise.
BLANK_LINES, ONE_PAGE_LINES, FEWEST_BLANK_LINES = 6, 9, 3


def blank_lines(people: int, groups: int) -> int:
    """How many blank lines a sheet of `people` in `groups` site headings gets (one more heading: theirs)."""
    room = ONE_PAGE_LINES - people - groups - 1
    return room if room >= FEWEST_BLANK_LINES else BLANK_LINES


def sign_in_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    session, _ = _runnable(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    rows = services.participants(session)
    for number, row in enumerate(rows, start=1):
        row.number = number  # one numbering across the site groups: the count of signatures expected
    starts = timezone.localtime(session.starts_at)
    groups = services.grouped(rows)
    context = {
        "document_title": f"Feuille d’émargement — {session.title}",
        "session": session,
        "starts_at": starts,
        "ends_at": timezone.localtime(session.ends_at),
        "groups": groups,
        "count": len(rows),
        "facilitators": [services.person_name(u) for u in session.facilitators.all()],
        "sites": list(session.sites.order_by("name")),
        "blank_lines": range(len(rows) + 1, len(rows) + 1 + blank_lines(len(rows), len(groups))),
        "generated_at": timezone.now(),
    }
    html = render_to_string("sessions/pdf/sign_in_sheet.html", context)
    pdf = html_to_pdf(html, stylesheets=(STYLESHEET, "css/sign-in-sheet.css"))
    return pdf_response(pdf, f"feuille-emargement-{starts:%Y-%m-%d}-{session.pk}.pdf", inline=True)
