from django.urls import path

from .views import lifecycle, registry

app_name = "sites"

# Fixed paths come before `<slug:site_slug>/`; their first segment is in services.RESERVED_SLUGS. The
# registrations import (/sites/inscriptions/…, collectives.urls_registrations) joins this namespace in
# qic.urls.
urlpatterns = [
    path("", registry.site_list, name="list"),
    path("<slug:site_slug>/", registry.site_detail, name="detail"),
    path("<slug:site_slug>/statut/", lifecycle.site_status, name="status"),
    path("<slug:site_slug>/prerequis/", lifecycle.site_prerequisites, name="prerequisites"),
    path("<slug:site_slug>/journal/", lifecycle.site_journal, name="journal"),
]
