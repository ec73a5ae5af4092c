"""The full-text tables (FTS5 virtual tables on SQLite, a tsvector table on PostgreSQL).

They are filled by ``uprwatch init`` / ``uprwatch index`` and kept current by the
``recommendations_changed`` receiver (see ``uprwatch.search.indexing``).
"""

from django.db import migrations


def create(apps, schema_editor):
    from uprwatch.search.backends import get_backend

    get_backend(schema_editor.connection.vendor).create_schema(schema_editor.connection.cursor())


def drop(apps, schema_editor):
    from uprwatch.search.backends import get_backend

    get_backend(schema_editor.connection.vendor).drop_schema(schema_editor.connection.cursor())


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
