"""URLs of the reports: the archive and roll-ups under /bilans/, a site's bilans under the site's URL."""

from django.urls import path

from . import views as reports

app_name = "reports"

urlpatterns = [
    path("bilans/", reports.archive, name="archive"),
    path("bilans/demander/", reports.request_national, name="request"),
    path("bilans/<int:report_id>/", reports.detail, name="detail"),
    path("bilans/<int:report_id>/comparer/", reports.compare, name="compare"),
    path("bilans/<int:report_id>/telecharger/<str:fmt>/", reports.download, name="download"),
    path("sites/<slug:site_slug>/bilans/", reports.site_reports, name="site_reports"),
    path("sites/<slug:site_slug>/bilans/<int:report_id>/", reports.site_detail, name="site_detail"),
    path(
        "sites/<slug:site_slug>/bilans/<int:report_id>/comparer/", reports.site_compare, name="site_compare"
    ),
    path(
        "sites/<slug:site_slug>/bilans/<int:report_id>/telecharger/",
        reports.site_download,
        name="site_download",
    ),
]
