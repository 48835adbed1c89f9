"""PostgreSQL: keep the tsvector of ``search_text`` in a stored generated column and
index that, so a search filtered by agency compares stored vectors instead of
computing ``to_tsvector`` for every row of the agency (seen in bench_incoming: the
recheck dominated). SQLite keeps its FTS5 table."""

from django.db import migrations

UP = [
    "ALTER TABLE documents_incomingdocument ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS documents_search_vector_gin ON documents_incomingdocument "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS documents_search_gin",
]
DOWN = [
    "CREATE INDEX IF NOT EXISTS documents_search_gin ON documents_incomingdocument "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
    "DROP INDEX IF EXISTS documents_search_vector_gin",
    "ALTER TABLE documents_incomingdocument DROP COLUMN IF EXISTS search_vector",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_types_and_search_index"),
    ]

    operations = [
        migrations.RunPython(up, down),
    ]
