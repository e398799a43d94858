"""The personal calendar feed: a page to create, renew or revoke one's secret link, and the ICS feed itself,
the only page opened without signing in (its secret token is the credential)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic.idempotency import AlreadySubmitted, once

from .. import calendar as services
from ..forms import CalendarFeedForm

ALREADY_CREATED = (
    "Ce formulaire a déjà été envoyé : votre lien d’agenda est déjà créé. Il ne s’affiche qu’une fois ; "
    "si vous ne l’avez pas copié, créez-en un nouveau."
)


@require_http_methods(["GET", "HEAD", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    user = request.user
    token = None
    form = CalendarFeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == "revoke":
            if services.revoke(user):
                messages.success(request, "Votre lien d’agenda est révoqué : il ne donne plus accès à rien.")
            return redirect("sessions:calendar")
        try:
            with once(form):
                # The link is shown once, in this answer: only its hash is kept.
                _, token = services.create_feed(user)
        except AlreadySubmitted:
            messages.info(request, ALREADY_CREATED)
            return redirect("sessions:calendar")
        form = CalendarFeedForm()
    context = {
        "form": form,
        "page_title": "Mon agenda des sessions",
        "feed": services.active_feed(user),
        "feed_url": services.feed_url(token) if token else "",
    }
    return render(request, "sessions/calendar.html", context)


@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    calendar_feed = services.find_feed(token)
    if calendar_feed is None:
        raise Http404("Agenda introuvable")
    user = calendar_feed.user
    services.touch(calendar_feed)
    body = services.render_ics(user, services.feed_sessions(user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions-qic.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
