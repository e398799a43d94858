"""URLs of the evaluation loop; site pages under /sites/<site_slug>/evaluation/ (SiteScopeMiddleware)."""

from django.urls import path

from .views import assessments, cycles, due, indicators, learning, search

app_name = "evaluation"

site = "sites/<slug:site_slug>/evaluation/"

urlpatterns = [
    path("recherche/", search.search, name="search"),
    path("apprentissages/recherche/", learning.learning_search, name="learning_search"),
    path("evaluation/a-faire/", due.due_list, name="due"),
    path("evaluation/resume-hebdomadaire/", due.digest_preferences, name="digest_preferences"),
    path(f"{site}apprentissages/", learning.learning_list, name="learnings"),
    path(f"{site}apprentissages/nouveau/", learning.learning_edit, name="learning_add"),
    path(f"{site}apprentissages/<int:pk>/", learning.learning_edit, name="learning_edit"),
    path(f"{site}indicateurs/", indicators.indicator_list, name="indicators"),
    path(f"{site}indicateurs/nouveau/", indicators.indicator_edit, name="indicator_add"),
    path(f"{site}indicateurs/<int:pk>/", indicators.indicator_edit, name="indicator_edit"),
    path(f"{site}indicateurs/<int:pk>/mesures/nouvelle/", indicators.measurement_add, name="measurement_add"),
    path(
        f"{site}indicateurs/<int:pk>/mesures/<int:measurement_pk>/",
        indicators.measurement_add,
        name="measurement_edit",
    ),
    path(f"{site}auto-evaluations/", assessments.assessment_list, name="assessments"),
    path(f"{site}auto-evaluations/nouvelle/", assessments.assessment_add, name="assessment_add"),
    path(f"{site}cycles/", cycles.cycle_list, name="cycles"),
    path(f"{site}cycles/nouveau/", cycles.cycle_edit, name="cycle_add"),
    path(f"{site}cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path(f"{site}cycles/<int:pk>/modifier/", cycles.cycle_edit, name="cycle_edit"),
    path(f"{site}cycles/<int:pk>/cloture/", cycles.cycle_close, name="cycle_close"),
    path(f"{site}cycles/<int:pk>/ajustements/nouveau/", cycles.adjustment_add, name="adjustment_add"),
    path(
        f"{site}cycles/<int:pk>/ajustements/<int:adjustment_pk>/suppression/",
        cycles.adjustment_delete,
        name="adjustment_delete",
    ),
]
