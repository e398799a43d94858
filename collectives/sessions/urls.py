"""URLs of the sessions: the user's sessions and a facilitator's planning under /sessions/, a site's sessions
and its exercise pages under /sites/<site_slug>/ (resolved by SiteScopeMiddleware, 404 to outsiders)."""

from django.urls import path

from .views import attendance, calendar, coaching, exercises, sessions

app_name = "sessions"

site = "sites/<slug:site_slug>/sessions/<int:pk>/"

urlpatterns = [
    path("sessions/", sessions.session_list, name="list"),
    path("sessions/planifier/", sessions.plan, name="plan"),
    path("sessions/agenda/", calendar.calendar, name="calendar"),
    path("sessions/agenda/<str:token>.ics", calendar.feed, name="calendar_feed"),
    path("sessions/accompagnement/", coaching.overview, name="coaching"),
    path("sessions/<int:pk>/", sessions.detail, name="detail"),
    path("sessions/<int:pk>/modifier/", sessions.edit, name="edit"),
    path("sessions/<int:pk>/annuler/", sessions.cancel, name="cancel"),
    path("sessions/<int:pk>/presences/", attendance.attendance, name="attendance"),
    path("sessions/<int:pk>/presences/<int:participant_pk>/", attendance.mark, name="mark"),
    path("sessions/<int:pk>/invites/ajouter/", attendance.add_guest, name="guest_add"),
    path(
        "sessions/<int:pk>/invites/<int:participant_pk>/retirer/",
        attendance.remove,
        name="participant_remove",
    ),
    path("sessions/<int:pk>/feuille-d-emargement.pdf", attendance.sign_in_sheet, name="sign_in_sheet"),
    path("sessions/<int:pk>/continuum/", exercises.board, name="continuum"),
    path("sessions/<int:pk>/continuum/ouvrir/", exercises.open_exercise, name="continuum_open"),
    path("sessions/<int:pk>/continuum/clore/", exercises.close_exercise, name="continuum_close"),
    path("sites/<slug:site_slug>/sessions/", coaching.site_sessions, name="site_sessions"),
    path(f"{site}continuum/", exercises.site_answer, name="site_continuum"),
    path(f"{site}productions/", exercises.site_outputs, name="site_outputs"),
    path(f"{site}productions/<int:output_pk>/", exercises.edit_output, name="site_output"),
    path(f"{site}productions/<int:output_pk>/supprimer/", exercises.delete_output, name="site_output_delete"),
]
