"""The reports' pages: archive per role, asking for a roll-up or a bilan, progress, downloads, comparisons."""

import datetime as dt

import pytest
from django.urls import reverse

from evaluation.models import Report
from evaluation.reports.enums import ReportKind, ReportState
from tests.evaluation.factories import FAKE_PDF, ReportFactory, national_report


def _snapshot(site, status="Actif", seats=2, name=None):
    """A minimal frozen snapshot with one site and two facts, for comparisons."""
    return {
        "schema": 1,
        "kind": "site",
        "title": f"Bilan de {site.name}",
        "taken_at": "2026-10-01T09:00:00+02:00",
        "sections": [],
        "facts": [
            {
                "key": "status",
                "label": "Statut",
                "kind": "ordinal",
                "available": True,
                "unit": "",
                "pending": "",
                "levels": ["Intéressé", "En inscription", "En formation", "Actif", "En pause", "Retiré"],
            },
            {
                "key": "seats_filled",
                "label": "Sièges pourvus",
                "kind": "number",
                "available": True,
                "unit": "",
                "levels": [],
                "pending": "",
            },
        ],
        "sites": [
            {"id": site.pk, "name": name or site.name, "facts": {"status": status, "seats_filled": seats}}
        ],
    }


def test_archive_lists_what_each_role_may_download(client, world):
    bilan_a = ReportFactory(site=world.site_a, state=ReportState.DONE)
    ReportFactory(site=world.site_b, state=ReportState.DONE)
    national_report(state=ReportState.DONE)
    url = reverse("reports:archive")

    for role, expected in (("steering", 3), ("national", 3), ("facilitator_a", 1), ("seat_holder_a", 1)):
        world.login(client, getattr(world, role))
        page = client.get(url)
        assert page.status_code == 200
        assert len(page.context["page_obj"].object_list) == expected, role
    world.login(client, world.seat_holder_a)
    content = client.get(url).content.decode()
    assert "Bilan de Quartier A" in content and "Quartier B" not in content
    assert bilan_a.download_url() in content
    assert "Demander une synthèse" not in content
    # A partner reads the site but does not download its bilans.
    world.login(client, world.partner_a)
    assert client.get(url).context["page_obj"].paginator.count == 0


def test_navigation_shows_bilans_to_the_roles_that_may_download_them(client, world):
    for role, shown in (
        ("steering", True),
        ("facilitator_a", True),
        ("seat_holder_a", True),
        ("partner_a", False),
    ):
        world.login(client, getattr(world, role))
        labels = [item["label"] for item in client.get(reverse("sites:list")).context["nav_items"]]
        assert ("Bilans" in labels) is shown, role


def test_archive_query_count_does_not_grow_with_reports(client, world, django_assert_max_num_queries):
    world.login(client, world.steering)
    for _ in range(3):
        ReportFactory(site=world.site_a, state=ReportState.DONE)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("reports:archive"))
    for _ in range(20):
        ReportFactory(site=world.site_b, state=ReportState.DONE, requested_by=world.national)
        national_report(state=ReportState.DONE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("reports:archive")).status_code == 200


def test_lists_of_reports_leave_their_frozen_data_in_the_database(client, world):
    """A national roll-up's snapshot weighs megabytes: the archive, a site's bilans and the site page's bilan
    card show titles, dates and links, and never read it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    heavy = {"sites": [{"name": f"Site {n}", "notes": "x" * 200} for n in range(500)]}
    roll_up = national_report(state=ReportState.DONE, snapshot=heavy)
    bilan = ReportFactory(site=world.site_a, state=ReportState.DONE, snapshot=heavy)
    world.login(client, world.national)
    for url, shown in [
        (reverse("reports:archive"), roll_up.title),
        (reverse("reports:site_reports", kwargs={"site_slug": world.site_a.slug}), bilan.title),
        (world.site_a.get_absolute_url(), "Dernier bilan"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert shown in client.get(url).content.decode()
        assert not [q["sql"] for q in queries if '"evaluation_report"."snapshot"' in q["sql"]], url


def test_a_bilan_its_download_and_its_comparisons_read_only_the_frozen_data_they_compare(client, world):
    """A year of monthly national roll-ups: a roll-up's page, its download and the choice of another one to
    compare it with read none of their snapshots (megabytes each); a comparison reads the two it compares."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def heavy(month):
        return {**_snapshot(world.site_a, seats=month % 4), "notes": ["x" * 200] * 500}

    roll_ups = [
        national_report(state=ReportState.DONE, data_date=dt.date(2026, month, 1), snapshot=heavy(month))
        for month in range(1, 13)
    ]
    latest, older = roll_ups[-1], roll_ups[0]
    bilans = [
        ReportFactory(
            site=world.site_a, state=ReportState.DONE, data_date=dt.date(2026, m, 2), snapshot=heavy(m)
        )
        for m in (1, 2)
    ]

    def snapshots_read(url, params=None) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params or {})
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        read = sum('"evaluation_report"."snapshot"' in q["sql"] for q in queries)
        return read, body.decode(errors="replace")

    world.login(client, world.national)
    read, page = snapshots_read(latest.get_absolute_url())
    assert read == 0 and f'value="{older.pk}"' in page  # the others are offered, unread
    assert snapshots_read(latest.download_url())[0] == 0
    assert snapshots_read(latest.download_url("xlsx"))[0] == 0
    assert snapshots_read(latest.compare_url())[0] == 0
    read, page = snapshots_read(latest.compare_url(), {"other": older.pk})
    assert read == 2 and "Sièges pourvus" in page
    world.login(client, world.seat_holder_a)
    newer_bilan, older_bilan = bilans[1], bilans[0]
    assert snapshots_read(newer_bilan.get_absolute_url())[0] == 0
    assert snapshots_read(newer_bilan.download_url())[0] == 0
    assert snapshots_read(newer_bilan.compare_url(), {"other": older_bilan.pk})[0] == 2


def test_steering_asks_for_a_wave_roll_up_and_gets_one_report_per_day(
    client, world, django_capture_on_commit_callbacks
):
    world.login(client, world.steering)
    wave = world.site_a.wave
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request"), {"kind": "national", "wave": wave.number})
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert report.kind == ReportKind.NATIONAL and report.wave == wave and report.region is None
    assert report.requested_by == world.steering and report.state == ReportState.DONE

    response = client.post(reverse("reports:request"), {"kind": "national", "wave": wave.number}, follow=True)
    assert Report.objects.count() == 1
    assert "déjà demandée aujourd’hui" in response.content.decode()
    page = response.content.decode()
    for fmt in ("pdf", "xlsx"):
        assert reverse("reports:download", kwargs={"report_id": report.pk, "fmt": fmt}) in page

    download = client.get(reverse("reports:download", kwargs={"report_id": report.pk, "fmt": "xlsx"}))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    assert (
        client.get(reverse("reports:download", kwargs={"report_id": report.pk, "fmt": "zip"})).status_code
        == 404
    )


def test_bad_choices_are_refused_next_to_the_field(client, world):
    world.login(client, world.national)
    response = client.post(reverse("reports:request"), {"kind": "national", "wave": 99})
    assert response.status_code == 400
    assert "Cette vague n’existe pas." in response.content.decode()
    assert not Report.objects.exists()


def test_progress_is_read_from_the_database_and_served_as_a_fragment_to_htmx(client, world):
    report = national_report(state=ReportState.RUNNING, progress=40, step="Mise en page du PDF")
    world.login(client, world.steering)
    url = report.get_absolute_url()

    page = client.get(url).content.decode()
    assert 'hx-get="' + url + '"' in page and 'hx-trigger="every 1s"' in page
    assert "<h1>" in page and "40\u00a0% — Mise en page du PDF" in page

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<h1>" not in fragment and 'value="40"' in fragment

    Report.objects.filter(pk=report.pk).update(
        state=ReportState.DONE, progress=100, pdf="x.pdf", xlsx="x.xlsx"
    )
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in done  # polling stops
    assert "Document prêt" in done


def test_a_seat_holder_asks_for_the_bilan_of_their_site_and_downloads_it(
    client, world, django_capture_on_commit_callbacks
):
    world.login(client, world.seat_holder_a)
    site_page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert "Produire le bilan d’aujourd’hui" in site_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:site_reports", kwargs={"site_slug": world.site_a.slug}))
    report = Report.objects.get()
    assert response.url == report.get_absolute_url()
    assert report.site == world.site_a and report.state == ReportState.DONE

    download = client.get(report.download_url())
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert report.download_url() in client.get(world.site_a.get_absolute_url()).content.decode()


def test_a_bilan_produced_in_process_is_announced_as_ready(transactional_db, client, world):
    """Without a broker the task runs as the request commits: the message must not say it starts."""
    world.login(client, world.seat_holder_a)
    response = client.post(reverse("reports:site_reports", kwargs={"site_slug": world.site_a.slug}))
    page = client.get(response.url).content.decode()
    assert "demande enregistrée, le document est prêt." in page and "Document prêt" in page
    assert "la production commence" not in page


def test_a_bilan_left_to_the_worker_shows_its_progress_under_the_message(
    client, world, django_capture_on_commit_callbacks
):
    world.login(client, world.seat_holder_a)
    with django_capture_on_commit_callbacks(execute=False):  # sent to a worker that has not started it yet
        response = client.post(reverse("reports:site_reports", kwargs={"site_slug": world.site_a.slug}))
    page = client.get(response.url).content.decode()
    assert "demande enregistrée, la production commence." in page
    assert "En attente de production" in page and "<progress" in page and "Document prêt" not in page


def test_partners_see_no_bilan_card_and_may_not_download(client, world):
    report = ReportFactory(site=world.site_a, state=ReportState.DONE)
    world.login(client, world.partner_a)
    assert "Produire le bilan" not in client.get(world.site_a.get_absolute_url()).content.decode()
    assert client.get(report.download_url()).status_code == 403
    assert (
        client.post(reverse("reports:site_reports", kwargs={"site_slug": world.site_a.slug})).status_code
        == 403
    )
    assert not Report.objects.exclude(pk=report.pk).exists()


def test_compare_two_bilans_of_a_site_shows_what_moved(client, world):
    older = ReportFactory(
        site=world.site_a,
        state=ReportState.DONE,
        data_date=dt.date(2026, 10, 1),
        snapshot=_snapshot(world.site_a, status="En formation", seats=2),
    )
    newer = ReportFactory(
        site=world.site_a,
        state=ReportState.DONE,
        data_date=dt.date(2026, 11, 1),
        snapshot=_snapshot(world.site_a, status="Actif", seats=3),
    )
    ReportFactory(site=world.site_b, state=ReportState.DONE, snapshot=_snapshot(world.site_b))
    world.login(client, world.facilitator_a)

    detail = client.get(newer.get_absolute_url()).content.decode()
    assert "Voir ce qui a changé" in detail and f'value="{older.pk}"' in detail

    response = client.get(newer.compare_url(), {"other": older.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "En formation" in content and "Actif" in content and "en progrès" in content
    comparison = response.context["comparison"]
    assert comparison.changed_sites == 1
    assert {c.key: c.direction for c in comparison.sites[0].changes} == {"status": "up", "seats_filled": "up"}


@pytest.mark.parametrize("other", ["abc", "999999"])
def test_compare_refuses_a_report_of_another_scope(client, world, other):
    report = ReportFactory(site=world.site_a, state=ReportState.DONE, snapshot=_snapshot(world.site_a))
    foreign = ReportFactory(site=world.site_b, state=ReportState.DONE, snapshot=_snapshot(world.site_b))
    world.login(client, world.national)
    for value in (other, str(foreign.pk)):
        response = client.get(report.compare_url(), {"other": value})
        assert response.status_code == 400
        assert response.context["comparison"] is None


def test_download_of_an_unfinished_report_is_a_404(client, world):
    report = ReportFactory(site=world.site_a, state=ReportState.RUNNING)
    world.login(client, world.seat_holder_a)
    assert client.get(report.download_url()).status_code == 404
    assert FAKE_PDF  # the factory's stand-in file is only written for done reports
