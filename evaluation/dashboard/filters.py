"""The dashboard's filters: in the URL (shareable, the back button works), applied to every panel."""

import django_filters
from django.db.models import QuerySet

from evaluation import search
from qic import maps
from sites.enums import SiteKind, SiteStatus

from . import alerts

ID_MAX = 2**31 - 1

# URL parameter → what it filters, in the order of the form.
FILTER_PARAMS = ("vague", "region", "departement", "type", "statut", "crpv", "alerte", "q")


class DashboardFilter(django_filters.FilterSet):
    # Numbers out of a database integer's range are malformed: not a filter (SQLite raised on binding them).
    vague = django_filters.NumberFilter(
        field_name="wave__number", label="Vague", min_value=0, max_value=ID_MAX, decimal_places=0
    )
    region = django_filters.CharFilter(field_name="department__region__code", label="Région")
    # A department drawn on the map (INSEE code): anything else is malformed, not a filter.
    departement = django_filters.ChoiceFilter(
        field_name="department__code",
        choices=[(code, code) for code in maps.department_codes()],
        label="Département",
    )
    type = django_filters.ChoiceFilter(field_name="kind", choices=SiteKind.choices, label="Type")
    statut = django_filters.ChoiceFilter(field_name="status", choices=SiteStatus.choices, label="Statut")
    crpv = django_filters.NumberFilter(
        method="filter_resource_centre", label="CRPV", min_value=1, max_value=ID_MAX, decimal_places=0
    )
    alerte = django_filters.ChoiceFilter(method="filter_alert", choices=alerts.CHOICES, label="Alerte")
    q = django_filters.CharFilter(method="filter_search", label="Recherche")

    def filter_resource_centre(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(department__region__resource_centres=value)

    def filter_alert(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(alerts.condition(value))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The header search's site matching (`evaluation.search.site_matching`): name, communes, QPV code or
        department, French-aware on PostgreSQL. Typed marks only ("%"): no site has them in its name."""
        found = search.words(search.clean_query(value))
        return search.site_matching(queryset, found) if found else queryset.none()


def apply(filterset: DashboardFilter, queryset: QuerySet, *, skip: tuple[str, ...] = ()) -> QuerySet:
    """`queryset` filtered by this (validated) filter set's values but those named in `skip`: one form
    validated per page serves the table and every panel (an invalid value filters nothing, as `.qs`)."""
    filterset.errors  # noqa: B018 - validates
    for name, value in filterset.form.cleaned_data.items():
        if name not in skip:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset
