"""The full-text index of other mechanisms' texts (FTS5 on SQLite, a tsvector table on PostgreSQL)."""

from django.db import migrations


def create(apps, schema_editor):
    from uprwatch.sources.mechanisms import create_schema

    create_schema(schema_editor.connection.cursor(), schema_editor.connection.vendor)


def drop(apps, schema_editor):
    from uprwatch.sources.mechanisms import drop_schema

    drop_schema(schema_editor.connection.cursor(), schema_editor.connection.vendor)


class Migration(migrations.Migration):
    # search 0002 creates PostgreSQL's uprwatch_english configuration this index uses
    dependencies = [("sources", "0001_initial"), ("search", "0002_postgres_keeps_stop_words")]
    operations = [migrations.RunPython(create, drop)]
