"""The public pages of the collectives: the index of published sites and each site's page (no login)."""

from django.urls import path

from .views import publication

app_name = "public"

urlpatterns = [
    path("", publication.index, name="index"),
    path("<slug:slug>/", publication.site_page, name="site"),
]
