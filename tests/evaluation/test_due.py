"""What is due per site (site page, staff list) and the weekly digest, sent once per person and week."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from evaluation import digest
from evaluation.due import due_by_site, due_for_site
from evaluation.models import DigestPreference, DigestSent, Measurement, SelfAssessment
from evaluation.tasks import weekly_digests
from sites.models import Site
from tests.evaluation.factories import cycle_for, indicator_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def _kinds(items):
    return sorted(item.kind for item in items)


def test_a_site_sees_each_kind_of_due_item(world):
    site = world.site_a  # civil-society seat only, no agreement, no self-assessment
    indicator = indicator_for(site, baseline_on=dt.date(2026, 1, 15), frequency="3")
    Measurement.objects.create(indicator=indicator, site=site, measured_on=dt.date(2026, 6, 1), value=20)
    cycle_for(site, ends_on=dt.date(2026, 10, 31))
    cycle_for(site, title="Cycle en cours", ends_on=dt.date(2026, 12, 31))
    items = due_for_site(site, today=TODAY)
    assert _kinds(items) == ["agreement", "cycle", "measurement", "seat", "seat", "self_assessment"]
    texts = " | ".join(item.text for item in items)
    assert "Siège à pourvoir : délégué·e du préfet" in texts and "Siège à pourvoir : collectivité" in texts
    assert "Cycle d’évaluation « Printemps 2026 » à clore" in texts and "Cycle en cours" not in texts
    measurement = next(item for item in items if item.kind == "measurement")
    assert measurement.on == dt.date(2026, 9, 1) and measurement.overdue


def test_the_next_self_assessment_is_due_six_months_after_the_last(world):
    site = world.site_a
    assessment = SelfAssessment.objects.create(site=site, assessed_on=dt.date(2026, 7, 1), continuum_level=4)
    assert "self_assessment" not in _kinds(due_for_site(site, today=TODAY))
    assessment.assessed_on = dt.date(2026, 5, 1)
    assessment.save()
    item = next(i for i in due_for_site(site, today=TODAY) if i.kind == "self_assessment")
    assert item.on == dt.date(2026, 11, 1) and item.overdue
    assessment.assessed_on = dt.date(2026, 6, 10)
    assessment.save()
    item = next(i for i in due_for_site(site, today=TODAY) if i.kind == "self_assessment")
    assert item.on == dt.date(2026, 12, 10) and not item.overdue  # upcoming within a month


def test_sites_not_yet_working_have_nothing_due(world):
    Site.objects.filter(pk=world.site_a.pk).update(status="registering")
    assert due_for_site(Site.objects.get(pk=world.site_a.pk), today=TODAY) == []


def test_due_by_site_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for site in (world.site_a, world.site_b):
        for index in range(5):
            indicator_for(site, name=f"Indicateur {index}")
            cycle_for(
                site, title=f"Cycle {index}", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 1, 1)
            )
    with django_assert_max_num_queries(5):
        due = due_by_site(Site.objects.all(), today=TODAY)
    assert len(due[world.site_a.pk]) == len(due[world.site_b.pk]) > 10


def test_site_page_and_staff_list_show_what_is_due(client, world):
    world.login(client, world.partner_a)
    page = client.get(reverse("sites:detail", args=[world.site_a.slug])).content.decode()
    assert "À faire" in page and "Première auto-évaluation à faire" in page
    world.login(client, world.facilitator_a)
    page = client.get(reverse("evaluation:due")).content.decode()
    assert world.site_a.name in page and "Entente de coopération pas encore signée" in page
    assert world.site_b.name not in page
    world.login(client, world.national)
    page = client.get(reverse("evaluation:due")).content.decode()
    assert world.site_a.name in page and world.site_b.name in page


def test_weekly_digest_goes_once_per_person_and_week(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        weekly_digests.delay()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # National staff, the CRPV of site A's region, the two seat holders; not the partner, not the outsider.
    assert recipients == sorted(
        [
            world.national.email,
            world.facilitator_a.email,
            world.seat_holder_a.email,
            world.seat_holder_b.email,
        ]
    )
    to_seat_a = next(m for m in mail.outbox if m.to == [world.seat_holder_a.email])
    assert world.site_a.name in to_seat_a.body and world.site_b.name not in to_seat_a.body
    assert "Première auto-évaluation à faire" in to_seat_a.body
    assert reverse("evaluation:digest_preferences") in to_seat_a.body
    to_national = next(m for m in mail.outbox if m.to == [world.national.email])
    assert world.site_a.name in to_national.body and world.site_b.name in to_national.body
    week = digest.week_of(timezone.localdate())
    assert DigestSent.objects.filter(week=week).count() == 4
    # The task runs again (a retry, a second beat): nobody gets a second email.
    with django_capture_on_commit_callbacks(execute=True):
        weekly_digests.delay()
    assert len(mail.outbox) == 4


def test_a_failed_send_is_retried_without_a_duplicate(world, monkeypatch):
    week = digest.week_of(timezone.localdate())

    def broken(*args, **kwargs):
        raise OSError("SMTP indisponible")

    monkeypatch.setattr(digest, "_send", broken)
    with pytest.raises(OSError):
        digest.send_digest(world.seat_holder_a.pk, week)
    assert not DigestSent.objects.exists()  # the mark rolled back with the failure
    monkeypatch.undo()
    assert digest.send_digest(world.seat_holder_a.pk, week) is True
    assert digest.send_digest(world.seat_holder_a.pk, week) is False
    assert len(mail.outbox) == 1


def test_a_person_opts_out_in_their_profile(client, world):
    world.login(client, world.seat_holder_a)
    url = reverse("evaluation:digest_preferences")
    assert client.get(url).context["form"].initial["receive"] is True
    assert client.post(url, {}).status_code == 302  # unticked box: no more digest
    assert DigestPreference.objects.get(user=world.seat_holder_a).opted_out
    assert world.seat_holder_a.pk not in digest.recipient_ids()
    assert digest.send_digest(world.seat_holder_a.pk, digest.week_of(TODAY)) is False
    client.post(url, {"receive": "on"})
    assert world.seat_holder_a.pk in digest.recipient_ids()


def test_the_weekly_schedule_exists(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name=digest.SCHEDULE_NAME)
    assert task.task == "evaluation.weekly_digests" and task.crontab.day_of_week == "1"
    assert digest.ensure_schedule() == (task, False)
