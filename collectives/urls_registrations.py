"""URLs of the registrations import, under /sites/inscriptions/ in the `sites` namespace (`sites:import`,
`sites:import_template`, `sites:import_preview`): qic.urls puts them before the registry's own URLs."""

from django.urls import path

from .views import registrations

urlpatterns = [
    path("inscriptions/import/", registrations.registration_upload, name="import"),
    path("inscriptions/import/modele.csv", registrations.registration_template, name="import_template"),
    path("inscriptions/import/<uuid:token>/", registrations.registration_preview, name="import_preview"),
]
