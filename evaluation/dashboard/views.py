"""The national dashboard and its exports: one view for the full page and for its HTMX-refreshed results."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from qic import access, pagination
from qic.htmx import wants_fragment
from sites.enums import SiteStatus

from .. import dashboard
from . import alerts, columns, exports
from .filters import FILTER_PARAMS


def _headers(board, request, base_url: str) -> list[dict]:
    headers = []
    query = request.GET.copy()
    query.pop("page", None)
    for column in board.columns:
        current = column.key == board.sort
        aria_sort = ("descending" if board.descending else "ascending") if current else None
        query["tri"] = f"-{column.key}" if current and not board.descending else column.key
        headers.append(
            {
                "key": column.key,
                "label": column.label,
                "available": column.available,
                "numeric": column.numeric,
                "sortable": bool(column.order_by),
                "aria_sort": aria_sort,
                "url": f"{base_url}?{query.urlencode()}",
                "sort_title": f"Trier par {column.label.lower()}"
                + (" (ordre inverse)" if current and not board.descending else ""),
            }
        )
    return headers


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _map_urls(request, base_url: str) -> tuple[str, dict[str, str]]:
    """The map's links: a department's (a pattern with "{code}": the filters, the department replaced, back
    to page 1) and the colour switch's, by value of `carte`."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("departement", None)
    department = f"{base_url}?{query.urlencode()}{'&' if query else ''}departement={{code}}"
    switch = {}
    for value in dashboard.MAP_COLOURS:
        query = request.GET.copy()
        query.pop("page", None)
        query["carte"] = value
        switch[value] = f"{base_url}?{query.urlencode()}"
    return department, switch


def _table_context(request, board, base_url: str) -> dict:
    """What the table needs (table.html), for the whole screen and for the table alone."""
    board.filterset.is_valid()  # the valid fields' values are cleaned either way (as the map reads them)
    cleaned = board.filterset.form.cleaned_data
    return {
        "board": board,
        "headers": _headers(board, request, base_url),
        "pagination": pagination.links(board.page, request.GET, base_url),
        "page_obj": board.page,  # the usual name of a list page's current page
        "params": {
            **{name: request.GET.get(name, "") for name in FILTER_PARAMS},
            # Kept by the form (keep.html) when valid only.
            "tri": sort if (sort := request.GET.get("tri", "")).removeprefix("-") in columns.SORTS else "",
            "departement": cleaned.get("departement") or "",
            "carte": colour if (colour := request.GET.get("carte", "")) in dashboard.MAP_COLOURS else "",
        },
        "dashboard_url": base_url,
        "pending_labels": columns.pending_labels(),
    }


@require_safe
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Every visible site, filtered from the URL; HTMX requests get the results fragment only, or the table
    alone when they target it (a sort, a page: what else the screen shows does not change)."""
    user = request.user
    access.require(access.can_view_dashboard(user))
    base_url = reverse("sites:dashboard")
    if wants_fragment(request) and request.htmx.target == "dashboard-table":
        table = dashboard.table_only(user, request.GET)
        context = {**_table_context(request, table, base_url), "table_only": True}
        return render(request, "sites/dashboard/table.html", context)
    map_url, map_switch = _map_urls(request, base_url)
    board = dashboard.build(user, request.GET, map_url=map_url)
    if access.sees_all_sites(user):
        heading = "Tableau de bord national"
        lead = (
            "Tous les sites du programme, vague par vague : "
            "les filtres valent pour tout l’écran et pour l’export."
        )
    else:
        heading = f"Tableau de bord — {user.resource_centre}"
        lead = (
            "Les sites des régions de votre centre de ressources : "
            "les filtres valent pour tout l’écran et pour l’export."
        )
    context = {
        **_table_context(request, board, base_url),
        "page_title": "Tableau de bord",
        "heading": heading,
        "lead": lead,
        # The panels' links keep the filters and the sort.
        "panels_query": _without_page(request),
        # The map's colour switch: (label, link, current).
        "map_switch": [
            (label, map_switch[value], dashboard.MAP_COLOURS[value] == board.map_colour)
            for value, label in (("statut", "Couleurs par statut"), ("vague", "Couleurs par vague"))
        ],
        "alert_choices": alerts.CHOICES,
        "alerts_total": sum(alert.count for alert in board.alerts if alert.tracked),
        "status_choices": SiteStatus.choices,
        "oob": False,
        "can_import": access.can_manage_registry(user),
    }
    if wants_fragment(request):
        context["oob"] = True
        return render(request, "sites/dashboard/results.html", context)
    return render(request, "sites/dashboard/page.html", context)


@require_safe
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered, sorted table in full (every page), as CSV or XLSX."""
    access.require(access.can_view_dashboard(request.user))
    table, _ = dashboard.filtered(request.user, request.GET)
    if fmt == "xlsx":
        return exports.xlsx_response(table)
    return exports.csv_response(table)
