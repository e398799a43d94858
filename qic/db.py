"""PostgreSQL connections with prepared statements (settings: `QIC_DB_PREPARED`).

psycopg prepares a statement once its connection has run it five times, and PostgreSQL then reuses its plan.

A plan prepared before a migration changed a column's type (even a longer `varchar`) fails with "cached plan
must not change result type" on every later run on that connection, until the connection forgets it. The
cursor below makes the connection forget them and runs the statement again, once: the first page a process
serves after such a migration works like the others. Inside a transaction the error stands (the transaction
is aborted), and its rollback makes the connection forget them.

psycopg itself forgets every prepared statement of a connection (DEALLOCATE ALL) at each rollback, a
savepoint's included, in case the transaction had created a table that a statement reads. The platform
creates no table outside its migrations, and PostgreSQL prepares a statement's plan again by itself when a
table it reads changes (only a changed result type fails, handled above). Under `make load`, the vision
saves that meet a newer version (a conflict rolls back) made each web process forget its statements every
few seconds: half of the statements were planned again, and planning took as long as running them (17.7 s of
planning for 17.9 s of execution). `KeptStatements` keeps them across rollbacks; DROP, ALTER, DISCARD ALL and
DEALLOCATE ALL still clear them, as does a stale plan met in a transaction (at its rollback).

Timestamps are read by psycopg's own loader (`UtcTimestamptzLoader`), written in C, instead of Django's,
written in Python: Django's parses each value in Python only to set the time zone it already has.
"""

import datetime as dt
import re

import psycopg
from django.db.backends.signals import connection_created
from psycopg import errors, pq
from psycopg._preparing import Prepare, PrepareManager
from psycopg.adapt import Loader
from psycopg.postgres import types as pg_types

STALE_PLAN = "cached plan must not change result type"
_CLEARING = re.compile(rb"^(?:DROP|ALTER|DISCARD ALL|DEALLOCATE ALL)\b").match


class KeptStatements(PrepareManager):
    """A connection's prepared statements, kept when a transaction or a savepoint rolls back."""

    def __init__(self, previous: PrepareManager):
        super().__init__()
        self.__dict__.update(previous.__dict__)  # the statements prepared so far, their names' counter
        self.stale = False  # a stale plan was met in a transaction: forget them all at its rollback

    def clear(self) -> bool:
        """Called by psycopg at each rollback, and below for the commands that change tables."""
        if not self.stale:
            return False
        self.stale = False
        return super().clear()

    def _should_discard(self, prep, results) -> bool:
        if self._names or prep == Prepare.SHOULD:
            for result in results:
                status = result.command_status if result.status == pq.ExecStatus.COMMAND_OK else None
                if status and _CLEARING(status):
                    self.stale = True
                    return self.clear()
        return False


class PreparedCursor(psycopg.Cursor):
    """The cursor of every query (server-side binding, as Django's `server_side_binding` option)."""

    def __init__(self, connection, *args, **kwargs):
        super().__init__(connection, *args, **kwargs)
        if not isinstance(connection._prepared, KeptStatements):
            connection._prepared = KeptStatements(connection._prepared)

    def execute(self, query, params=None, **kwargs):
        try:
            return super().execute(query, params, **kwargs)
        except errors.FeatureNotSupported as error:
            in_transaction = self.connection.info.transaction_status != pq.TransactionStatus.IDLE
            if STALE_PLAN not in str(error):
                raise
            if in_transaction:
                self.connection._prepared.stale = True  # forgotten at the transaction's rollback
                raise
        # Outside a transaction: the failed statement changed nothing. "DEALLOCATE ALL" drops the connection's
        # prepared statements on the server, and psycopg, seeing the command, forgets them too.
        self.connection.execute("DEALLOCATE ALL")
        return super().execute(query, params, **kwargs)


TIMESTAMPTZ_OID = pg_types["timestamptz"].oid
_PSYCOPG_TIMESTAMPTZ = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)  # the C one when built


class UtcTimestamptzLoader(Loader):
    """`timestamptz` values read by psycopg's loader: in the connection's time zone, which Django sets to UTC
    (USE_TZ, no TIME_ZONE of the database), so the same values as Django's loader gives.

    Django registers its own loader on every connection (`BaseTzLoader`): psycopg's pure-Python parser, then
    `replace(tzinfo=UTC)`, about 9 µs a value here, where psycopg's C loader takes under 1 µs. Measured: 8,000
    timestamps read in 75 ms instead of 7.6 ms; the dashboard's page reads about 500 of them, the journal
    and the vision workspace many too. `timezone` is the attribute Django checks before registering its own
    loader on a cursor (when it differs from its connection's zone)."""

    timezone = dt.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.load = _PSYCOPG_TIMESTAMPTZ(oid, context).load  # called by psycopg's row reader for each value

    def load(self, data):  # replaced by the instance's, above (the class must define it)
        raise NotImplementedError


def _read_timestamps_in_c(sender, connection, **kwargs) -> None:
    """On each new PostgreSQL connection whose time zone Django keeps in UTC."""
    if connection.vendor != "postgresql" or connection.timezone is not dt.UTC:
        return
    adapters = connection.connection.adapters
    if getattr(adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT), "timezone", None) is dt.UTC:
        adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)


def connect() -> None:
    connection_created.connect(_read_timestamps_in_c, dispatch_uid="qic.db.timestamps")
