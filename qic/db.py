"""PostgreSQL connections with prepared statements (settings: `QIC_DB_PREPARED`).

psycopg prepares a statement once its connection has run it five times, and PostgreSQL then reuses its plan.
A plan prepared before a migration changed a column's type (even a longer `varchar`) fails with "cached plan
must not change result type" on every later run on that connection, until the connection ends: psycopg
forgets its prepared statements on a rollback, which a read outside a transaction never makes. The cursor
below makes the connection forget them and runs the statement again, once: the first page a process serves
after such a migration works like the others. Inside a transaction the error stands (the transaction is
aborted): its rollback makes psycopg forget them.
"""

import psycopg
from psycopg import errors, pq

STALE_PLAN = "cached plan must not change result type"


class PreparedCursor(psycopg.Cursor):
    """The cursor of every query (server-side binding, as Django's `server_side_binding` option)."""

    def execute(self, query, params=None, **kwargs):
        try:
            return super().execute(query, params, **kwargs)
        except errors.FeatureNotSupported as error:
            in_transaction = self.connection.info.transaction_status != pq.TransactionStatus.IDLE
            if STALE_PLAN not in str(error) or in_transaction:
                raise
        # Outside a transaction: the failed statement changed nothing. "DEALLOCATE ALL" drops the connection's
        # prepared statements on the server, and psycopg, seeing the command, forgets them too.
        self.connection.execute("DEALLOCATE ALL")
        return super().execute(query, params, **kwargs)
