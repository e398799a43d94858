from django.urls import path

from .views import imports, lifecycle, registry

app_name = "sites"

# Fixed paths come before `<slug:site_slug>/`; their first segment is in services.RESERVED_SLUGS.
urlpatterns = [
    path("", registry.site_list, name="list"),
    path("inscriptions/import/", imports.registration_upload, name="import"),
    path("inscriptions/import/modele.csv", imports.registration_template, name="import_template"),
    path("inscriptions/import/<uuid:token>/", imports.registration_preview, name="import_preview"),
    path("<slug:site_slug>/", registry.site_detail, name="detail"),
    path("<slug:site_slug>/statut/", lifecycle.site_status, name="status"),
    path("<slug:site_slug>/prerequis/", lifecycle.site_prerequisites, name="prerequisites"),
    path("<slug:site_slug>/journal/", lifecycle.site_journal, name="journal"),
]
