"""The full-text index of practices: an FTS5 table on SQLite, a GIN index on PostgreSQL.

The FTS5 table also carries each practice's benchmark, city and key factor ids (not indexed), so
that one full-text query returns everything ranking and facet counts need.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE practices_practice_fts USING fts5("
            "title, summary, context, benchmark_id UNINDEXED, city_id UNINDEXED, factor_ids UNINDEXED, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX practices_practice_search_gin ON practices_practice USING gin (search_vector)"
        )


def drop_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS practices_practice_fts")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS practices_practice_search_gin")


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
