"""The help centre's addresses (namespace `help`)."""

from django.urls import path

from . import views_help

app_name = "help"
urlpatterns = [
    path("", views_help.index, name="index"),
    path("guide.pdf", views_help.guide, name="guide"),
    path("pour/<slug:audience>/", views_help.index, name="audience"),
    path("<slug:key>/", views_help.topic, name="topic"),
]
