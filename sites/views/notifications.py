"""The notification centre: a person's notifications grouped by site, opened, marked as read; their choices of
e-mail per kind. Everything goes through `sites.notifications` (which reads through the access module)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qic.htmx import wants_fragment

from .. import notifications
from ..enums import Delivery, NotificationKind


def _centre(request: HttpRequest, *, fragment: bool = False, just_read: int | None = None) -> HttpResponse:
    """The centre; `just_read`: the notification just marked read, whose link takes the keyboard's focus when
    HTMX swaps the centre in (its button is gone: static/js/focus.js)."""
    context = {
        "groups": notifications.grouped(request.user),
        "limit": notifications.LIST_LIMIT,
        "just_read": just_read,
    }
    template = "sites/includes/notification_list.html" if fragment else "sites/notifications.html"
    return render(request, template, context)


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    return _centre(request, fragment=wants_fragment(request))


@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its thing, marking it read on the way."""
    notification = notifications.get_for_user(request.user, pk)
    if notification is None:
        raise Http404("Notification introuvable")
    notifications.mark_read(request.user, pk)
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    if notifications.get_for_user(request.user, pk) is None:
        raise Http404("Notification introuvable")
    notifications.mark_read(request.user, pk)
    if wants_fragment(request):
        return _centre(request, fragment=True, just_read=pk)
    messages.success(request, "La notification est marquée comme lue.")
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_read(request.user)
    if wants_fragment(request):
        return _centre(request, fragment=True)
    messages.success(
        request, "Toutes les notifications sont marquées comme lues." if count else "Tout est lu."
    )
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    """One choice per kind of notification. A kind the page did not send (a page shown before that kind
    existed) keeps its current choice instead of failing the whole form; a value no choice has is said next
    to its kind."""

    def __init__(self, *args, initial_choices: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.current = initial_choices
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_choices[kind.value],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choisissez l’une des trois possibilités."},
            )

    def clean(self):
        data = super().clean()
        for kind in NotificationKind:
            if kind.value in data and not data[kind.value]:
                data[kind.value] = self.current[kind.value]
        return data


@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    current = notifications.preferences(request.user)
    form = PreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        notifications.set_preferences(request.user, form.cleaned_data)
        messages.success(request, "Vos choix de notification sont enregistrés.")
        return redirect(reverse("notifications:preferences"))
    return render(request, "sites/notification_preferences.html", {"form": form})
