"""Two transactions that change one site's progress facts at the same moment both reach the stored facts
(a module of its own: a transactional test cannot share a module with `demo_seeded_once`'s transaction)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from evaluation.models import SelfAssessment
from sites import progress
from sites.models import SiteProgress
from tests.sites.factories import SiteFactory


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no two at once")
@pytest.mark.django_db(transaction=True)
def test_two_writes_at_the_same_moment_both_reach_the_facts():
    """Two transactions change one site's facts at once (here two self-assessments saved as the admin does,
    with no service lock): the second recomputes after the first commits, so the stored facts hold both
    (each used to read its own snapshot, and the last to write stored facts that missed the other's)."""
    site = SiteFactory()
    first_wrote = threading.Event()
    errors = []

    def later_assessment_held_open():
        try:
            with transaction.atomic():
                SelfAssessment.objects.create(site=site, assessed_on=dt.date(2026, 6, 1), continuum_level=4)
                first_wrote.set()
                # Commit only once the other transaction waits on this one.
                deadline = time.monotonic() + 20
                while not _someone_waits_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.02)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    def earlier_assessment_meanwhile():
        try:
            first_wrote.wait(20)
            SelfAssessment.objects.create(site=site, assessed_on=dt.date(2026, 5, 4), continuum_level=2)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=later_assessment_held_open),
        threading.Thread(target=earlier_assessment_meanwhile),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    facts = SiteProgress.objects.get(site=site)
    assert (str(facts.last_assessed_on), facts.continuum_level) == ("2026-06-01", 4)
    assert progress.stale() == {}


def _someone_waits_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot of the activity
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0
