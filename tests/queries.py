"""What the SQL of a test's queries reads: the columns of their SELECT lists (not those of their conditions,
joins or computed values), to check that a page leaves the texts it does not show in the database."""

import re


def columns_read(queries, *columns: str) -> list[str]:
    """Which of `columns` ('"table"."column"') the captured `queries` read as columns, once per query."""
    pattern = re.compile(r"(?:SELECT |, )({})(?=,| FROM)".format("|".join(re.escape(c) for c in columns)))
    selects = (query["sql"].split(" FROM ", 1)[0] + " FROM" for query in queries)
    return [match.group(1) for select in selects for match in pattern.finditer(select)]
