"""URLs of the evaluation loop; site pages under /sites/<site_slug>/evaluation/ (SiteScopeMiddleware)."""

from django.urls import path

from .views import learning

app_name = "evaluation"

site = "sites/<slug:site_slug>/evaluation/"

urlpatterns = [
    path("apprentissages/recherche/", learning.learning_search, name="learning_search"),
    path(f"{site}apprentissages/", learning.learning_list, name="learnings"),
    path(f"{site}apprentissages/nouveau/", learning.learning_edit, name="learning_add"),
    path(f"{site}apprentissages/<int:pk>/", learning.learning_edit, name="learning_edit"),
]
