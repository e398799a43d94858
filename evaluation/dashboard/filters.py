"""The dashboard's filters: in the URL (shareable, the back button works), applied to every panel."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from evaluation import search
from qic import access, maps
from sites.enums import SiteKind, SiteStatus

from . import alerts

ID_MAX = 2**31 - 1
# Up to this many sites matched by the search, the panels filter on their ids (see `filter_search`).
SEARCH_IDS_MAX = 2000

# URL parameter → what it filters, in the order of the form.
FILTER_PARAMS = ("vague", "region", "departement", "type", "statut", "crpv", "alerte", "q")


DEPARTMENT_CODES = frozenset(maps.department_codes())


def _department_code(value: str) -> None:
    if value not in DEPARTMENT_CODES:
        raise ValidationError("Département inconnu.")


class DashboardFilter(django_filters.FilterSet):
    # Numbers out of a database integer's range are malformed: not a filter (SQLite raised on binding them).
    vague = django_filters.NumberFilter(
        field_name="wave__number", label="Vague", min_value=0, max_value=ID_MAX, decimal_places=0
    )
    region = django_filters.CharFilter(field_name="department__region__code", label="Région")
    # A department drawn on the map (INSEE code): anything else is malformed, not a filter. A set to check it
    # against rather than a choice list: the filter set and its form copy their fields on every page (the
    # 101 choices were 0.3 ms of the dashboard's 1 ms of filters).
    departement = django_filters.CharFilter(
        field_name="department__code", label="Département", validators=[_department_code]
    )
    type = django_filters.ChoiceFilter(field_name="kind", choices=SiteKind.choices, label="Type")
    statut = django_filters.ChoiceFilter(field_name="status", choices=SiteStatus.choices, label="Statut")
    crpv = django_filters.NumberFilter(
        method="filter_resource_centre", label="CRPV", min_value=1, max_value=ID_MAX, decimal_places=0
    )
    alerte = django_filters.ChoiceFilter(method="filter_alert", choices=alerts.CHOICES, label="Alerte")
    q = django_filters.CharFilter(method="filter_search", label="Recherche")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._search_ids: list[int] | bool | None = None  # the sites the search matches, read once

    def filter_resource_centre(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return access.sites_of_centre(queryset, value)

    def filter_alert(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(alerts.condition(value))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The header search's site matching (`evaluation.search.site_matching`): name, communes, QPV code or
        department, French-aware on PostgreSQL. Typed marks only ("%"): no site has them in its name.

        The matching sites are looked up once for the page (one query, from the search's index) and every
        panel filters on their ids, when they are a few: the alerts' first five and the table's page are read
        in an order an index gives, and PostgreSQL walked that index computing the French text of each site
        it passed until it had found enough (5.8 ms for "mont", 835 sites passed, for one alert's examples).
        Many matches are found soon on such a walk: they stay a condition on the text."""
        found = search.words(search.clean_query(value))
        if not found:
            return queryset.none()
        if self._search_ids is None:
            matches = search.site_matching(queryset.model.objects.order_by(), found).values_list(
                "pk", flat=True
            )
            ids = list(matches[: SEARCH_IDS_MAX + 1])
            self._search_ids = ids if len(ids) <= SEARCH_IDS_MAX else False
        if self._search_ids is False:
            return search.site_matching(queryset, found)
        return search.among(queryset, self._search_ids)


def apply(filterset: DashboardFilter, queryset: QuerySet, *, skip: tuple[str, ...] = ()) -> QuerySet:
    """`queryset` filtered by this (validated) filter set's values but those named in `skip`: one form
    validated per page serves the table and every panel (an invalid value filters nothing, as `.qs`)."""
    filterset.errors  # noqa: B018 - validates
    for name, value in filterset.form.cleaned_data.items():
        if name not in skip:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset
