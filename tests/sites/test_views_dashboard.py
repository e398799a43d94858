"""The national dashboard: filters in the URL, HTMX fragments, sorting, roll-ups, alerts, constant queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collectives.enums import MemberRole
from evaluation import dashboard
from evaluation.dashboard import filters
from evaluation.models import SelfAssessment
from sites import services
from sites.enums import SiteKind, SiteStatus
from sites.models import Site
from tests.collectives.factories import MembershipFactory
from tests.sites.factories import SiteFactory, WaveFactory, department

pytestmark = pytest.mark.django_db
URL = reverse("sites:dashboard")


def _trinome(site):
    for seat in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY):
        MembershipFactory(site=site, role=seat)


def _table(response) -> str:
    """The sites table only (alerts and funnel also name sites)."""
    html = response.content.decode()
    start = html.index('<table id="sites-table">')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def national(client, world):
    world.login(client, world.national)
    return client


def test_national_staff_land_on_the_dashboard(client, world):
    world.login(client, world.national)
    response = client.get(reverse("home"))
    assert response.url == URL
    page = client.get(URL).content.decode()
    assert 'aria-current="page">Tableau de bord</a>' in page


def test_filters_by_wave_and_region_live_in_the_url(national, world):
    wave2 = WaveFactory(number=2)
    other = SiteFactory(name="Quartier Loire vague 2", department=department("42"), wave=wave2)
    response = national.get(URL, {"vague": "3", "region": "84"})
    table = _table(response)
    assert world.site_a.name in table
    assert world.site_b.name not in table  # Hauts-de-France
    assert other.name not in table  # wave 2
    page = response.content.decode()
    assert '<option value="3" selected>' in page  # the form shows the filters in force
    assert "Filtres appliqués" in page
    assert "Auvergne-Rhône-Alpes" in page


def test_htmx_gets_the_results_fragment_and_history_restore_the_full_page(national, world):
    response = national.get(URL, {"region": "32"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'hx-swap-oob="true"' in body
    assert "1 site correspond aux filtres." in body
    assert world.site_b.name in _table(response)
    restore = national.get(
        URL, {"region": "32"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize(("sort", "kept"), [("-trinome", "-trinome"), ("vague", "vague"), ("<x>", None)])
def test_the_filters_form_keeps_a_valid_sort_even_after_a_sort_swapped_in_place(national, world, sort, kept):
    """The form sends the sort with the filters: in the page, and out of band with the results HTMX swaps
    after a click on a column's sort button (a filter changed after a sort used to drop it). Each sort button
    and page link has an id, for HTMX to give the focus back to the same one in the new results."""
    keep = re.compile(r'<span id="dashboard-keep"[^>]*>(.*?)</span>')
    full = national.get(URL, {"tri": sort}).content.decode()
    swapped = national.get(URL, {"tri": sort}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="dashboard-keep" hx-swap-oob="true"' in swapped
    for body in (full, swapped):
        kept_inputs = keep.search(body).group(1)
        if kept:
            assert f'<input type="hidden" name="tri" value="{kept}">' == kept_inputs
        else:
            assert kept_inputs == "" and "&lt;x&gt;" not in kept_inputs
        assert 'id="tri-trinome"' in body and 'id="tri-vague"' in body


def test_a_sort_or_a_page_swaps_the_table_alone(national, world, django_assert_max_num_queries):
    """Sort buttons and page links target the table: the answer is the table and the form's kept sort, not
    the alerts, the map and the totals again (the map's table, if opened, stays open), in fewer queries."""
    full = national.get(URL, {"region": "84"}).content.decode()
    assert 'hx-target="#dashboard-table" hx-swap="outerHTML"' in full
    assert '<section id="dashboard-table"' in full
    headers = {"HX-Request": "true", "HX-Target": "dashboard-table"}
    with django_assert_max_num_queries(6):  # session, user, the header’s count; the page, its count, coaching
        response = national.get(URL, {"region": "84", "tri": "-nom"}, headers=headers)
    body = response.content.decode()
    assert body.lstrip().startswith('<span id="dashboard-keep" hx-swap-oob="true">')
    assert '<input type="hidden" name="tri" value="-nom">' in body
    assert '<section id="dashboard-table"' in body and "<html" not in body
    assert "Alertes" not in body and "carte-sites" not in body and "Sites par vague" not in body
    assert [site.name for site in response.context["board"].rows] == [world.site_a.name]
    assert 'Sites <span class="qic-muted">(1)</span>' in body


def test_sorting_by_a_column_and_back(national, world):
    SiteFactory(name="Abbaye", wave=WaveFactory(number=1))
    names = [row.name for row in national.get(URL, {"tri": "-vague"}).context["board"].rows]
    assert names[-1] == "Abbaye"
    names = [row.name for row in national.get(URL, {"tri": "vague"}).context["board"].rows]
    assert names[0] == "Abbaye"
    page = national.get(URL, {"tri": "vague"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert "tri=-vague" in page  # the header now offers the reverse order


def test_unknown_sort_falls_back_to_the_name(national, world):
    board = national.get(URL, {"tri": "password"}).context["board"]
    assert board.sort == "nom"


def test_search_ignores_accents_and_case(national, world):
    SiteFactory(name="Crêt de Roc", communes="Saint-Étienne")
    table = _table(national.get(URL, {"q": "cret saint-etienne"}))
    assert "Crêt de Roc" in table
    assert world.site_a.name not in table


def test_search_finds_a_department_and_looks_its_sites_up_once(national, world):
    # The header search's matching (evaluation.search.site_matching): the department by its name or code.
    assert world.site_a.name in _table(national.get(URL, {"q": "loire"}))  # site A: Loire (42)
    assert world.site_a.name not in _table(national.get(URL, {"q": "nord"}))
    assert world.site_b.name in _table(national.get(URL, {"q": "quartier 59"}))
    assert national.get(URL, {"q": "%_%"}).context["board"].rows == []  # marks only: no site has them

    def count_queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert national.get(URL, params).status_code == 200
        return len(captured)

    # The matching sites are looked up once, whatever the panels: one query more than no search. (A search
    # that finds nothing costs fewer: the panels of no site are not asked for.)
    assert count_queries({"q": "quartier loire"}) == count_queries({"q": "quartier"}) == count_queries({}) + 1


def test_a_search_matching_many_sites_filters_on_their_text(national, world, monkeypatch):
    """Past SEARCH_IDS_MAX matches the panels filter on the text itself: the same table, totals and alerts."""
    SiteFactory(name="Quartier des Tilleuls", communes="Montbrison")
    params = {"q": "quartier", "tri": "-activite"}
    by_ids = national.get(URL, params).context["board"]
    monkeypatch.setattr(filters, "SEARCH_IDS_MAX", 1)
    by_text = national.get(URL, params).context["board"]
    assert len(by_ids.rows) >= 2
    assert [site.pk for site in by_text.rows] == [site.pk for site in by_ids.rows]
    assert by_text.overall == by_ids.overall
    assert [(alert.count, alert.examples) for alert in by_text.alerts] == [
        (alert.count, alert.examples) for alert in by_ids.alerts
    ]


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "<script>alert(1)</script>",
        "\x00\x1b[31m",
        "%_%",
        "'; DROP TABLE sites_site; --",
        "a:* & !b",
    ],
)
def test_hostile_searches_filter_the_dashboard_without_an_error(national, world, query):
    for headers in ({}, {"HX-Request": "true"}):
        response = national.get(URL, {"q": query}, headers=headers)
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_kind_status_and_resource_centre_filters(national, world):
    school = SiteFactory(
        name="Cité éducative du Nord", kind=SiteKind.CITE_EDUCATIVE, department=department("59")
    )
    assert school.name in _table(national.get(URL, {"type": "cite_educative"}))
    assert world.site_a.name not in _table(national.get(URL, {"type": "cite_educative"}))
    Site.objects.filter(pk=world.site_b.pk).update(status=SiteStatus.PAUSED)
    assert [r.name for r in national.get(URL, {"statut": "paused"}).context["board"].rows] == [
        world.site_b.name
    ]
    centre = world.facilitator_a.resource_centre
    table = _table(national.get(URL, {"crpv": centre.pk}))
    assert world.site_a.name in table and world.site_b.name not in table


def test_trinome_column_names_the_vacant_seat(national, world):
    site = SiteFactory(name="Quartier complet")
    _trinome(site)
    table = _table(national.get(URL))
    # site A has only its civil-society seat filled
    assert "Vacant\u00a0: délégué·e du préfet, collectivité" in table
    assert "Complet" in table


def test_the_region_reads_on_two_lines_at_most_with_the_kind_of_site_short_under_it(national, world):
    """At 1280 px the region column is narrow: a region breaks only at its hyphens ("Provence-Alpes-" /
    "Côte d’Azur", "Centre-" / "Val de Loire"), and a QPV says "QPV" under it, not the three-line label."""
    SiteFactory(name="Quartier du sud", department=department("13"), kind=SiteKind.QPV)
    SiteFactory(name="Cité du centre", department=department("45"), kind=SiteKind.CITE_EDUCATIVE)

    table = _table(national.get(URL))

    assert '<col class="qic-col--region">' in table  # its width, in qic.css
    assert 'Provence-Alpes-Côte\u00a0d’Azur<span class="qic-cell-detail">QPV</span>' in table
    assert 'Centre-Val\u00a0de\u00a0Loire<span class="qic-cell-detail">Cité éducative</span>' in table
    assert "Quartier prioritaire (QPV)" not in table


def test_every_column_is_wired_now(national, world):
    page = national.get(URL).content.decode()
    assert "pas encore disponible" not in page
    # Coaching hours are wired (Sessions issue): hours used of the site's budget.
    assert "0\u00a0h / 10\u00a0h" in page
    # The last self-assessment (Evaluation loop): none yet, then the continuum position and its date.
    assert "Aucune" in _table(national.get(URL))
    SelfAssessment.objects.create(site=world.site_a, assessed_on=dt.date(2026, 3, 12), continuum_level=5)
    table = _table(national.get(URL, {"tri": "-autoevaluation"}))
    assert "Coordination (5/7)" in table and "le 12\u00a0mars\u00a02026" in table  # one line
    assert table.index("Coordination (5/7)") < table.index("Aucune")  # sorted by the position, highest first


def test_totals_by_wave_and_region(national, world):
    SiteFactory(name="Autre", wave=WaveFactory(number=2), department=department("59"), status="paused")
    board = national.get(URL).context["board"]
    by_wave = {row["label"]: row for row in board.by_wave}
    assert by_wave["Vague 3"]["total"] == 2 and by_wave["Vague 2"]["by_status"]["paused"] == 1
    by_region = {row["label"]: row["total"] for row in board.by_region}
    assert by_region == {"Hauts-de-France": 2, "Auvergne-Rhône-Alpes": 1}
    assert board.overall["total"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"vague": "2"},
        {"statut": "paused"},
        {"vague": "3", "statut": "active"},
        {"vague": "2", "region": "32"},
        {"vague": "deux"},  # not a number: filters nothing, in the table as in the totals
        {"statut": "inconnu"},
        {"alerte": "siege-vacant"},  # the tiles count the sites of the alert, as the table lists them
        {"alerte": "siege-vacant", "vague": "2"},
        {"alerte": "inactif", "statut": "active"},
    ],
)
def test_totals_count_exactly_the_sites_of_the_table_whatever_the_filters(national, world, params):
    wave2 = WaveFactory(number=2)
    SiteFactory(name="Autre", wave=wave2, department=department("59"), status="paused")
    SiteFactory(name="Encore", wave=wave2, department=department("42"), status="active")
    board = national.get(URL, params).context["board"]
    table, _ = dashboard.filtered(world.national, params)
    assert board.overall["total"] == table.count() == sum(row["total"] for row in board.by_region)
    assert board.overall["by_status"] == {
        status: table.filter(status=status).count() for status in board.overall["by_status"]
    }


def test_funnel_counts_sites_that_reached_each_stage(national, world):
    wave = WaveFactory(number=4, is_current=True)
    sites = [SiteFactory(wave=wave, status=SiteStatus.INTERESTED) for _ in range(4)]
    services.change_status(sites[0], "registering", reason="x")
    services.change_status(sites[1], "registering", reason="x")
    services.change_status(sites[1], "withdrawn", reason="x")  # reached registering, then left
    board = national.get(URL, {"vague": "3"}).context["board"]  # the funnel ignores the wave filter
    stages = {stage.status: stage for stage in board.funnel["stages"]}
    assert stages["interested"].reached == 4
    assert stages["registering"].reached == 2
    assert stages["registering"].current == 1
    assert stages["registering"].conversion == 50
    assert stages["in_training"].reached == 0
    assert board.funnel["withdrawn"] == 1
    page = national.get(URL).content.decode()
    assert "Mobilisation de la vague 4" in page
    assert 'role="img"' in page and '<title id="chart-funnel-title">' in page
    # A selection with no site of the wave (a region without any yet): said in words, not a chart of zeros.
    empty = national.get(URL, {"q": "aucun site ne porte ce nom"}).content.decode()
    assert "Aucun site de la vague 4 dans cette sélection" in empty
    assert "chart-funnel" not in empty and 'id="funnel-table"' not in empty


def _alerts(response) -> dict:
    return {alert.key: alert for alert in response.context["board"].alerts}


def test_alerts_for_stalled_sites_and_vacant_seats(national, world, settings):
    settings.QIC_STALL_DAYS = 30
    quiet = SiteFactory(name="Quartier silencieux")
    _trinome(quiet)
    Site.objects.filter(pk=quiet.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=45))
    lively = SiteFactory(name="Quartier animé")
    _trinome(lively)
    Site.objects.filter(pk=lively.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=2))
    Site.objects.filter(pk__in=[world.site_a.pk, world.site_b.pk]).update(last_activity_at=timezone.now())
    response = national.get(URL)
    alerts = {alert.key: alert for alert in response.context["board"].alerts}
    assert [s.name for s in alerts["inactif"].examples] == ["Quartier silencieux"]
    assert {s.name for s in alerts["siege-vacant"].examples} == {world.site_a.name, world.site_b.name}
    # Two sites of the same name (two "cités éducatives" of one town) come in the order they were registered,
    # on every page: the list does not shuffle from one reading to the next.
    twins = [SiteFactory(name="Cité éducative de Montfort") for _ in range(2)]
    examples = [s.pk for s in _alerts(national.get(URL))["siege-vacant"].examples]
    assert [pk for pk in examples if pk in {twin.pk for twin in twins}] == [twin.pk for twin in twins]
    assert alerts["vision"].tracked is True  # wired by the vision app: see tests/vision/test_dashboard.py
    page = response.content.decode()
    assert "plus de 30 jours" in page
    only_stalled = _table(national.get(URL, {"alerte": "inactif"}))
    assert "Quartier silencieux" in only_stalled and "Quartier animé" not in only_stalled


def test_pagination_keeps_the_filters(national, world):
    wave = WaveFactory(number=2)
    for i in range(55):
        SiteFactory(name=f"Site {i:02d}", wave=wave)
    response = national.get(URL, {"vague": "2"})
    page = response.content.decode()
    assert "vague=2&amp;page=2" in page
    second = national.get(URL, {"vague": "2", "page": "2"}).context["board"]
    assert len(second.rows) == 5


def test_pagination_around_a_far_page_and_last_activity_in_local_time(national, world, monkeypatch):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    wave = WaveFactory(number=2)
    for i in range(30):
        SiteFactory(name=f"Site {i:03d}", wave=wave)
    page = national.get(URL, {"vague": "2", "page": "8"}).content.decode()
    nav = page[page.index('class="fr-pagination') :]
    assert 'aria-current="page" title="Page 8"' in nav  # the current page is shown, not elided
    assert "vague=2&amp;page=7" in nav and "vague=2&amp;page=9" in nav and "vague=2&amp;page=15" in nav
    assert nav.count("…") == 2
    # Ids for HTMX to give the focus back to the same link in the new results (the current page's focusable
    # from the script only, when it was the one clicked).
    for ident in ("first", "previous", "7", "9", "15", "next", "last"):
        assert f'<a id="pagination-{ident}" class="fr-pagination__link' in nav
    current = 'id="pagination-8" class="fr-pagination__link" aria-current="page" title="Page 8" tabindex="-1"'
    assert current in nav
    # 23:30 UTC on 31 March is already 1 April in Paris: the table shows the day as it was in France.
    Site.objects.filter(pk=world.site_a.pk).update(
        last_activity_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    )
    assert "1er\u00a0avril\u00a02026" in _table(national.get(URL, {"q": "Quartier A"}))


def test_query_count_does_not_grow_with_the_number_of_sites(
    national, world, django_assert_max_num_queries, settings
):

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert national.get(URL, {"region": "84", "tri": "-trinome"}).status_code == 200
        return len(captured)

    few = count_queries()
    wave = WaveFactory(number=2)
    for i in range(40):
        site = SiteFactory(name=f"Quartier {i}", wave=wave, status="registering")
        MembershipFactory(site=site, role=MemberRole.MUNICIPALITY)
        services.change_status(site, "in_training", reason="x")
    many = count_queries()
    assert many == few
    # 13 queries today, the map's grouped query included (sites.geography.department_counts; 12 before it).
    with django_assert_max_num_queries(20):
        national.get(URL, {"region": "84"})


def test_facilitators_see_their_regions_without_the_crpv_filter(client, world):
    world.login(client, world.facilitator_a)
    response = client.get(URL)
    page = response.content.decode()
    assert "Tableau de bord — " in page
    assert 'name="crpv"' not in page
    assert world.site_b.name not in page
    assert client.get(reverse("home")).url == reverse("sites:list")  # their landing page is unchanged


def test_the_map_counts_the_table_s_sites_and_a_department_filters_both(national, world):
    SiteFactory(name="Quartier Loire 2", department=department("42"), status="in_training")
    page = national.get(URL, {"region": "84"}).content.decode()
    # Each department a link to the table filtered by it, the other filters kept.
    assert f'href="{URL}?region=84&amp;departement=42"' in page
    assert "<title>Loire : 2 sites (En formation : 1, Actif : 1)</title>" in page
    assert "<title>Nord : aucun site</title>" in page  # Quartier B is in the Hauts-de-France
    assert "La carte en tableau" in page

    response = national.get(URL, {"departement": "59"})

    assert [site.name for site in response.context["board"].rows] == [world.site_b.name]
    page = response.content.decode()
    assert "<title>Loire : aucun site</title>" in page and "<title>Nord : 1 site (Actif : 1)</title>" in page
    assert "Retirer le filtre Nord (59)" in page  # among the filters in force
    # The map's table: the department chosen marked as current, each a link that swaps the results with HTMX.
    row = page[page.index('<tr class="qic-map-table__selected">') :].split("</tr>")[0]
    assert 'hx-target="#dashboard-results"' in row and 'aria-current="true">Nord (59)</a></th>' in row
    assert "<td>Hauts-de-France</td>" in row and "<strong>1</strong>" in row
    assert '<input type="hidden" name="departement" value="59">' in page  # the form keeps it


def test_the_map_colours_by_wave_on_demand(national, world):
    page = national.get(URL, {"carte": "vague"}).content.decode()
    assert "Couleur : la vague la plus représentée" in page
    assert "Vague 3" in page and "<title>Loire : 1 site (Vague 3 : 1)</title>" in page
    assert national.get(URL, {"carte": "<x>"}).context["board"].map_colour == "status"


@pytest.mark.parametrize("junk", ["<script>alert(1)</script>", "4" * 5000, "99", "2C", "97"])
def test_a_malformed_department_filters_nothing(national, world, junk):
    response = national.get(URL, {"departement": junk})
    assert response.status_code == 200
    names = sorted(site.name for site in response.context["board"].rows)
    assert names == [world.site_a.name, world.site_b.name]
    page = response.content.decode()
    assert "<script>alert" not in page and 'name="departement" value' not in page
