"""URLs of the people pages (personal data, RGPD) for national staff, under /personnes/ (names without a
namespace: `people`, `person`, `person_export`)."""

from django.urls import path

from .views import people

urlpatterns = [
    path("", people.people, name="people"),
    path("<int:user_id>/", people.person, name="person"),
    path("<int:user_id>/export/", people.person_export, name="person_export"),
]
