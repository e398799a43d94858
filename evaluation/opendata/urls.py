"""URLs of the open data: the public page and its files."""

from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("donnees-ouvertes/", views.index, name="index"),
    path("donnees-ouvertes/fichiers/<str:name>", views.download, name="file"),
]
