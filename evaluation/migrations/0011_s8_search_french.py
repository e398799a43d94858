"""The platform's search in French (issue 18), PostgreSQL only (SQLite matches normalised text, see
`evaluation.search`): the `unaccent` extension, the `qic_french` text search configuration (French stemming of
words whose accents are removed first) and one GIN index per searched table on the very expression the search
queries (`evaluation.search.Document`). The learning log's index moves from its stored column to the same
kind of expression, and
its stored copies of its text go."""

from django.db import migrations

CONFIG = "qic_french"
# Table and columns, as `evaluation.search.FIELDS` lists them (keep both in step; tests/search checks that each
# kind's query uses its index).
INDEXES = {
    "qic_search_site_gin": ("sites_site", ("name", "communes", "qpv_code")),
    "qic_search_user_gin": ("collectives_user", ("first_name", "last_name")),
    "qic_search_session_gin": ("collectives_session", ("title", "place", "agenda")),
    "evaluation_learning_search_gin": (
        "evaluation_learningentry",
        ("title", "what_happened", "what_we_learned", "what_we_change", "tags"),
    ),
    "qic_search_indicator_gin": ("evaluation_indicator", ("name", "data_source")),
    "qic_search_agreement_gin": ("collectives_agreementsection", ("text",)),
}


def _expression(columns) -> str:
    joined = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, ({joined}))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        f"""DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
              ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
          END IF;
        END $$"""
    )
    # The learning log's former index, on its stored `search_vector` column.
    schema_editor.execute("DROP INDEX IF EXISTS evaluation_learning_search_gin")
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({_expression(columns)})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS evaluation_learning_search_gin ON evaluation_learningentry "
        "USING gin (search_vector)"
    )
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0010_t15_concurrency_versioned_learning_measurement"),
        ("collectives", "0007_t15_sanitise_text_limits"),
        ("sites", "0011_s7_status_journal_from"),
    ]

    operations = [
        migrations.RunPython(create, drop),
        # The learning log's stored copies of its text (SQLite's normalised text, PostgreSQL's tsvector).
        migrations.RemoveField(model_name="learningentry", name="search_text"),
        migrations.RemoveField(model_name="learningentry", name="search_vector"),
    ]
