"""The platform's URL map: one include per app; public pages opt out of login explicitly in their views."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from collectives import urls_registrations
from evaluation.dashboard import urls as dashboard_urls
from qic import views, views_audit
from sites import urls as sites_urls

admin.site.site_header = "Quartiers à impact collectif — administration"
admin.site.site_title = "QIC administration"
admin.site.index_title = "Registre national"
# The admin signs in through allauth's login page, with its rate limits.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    # One `sites` namespace over three apps, so every address and URL name stays: the national dashboard
    # (evaluation.dashboard, the top layer), the registrations import (collectives: it creates memberships and
    # invitations) and the registry itself.
    path(
        "sites/",
        include(
            (dashboard_urls.urlpatterns + urls_registrations.urlpatterns + sites_urls.urlpatterns, "sites")
        ),
    ),
    path("sites/<slug:site_slug>/vision/", include("vision.urls")),
    path("", include("evaluation.reports.urls")),
    path("", include("evaluation.opendata.urls")),  # public: the open data of the programme
    path("comptes/", include("collectives.security.urls")),
    path("", include("collectives.urls")),
    path("", include("evaluation.urls")),
    path("", include("collectives.sessions.urls")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("journal-d-audit/", views_audit.audit_log, name="audit_log"),
    path("aide/", include("qic.urls_help")),
    path("personnes/", include("collectives.urls_people")),
    path("notifications/", include("sites.urls_notifications")),
    path("quartiers/", include("vision.urls_public")),  # public pages of the collectives (no login)
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("sante/", views.health, name="health"),
    path("", include("api.urls")),  # the partner API (/api/v1/) and its keys' page (/cles-api/)
]

handler400 = "qic.views.bad_request"
handler403 = "qic.views.permission_denied"
handler404 = "qic.views.page_not_found"
handler500 = "qic.views.server_error"
