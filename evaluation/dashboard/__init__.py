"""The national dashboard: every visible site on one screen, its roll-ups and alerts, for one set of filters.

`build(user, params)` is the whole screen's data, computed with a fixed number of queries; the view renders
it, the exports write its table. Columns and where their data comes from: `columns.py` (the hook later
capabilities plug into).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html import escape as _html_escape

from django.core.paginator import Page
from django.db.models import F, QuerySet
from django.utils.safestring import SafeString, mark_safe

from qic import access, charts, maps, pagination, text
from sites import geography
from sites.enums import SiteKind, SiteStatus
from sites.models import Region, ResourceCentre, Wave

from . import columns, rollups
from .filters import FILTER_PARAMS, DashboardFilter, apply

PAGE_SIZE = 50
DEFAULT_SORT = "nom"


def sites_queryset(user) -> QuerySet:
    """The sites this user may see on the dashboard."""
    return access.visible_sites(user)


def parse_sort(value: str) -> tuple[str, bool]:
    key = value.removeprefix("-")
    if key not in columns.SORTS:
        return DEFAULT_SORT, False
    return key, value.startswith("-")


def filtered(user, params, filterset: DashboardFilter | None = None) -> tuple[QuerySet, DashboardFilter]:
    """The filtered, sorted sites of the table (and of its exports); `columns.enrich` completes them."""
    key, descending = parse_sort(params.get("tri", ""))
    base = sites_queryset(user)
    filterset = filterset or DashboardFilter(params, queryset=base)
    field_name = columns.SORTS[key]
    # Sites without a value (no agreement, no session yet...) come last either way, on every database.
    column = F(field_name)
    order = [column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)]
    if field_name != "name":
        order.append("name")
    table = apply(filterset, columns.table_queryset(base, key))
    return table.order_by(*order, "pk"), filterset


def _escape(value) -> str:
    """HTML-escaped text (the standard library's escape: Django's adds lazy-string and safe-string handling
    that plain cell texts do not need, at 600 cells a page)."""
    return _html_escape(str(value), quote=True)


PENDING_HTML = (
    '<span class="qic-pending" aria-hidden="true">—</span>'
    '<span class="fr-sr-only">pas encore disponible</span>'
)


def cell_html(cell: columns.Cell, tag: str = "td") -> str:
    """One cell of the table. Written in Python rather than in the template: 50 rows × 12 columns through the
    template engine cost more than every query of the page together."""
    if cell.pending:
        inner = PENDING_HTML
    elif cell.url:
        inner = f'<a href="{_escape(cell.url)}">{_escape(cell.text)}</a>'
    elif cell.badge:
        inner = (
            f'<span class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--{_escape(cell.badge)}">'
            f"{_escape(cell.text)}</span>"
        )
    else:
        inner = _escape(cell.text)
    if cell.detail:
        inner += f'<span class="qic-cell-detail">{_escape(cell.detail)}</span>'
    scope = ' scope="row"' if tag == "th" else ""
    return f"<{tag}{scope}>{inner}</{tag}>"


def row_html(site) -> str:
    cells = [column.cell for column in columns.COLUMNS]
    return (
        "<tr>"
        + cell_html(cells[0](site), "th")
        + "".join(cell_html(cell(site)) for cell in cells[1:])
        + "</tr>"
    )


def _render_rows(sites: list) -> dict[int, str]:
    columns.enrich(sites)
    return {site.pk: row_html(site) for site in sites}


def rows_html(sites: list) -> SafeString:
    """The table's body."""
    rows = _render_rows(sites)
    return mark_safe("\n".join(rows[site.pk] for site in sites))  # noqa: S308 - every value is escaped in cell_html


def totals_rows_html(rows: list[dict]) -> SafeString:
    """The rows of a totals table (by wave, by region): the group, its sites, by status, complete trinômes,
    the continuum's average. In Python as the table's cells: ~20 rows × 11 cells through the template engine
    were 1.8 ms a page."""
    html = []
    for row in rows:
        counts = "".join(f'<td class="qic-num">{count}</td>' for count in row["statuses"])
        average = row["continuum_average"]
        if average:
            placed = row["continuum_placed"]
            continuum = (
                f'{text.number(average, decimals=1)}<span class="fr-text--xs"> ({placed} '
                f"site{'s' if placed >= 2 else ''})</span>"
            )
        else:
            continuum = "—"
        html.append(
            f'<tr><th scope="row">{_escape(row["label"])}</th><td class="qic-num"><strong>{row["total"]}'
            f'</strong></td>{counts}<td class="qic-num">{row["trinome_complete"]}</td>'
            f'<td class="qic-num">{continuum}</td></tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 - the only text, the group's name, is escaped


@dataclass
class Table:
    """The table of the sites: one page of the filtered, sorted selection, its rows' HTML."""

    filterset: DashboardFilter
    page: Page
    rows: list
    tbody: SafeString
    sort: str
    descending: bool
    columns = columns.COLUMNS

    @property
    def count(self) -> int:
        return self.page.paginator.count


@dataclass
class Dashboard(Table):
    """The whole screen: the table, and everything the same for every page and sort of its filter set."""

    by_wave: list[dict]
    by_region: list[dict]
    overall: dict
    funnel: dict | None
    alerts: list
    choices: dict
    active_filters: list[tuple[str, str]]
    charts: dict = field(default_factory=dict)
    map: maps.FranceMap | None = None
    map_colour: str = "status"

    @property
    def by_wave_html(self) -> SafeString:
        return totals_rows_html(self.by_wave)

    @property
    def by_region_html(self) -> SafeString:
        return totals_rows_html(self.by_region)


def _choices(user) -> dict:
    if access.sees_all_sites(user):
        regions = Region.objects.all()
    else:
        regions = Region.objects.filter(resource_centres=user.resource_centre_id)
    return {
        "waves": list(Wave.objects.order_by("number")),
        "regions": list(regions.order_by("name")),
        "kinds": SiteKind.choices,
        "statuses": SiteStatus.choices,
        "centres": list(ResourceCentre.objects.order_by("short_name", "name"))
        if access.sees_all_sites(user)
        else [],
    }


def _active_filters(filterset: DashboardFilter, choices: dict) -> list[tuple[str, str]]:
    """The filters in force, as (parameter, what it says) for the tags above the table."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    labels = {
        "vague": {w.number: w.name for w in choices["waves"]},
        "region": {r.code: r.name for r in choices["regions"]},
        "type": dict(SiteKind.choices),
        "statut": dict(SiteStatus.choices),
        "crpv": {c.pk: str(c) for c in choices["centres"]},
        "alerte": dict(rollups.alerts.CHOICES),
        "departement": {code: f"{name} ({code})" for code, (name, _) in geography.places().items()},
    }
    active = []
    for name in FILTER_PARAMS:
        value = data.get(name)
        if value in (None, ""):
            continue
        if name == "q":
            active.append((name, f"« {value} »"))
        else:
            key = int(value) if name in ("vague", "crpv") else value
            active.append((name, labels[name].get(key, str(value))))
    return active


def _charts(by_wave: list[dict], by_region: list[dict], funnel: dict | None) -> dict:
    result = {}
    if funnel and funnel["stages"][0].reached:  # an empty wave is said in words (results.html)
        stages = funnel["stages"]
        result["funnel"] = charts.bar_chart(
            [
                charts.Bar(
                    stage.label,
                    stage.reached,
                    geography.STATUS_COLORS[stage.status],
                    note=f"{stage.share}{text.NBSP}%",
                )
                for stage in stages
            ],
            chart_id="chart-funnel",
            title=f"Mobilisation de la {funnel['wave'].name.lower()}",
            desc="Nombre de sites arrivés à chaque étape : "
            + ", ".join(f"{stage.label.lower()} {stage.reached}" for stage in stages)
            + ". Le détail est dans le tableau qui suit.",
        )
    if by_wave:
        result["waves"] = charts.stacked_bar_chart(
            [row["label"] for row in by_wave],
            [
                charts.Series(
                    status.label,
                    geography.STATUS_COLORS[status],
                    tuple(row["by_status"][status] for row in by_wave),
                )
                for status in SiteStatus
            ],
            chart_id="chart-waves",
            title="Sites par vague et par statut",
            desc="; ".join(f"{row['label']} : {row['total']} sites" for row in by_wave)
            + ". Le détail par statut est dans le tableau qui suit.",
        )
    if by_region:
        top = by_region[:12]
        result["regions"] = charts.bar_chart(
            [charts.Bar(row["label"], row["total"], charts.BLUE_FRANCE) for row in top],
            chart_id="chart-regions",
            title="Sites par région",
            desc="; ".join(f"{row['label']} : {row['total']}" for row in top)
            + ". Le détail est dans le tableau qui suit.",
        )
    return result


@dataclass
class Panels:
    """Everything on the screen but the table: the same for every page and sort of one filter set."""

    choices: dict
    totals: rollups.Totals
    funnel: dict | None
    alerts: list
    charts: dict


def panels(user, filterset: DashboardFilter) -> Panels:
    """The roll-ups of the selection: one grouped query over the selection without its wave, status and alert
    filters (the funnel shows the whole current wave), the wave and status filters applied to its rows for
    the alerts' counts (keys of the groups). The totals and tiles count the sites the table lists: the same
    rows, or with an alert filter, one more grouped query over the table's selection."""
    base = sites_queryset(user)
    choices = _choices(user)
    # Every visible site is in one of the regions offered as a filter.
    region_names = {region.pk: region.name for region in choices["regions"]}
    rows = rollups.grouped(apply(filterset, base, skip=("vague", "statut", "alerte")))
    values = filterset.form.cleaned_data
    wave_number, status = values.get("vague"), values.get("statut")
    wave_ids = {
        wave.pk for wave in choices["waves"] if wave_number in (None, "") or wave.number == wave_number
    }
    selected = [row for row in rows if row[0] in wave_ids and status in (None, "", row[2])]
    totals = rollups.totals_of(selected, choices["waves"], region_names)
    if values.get("alerte"):
        listed = rollups.totals_of(rollups.grouped(apply(filterset, base)), choices["waves"], region_names)
        totals = replace(
            listed, alert_counts=totals.alert_counts, vision_due_by_wave=totals.vision_due_by_wave
        )
    current_wave = next((wave for wave in choices["waves"] if wave.is_current), None)
    funnel = rollups.funnel_of(rows, current_wave)
    return Panels(
        choices=choices,
        totals=totals,
        funnel=funnel,
        alerts=rollups.alert_summary(
            apply(filterset, base, skip=("alerte",)),
            totals.alert_counts,
            vision_due_by_wave=totals.vision_due_by_wave,
        ),
        charts=_charts(totals.by_wave, totals.by_region, funnel),
    )


MAP_COLOURS = {"statut": "status", "vague": "wave"}  # the map's `carte` parameter: what colours it


def site_map(user, filterset: DashboardFilter, colour: str, url: str) -> maps.FranceMap:
    """The sites of the table on the map of France: one grouped query over the same selection (every filter,
    the department's included)."""
    rows = geography.department_counts(apply(filterset, sites_queryset(user)), colour_by=colour)
    selected = filterset.form.cleaned_data.get("departement") or ""
    fmap = geography.site_map(rows, colour_by=colour, map_id="carte-sites", url=url, selected=selected)
    fmap.link_target = "#dashboard-results"  # with HTMX, a department of the table swaps the results
    return fmap


def _page(table: QuerySet, params, known_count: int | None = None) -> tuple[Page, list]:
    page = pagination.page_of(table, PAGE_SIZE, params.get("page"), count=known_count)
    return page, page.object_list


def table_only(user, params) -> Table:
    """The table alone (a sort or a page changed): its count is one query, the panels are not computed."""
    table, filterset = filtered(user, params)
    key, descending = parse_sort(params.get("tri", ""))
    page, sites = _page(table, params)
    return Table(filterset, page, sites, rows_html(sites), key, descending)


def build(user, params, *, map_url: str = "") -> Dashboard:
    """The whole screen; `map_url` (a pattern with "{code}") makes the map's departments links."""
    table, filterset = filtered(user, params)
    key, descending = parse_sort(params.get("tri", ""))
    screen = panels(user, filterset)
    colour = MAP_COLOURS.get(params.get("carte", ""), "status")
    # The table holds exactly the sites the totals counted (with or without an alert filter).
    page, sites = _page(table, params, known_count=screen.totals.overall["total"])
    return Dashboard(
        filterset=filterset,
        page=page,
        rows=sites,
        tbody=rows_html(sites),
        sort=key,
        descending=descending,
        by_wave=screen.totals.by_wave,
        by_region=screen.totals.by_region,
        overall=screen.totals.overall,
        funnel=screen.funnel,
        alerts=screen.alerts,
        choices=screen.choices,
        active_filters=_active_filters(filterset, screen.choices),
        charts=screen.charts,
        map=site_map(user, filterset, colour, map_url),
        map_colour=colour,
    )
