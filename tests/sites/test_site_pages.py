"""The site page of the Foundation: identity, trinôme with vacant seats, history."""

import datetime as dt

from django.urls import reverse

from collectives.enums import MemberRole
from tests.collectives.factories import MembershipFactory, UserFactory
from tests.sites.factories import SiteFactory


def test_site_page_shows_the_trinome_and_marks_vacant_seats(client, world):
    client.force_login(world.partner_a)
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Quartier A" in page
    assert world.seat_holder_a.get_full_name() in page
    assert page.count("Siège vacant") == 2  # only the civil-society seat is held


def test_site_page_keeps_former_seat_holders_in_the_history(client, world):
    former = UserFactory(first_name="Pascal", last_name="Vidal")
    MembershipFactory(
        site=world.site_a,
        user=former,
        role=MemberRole.PREFECT_DELEGATE,
        started_on=dt.date(2022, 4, 1),
        ended_on=dt.date(2024, 8, 31),
    )
    client.force_login(world.national)
    page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Pascal Vidal" in page
    assert "31 août 2024" in page


def test_site_list_query_count_does_not_grow_with_sites(client, world, django_assert_max_num_queries):
    client.force_login(world.national)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sites:list"))
    SiteFactory.create_batch(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("sites:list"))
    assert response.status_code == 200


def test_the_site_list_offers_filters_only_where_there_is_something_to_filter(client, world):
    """A trinôme member's list holds their site: no wave and region filters to choose from; national staff's
    list of the programme has them, and a filter in force stays on screen to be changed."""
    client.force_login(world.seat_holder_a)
    assert 'id="filter-wave"' not in client.get(reverse("sites:list")).content.decode()
    assert 'id="filter-wave"' in client.get(reverse("sites:list"), {"vague": "1"}).content.decode()
    SiteFactory.create_batch(10)
    client.force_login(world.national)
    assert 'id="filter-wave"' in client.get(reverse("sites:list")).content.decode()


def test_site_list_counts_the_current_trinome_seats_of_each_site(client, world):
    """Seats are counted for the page shown: a held seat counts, a former holder and a partner do not."""
    full = SiteFactory(name="Quartier complet", wave=world.site_a.wave)
    for seat in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY):
        MembershipFactory(site=full, role=seat)
    partial = SiteFactory(name="Quartier partiel", wave=world.site_a.wave)
    MembershipFactory(site=partial, role=MemberRole.MUNICIPALITY)
    MembershipFactory(site=partial, role=MemberRole.PARTNER)
    MembershipFactory(
        site=partial,
        role=MemberRole.CIVIL_SOCIETY,
        started_on=dt.date(2023, 1, 1),
        ended_on=dt.date(2024, 1, 1),
    )
    client.force_login(world.national)
    page = client.get(reverse("sites:list"), {"vague": world.site_a.wave.number}).content.decode()
    rows = {
        name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Quartier complet", "Quartier partiel")
    }
    assert "Complet" in rows["Quartier complet"]
    assert "1/3" in rows["Quartier partiel"] and "Complet" not in rows["Quartier partiel"]


def test_site_page_reads_a_fixed_number_of_queries_whatever_the_sites_history(client, world):
    """The trinôme's landing page gathers its panels in the view: its cost does not grow with the site's
    members, sessions or journal."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.sessions.factories import at, make_session

    client.force_login(world.national)
    url = world.site_a.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for index in range(6):
        MembershipFactory(site=world.site_a, role=MemberRole.PARTNER)
        make_session([world.site_a], title=f"Module {index}", starts_at=at(days=index - 3))
    assert count() == few
    assert few <= 30


def test_a_seat_holders_site_page_reads_its_site_and_rights_in_one_query(client, world):
    """The trinôme lands here: the site and the membership that lets them see it come in one query, the
    navigation's "Bilans" entry and the bilans panel reuse those rights; the agreement panel and "À faire"
    read the site's progress facts, which come with it. 15 queries: session, user, site with its rights and
    progress facts, memberships (seats), "À faire" (2: indicators, cycles), the sessions card (its balance
    and next session at once), bilan, backbone, invitations, prerequisites, journal, status history, the
    header's count of unread notifications (issue 18), the public page's publication state (issue 19); and
    the adopted vision's version once the progress facts say there is one (none here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.seat_holder_a)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(world.site_a.get_absolute_url())
    assert response.status_code == 200
    assert "Bilans" in response.content.decode()
    assert len(captured) == 15, "\n".join(q["sql"][:120] for q in captured)


def _queries_while_templates_render(client, url, monkeypatch) -> list[str]:
    """The queries run while the page's templates render: a lazy queryset read by a template."""
    from django.db import connection
    from django.template import base

    depth, seen = [0], []
    render = base.Template.render

    def counting_render(self, context):
        depth[0] += 1
        try:
            return render(self, context)
        finally:
            depth[0] -= 1

    def record(execute, sql, params, many, context):
        if depth[0]:
            seen.append(sql)
        return execute(sql, params, many, context)

    monkeypatch.setattr(base.Template, "render", counting_render)
    with connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200
    return seen


def test_the_site_page_and_the_lists_are_gathered_by_their_views(client, world, monkeypatch):
    """Issue 16: a page's view gathers what it shows. While the templates render, the only query left is the
    header's unread count (read only by pages that show it): the journal, the status history, the latest
    bilan's link, a list's page of rows and its filters' choices are read in the view."""
    from evaluation.reports.enums import ReportState
    from sites import journal
    from sites.enums import EventKind
    from tests.evaluation.factories import ReportFactory

    journal.record(world.site_a, EventKind.MEMBER_JOINED, "Arrivée au collectif", actor=world.seat_holder_a)
    ReportFactory(site=world.site_a, state=ReportState.DONE)  # the bilan card and its download link
    pages = [
        (world.seat_holder_a, world.site_a.get_absolute_url()),
        (world.national, world.site_a.get_absolute_url()),
        (world.national, reverse("sites:list")),
        (world.national, reverse("sites:status", kwargs={"site_slug": world.site_a.slug})),
        (world.national, reverse("sites:journal", kwargs={"site_slug": world.site_a.slug})),
        (world.national, reverse("sessions:list")),
        (world.national, reverse("notifications:list")),
    ]
    for user, url in pages:
        client.force_login(user)
        queries = _queries_while_templates_render(client, url, monkeypatch)
        assert [sql for sql in queries if "sites_notification" not in sql] == [], (user, url, queries)


def test_a_sites_pages_sort_its_own_rows_without_joining_the_sites(
    client, world, django_assert_max_num_queries
):
    """Memberships and agreements sort by their site's name by default: on a page of one site, that was a
    join of the sites in each of their queries, for an order that cannot change. The trinôme's pages and
    their header read their seats, versions and sites without it."""
    client.force_login(world.seat_holder_a)
    slug = world.site_a.slug
    paths = [f"/sites/{slug}/", f"/sites/{slug}/vision/", f"/sites/{slug}/entente/", "/notifications/"]
    for path in paths:
        with django_assert_max_num_queries(40) as queries:
            assert client.get(path).status_code == 200
        sorted_by_site = [
            query["sql"]
            for query in queries.captured_queries
            if 'ORDER BY "sites_site"."name"' in query["sql"]
            and not query["sql"].split(" FROM ", 1)[1].startswith('"sites_site"')
        ]
        assert sorted_by_site == [], path
