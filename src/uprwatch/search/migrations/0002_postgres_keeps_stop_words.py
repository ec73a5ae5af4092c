"""PostgreSQL: index with a Snowball English configuration that keeps stop words, as FTS5 does.

The stemmed vectors built with PostgreSQL's "english" configuration lack the stop words, so they are
cleared; ``uprwatch init`` (or ``uprwatch index``) refills them, as it does whenever the index is short.
Nothing to do on SQLite.
"""

from django.db import migrations


def keep_stop_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from uprwatch.search.backends import POSTGRES_TEXT_CONFIG

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(POSTGRES_TEXT_CONFIG)
        cursor.execute("DELETE FROM search_text")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_full_text_tables")]
    operations = [migrations.RunPython(keep_stop_words, migrations.RunPython.noop)]
