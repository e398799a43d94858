"""The partner API (`/api/v1/`, namespace `api`) and the page of its keys (`/cles-api/`). DRF views check the
key or session themselves: they opt out of the login middleware (a missing key is a 401, not a redirect)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from . import keys, views
from .authentication import SignedInSession


def _open(view_class, **initkwargs):
    return login_not_required(view_class.as_view(**initkwargs))


# Open to all; a signed-in session is still recognised, so that its POSTs meet the CSRF check like any page's.
PUBLIC = {
    "authentication_classes": [SignedInSession],
    "permission_classes": [AllowAny],
    "throttle_classes": [],
}

api_patterns = [
    path("vagues/", _open(views.WaveList), name="waves"),
    path("regions/", _open(views.RegionList), name="regions"),
    path("sites/", _open(views.SiteList), name="sites"),
    path("sites/<slug:slug>/", _open(views.SiteDetail), name="site"),
    path("sites/<slug:slug>/vision/", _open(views.SiteVision), name="site_vision"),
    path("sites/<slug:slug>/indicateurs/", _open(views.IndicatorList), name="indicators"),
    path(
        "sites/<slug:slug>/indicateurs/<int:pk>/mesures/", _open(views.MeasurementList), name="measurements"
    ),
    path("sessions/", _open(views.SessionList), name="sessions"),
    path("sessions/<int:pk>/", _open(views.SessionDetail), name="session"),
    path("sessions/<int:pk>/participants/", _open(views.ParticipantList), name="participants"),
    path(
        "sessions/<int:pk>/participants/<int:participant_pk>/presence/",
        _open(views.Presence),
        name="presence",
    ),
    path("bilans/", _open(views.ReportList), name="reports"),
    path("bilans/<int:pk>/fichier/", _open(views.ReportFile), name="report_file"),
    # The schema and its documentation are public: they describe the API, no data.
    path("schema/", _open(SpectacularAPIView, **PUBLIC), name="schema"),
    path(
        "documentation/",
        _open(SpectacularSwaggerSplitView, url_name="api:schema", **PUBLIC),
        name="docs",
    ),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("cles-api/", keys.key_list, name="api_keys"),
    path("cles-api/<int:pk>/revoquer/", keys.key_revoke, name="api_key_revoke"),
]
