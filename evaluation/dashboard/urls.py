"""The national dashboard's addresses: under /sites/ and in the `sites` namespace, where they have always been
(`qic.urls` puts them before the site pages, whose slugs exclude "tableau-de-bord")."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("tableau-de-bord/", views.dashboard_view, name="dashboard"),
    re_path(r"^tableau-de-bord/export\.(?P<fmt>csv|xlsx)$", views.dashboard_export, name="dashboard_export"),
]
