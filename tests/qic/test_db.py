"""PostgreSQL runs the platform's queries as prepared statements, and a migration does not break them."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    pytest.skip("prepared statements are PostgreSQL's", allow_module_level=True)

PROBE = "qic_prepared_probe"


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_page_read_again_is_not_planned_again(world):
    client = Client()
    client.force_login(world.seat_holder_a)
    for _ in range(6):
        assert client.get(f"/sites/{world.site_a.slug}/").status_code == 200
    # The site found through the member's membership, the header's unread count: six times on this
    # connection, PostgreSQL keeps their plans.
    statements = prepared_statements()
    assert any('FROM "collectives_membership" INNER JOIN "sites_site"' in text for text in statements)
    assert any('FROM "sites_notification"' in text for text in statements)


@pytest.fixture
def probe_table(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE} (label varchar(10))")
        cursor.execute(f"INSERT INTO {PROBE} VALUES ('avant')")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PROBE}")


def read_probe(value="avant") -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT label FROM {PROBE} WHERE label = %s", [value])
        return [row[0] for row in cursor.fetchall()]


def lengthen_the_probe_elsewhere():
    """Another process migrates: the probe's column gets longer (its result type changes)."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        other.execute(f"ALTER TABLE {PROBE} ALTER COLUMN label TYPE varchar(20)")
    finally:
        other.close()


def test_a_statement_prepared_before_a_migration_is_prepared_again(probe_table):
    """Another process migrates (a longer column) while this one holds the statement prepared: the next read
    works, and so do the following ones (without the fix, each failed until the connection ended)."""
    for _ in range(6):
        assert read_probe() == ["avant"]
    assert any(PROBE in statement for statement in prepared_statements())
    lengthen_the_probe_elsewhere()
    assert read_probe() == ["avant"]
    assert read_probe() == ["avant"]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PROBE} VALUES ('après la migration')")
    assert read_probe("après la migration") == ["après la migration"]


def test_a_rollback_keeps_the_statements_prepared(transactional_db):
    """A transaction or a savepoint that rolls back (a save that met a newer version) leaves the connection's
    prepared statements in place: the next pages are not planned again (psycopg alone forgot them all)."""
    from django.db import transaction

    # A connection of its own: on one that earlier tests filled up to psycopg's `prepared_max`, a statement
    # prepared during this test would push out the least recently used one.
    connection.close()
    for _ in range(6):
        assert read_catalogue() == ["sites_site"]
    before = set(prepared_statements())
    assert any("qic_prepared_catalogue" in statement for statement in before)
    with pytest.raises(RuntimeError), transaction.atomic(), transaction.atomic():  # a savepoint
        with pytest.raises(RuntimeError), transaction.atomic():
            raise RuntimeError("rolled back to the savepoint")
        raise RuntimeError("rolled back")
    assert set(prepared_statements()) == before  # none forgotten (psycopg alone: DEALLOCATE ALL)
    assert read_catalogue() == ["sites_site"]


def read_catalogue() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class /* qic_prepared_catalogue */ WHERE relname = %s", ["sites_site"]
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_stale_plan_met_in_a_transaction_is_forgotten_at_its_rollback(probe_table):
    """Inside a transaction the stale plan's error stands (the transaction is aborted); once it has rolled
    back, the connection prepares the statement again and the next read works."""
    from django.db import NotSupportedError, transaction

    for _ in range(6):
        assert read_probe() == ["avant"]
    lengthen_the_probe_elsewhere()
    with pytest.raises(NotSupportedError), transaction.atomic():
        read_probe()
    assert not any(PROBE in statement for statement in prepared_statements())
    with transaction.atomic():
        assert read_probe() == ["avant"]


def test_the_choices_of_a_select_are_read_without_a_server_side_cursor(world, monkeypatch):
    """The bilans page's request form lists the waves and the regions. Django reads a select's rows with
    `QuerySet.iterator()`, which on PostgreSQL opened a server-side cursor: four round trips (DECLARE, FETCH,
    FETCH, CLOSE) for a statement never prepared, 3.6 ms for the regions instead of 0.8 ms."""
    opened = []
    original = psycopg.ServerCursor.execute

    def spy(cursor, query, *args, **kwargs):
        opened.append(str(query))
        return original(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.ServerCursor, "execute", spy)
    client = Client()
    client.force_login(world.national)
    page = client.get("/bilans/").content.decode()
    assert f">{world.site_a.department.region.name}</option>" in page
    assert f">{world.site_a.wave.name}" in page
    assert opened == []


def test_timestamps_are_read_by_psycopgs_loader_as_the_same_instants_in_utc(db):
    """Django's own loader parses each timestamp in Python; the connection reads them with psycopg's (in C
    where psycopg is built): the same instants, aware, in UTC, whatever the moment of the year."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from psycopg import pq

    from qic.db import TIMESTAMPTZ_OID, UtcTimestamptzLoader

    paris = ZoneInfo("Europe/Paris")
    written = [
        dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.UTC),  # the night Paris moves to summer time
        dt.datetime(2026, 7, 14, 22, 15, 30, 123456, tzinfo=paris),
        dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=paris),  # the hour Paris lives twice
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    ]
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
        cursor.execute("SELECT unnest(%s::timestamptz[]), now()", [written])
        rows = cursor.fetchall()
    assert loader is UtcTimestamptzLoader
    # As instants (Python never finds a fold=1 moment equal to one in another zone).
    assert [row[0].timestamp() for row in rows] == [value.timestamp() for value in written]
    assert rows[2][0] == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # the second 2:30, in winter time
    assert all(value.tzinfo is dt.UTC for row in rows for value in row)
    if pq.__impl__ == "binary":  # psycopg[binary], as pyproject.toml asks: its loader is the C one
        reader = UtcTimestamptzLoader(TIMESTAMPTZ_OID, cursor.cursor).load.__self__
        assert type(reader).__module__ == "psycopg_binary._psycopg"


def test_a_model_keeps_its_moments_through_the_timestamp_loader(world):
    """A journal event written on a Paris summer evening reads back as the same moment, in Paris time."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from sites import journal
    from sites.models import SiteEvent

    moment = dt.datetime(2026, 7, 14, 22, 15, 30, 123456, tzinfo=ZoneInfo("Europe/Paris"))
    event = journal.record(world.site_a, "note", "Soirée de quartier", at=moment)
    read = SiteEvent.objects.get(pk=event.pk).occurred_at
    assert read == moment
    assert timezone.localtime(read).strftime("%d/%m/%Y %H:%M:%S.%f") == "14/07/2026 22:15:30.123456"
