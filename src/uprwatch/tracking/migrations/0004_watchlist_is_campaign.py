import django.db.models.deletion
from django.db import migrations, models

# The model's permissions are named after it (``add_watchlist``...). ``migrate`` creates the new ones
# only after the migrations ran, so renaming the old rows here keeps the grants that point to them.
ACTIONS = ("add", "change", "delete", "view")


def _rename_permissions(old: str, new: str):
    def rename(apps, schema_editor):
        Permission = apps.get_model("auth", "Permission")
        for action in ACTIONS:
            Permission.objects.filter(content_type__app_label="tracking", codename=f"{action}_{old}").update(
                codename=f"{action}_{new}")
    return rename


class Migration(migrations.Migration):
    """The ``Watchlist`` model becomes ``Campaign``, what every page, endpoint and command calls it.

    RenameModel renames the tables on SQLite and PostgreSQL alike (``tracking_watchlist`` →
    ``tracking_campaign``; the many-to-many tables ``tracking_watchlist_pinned``, ``_excluded`` and
    ``_states`` → ``tracking_campaign_*``, their ``watchlist_id`` column → ``campaign_id``) and points the
    foreign keys at the renamed table; the rows and their ids stay. ``contenttypes`` renames the model's
    content type itself. The notification's link column ``watchlist_id`` becomes ``campaign_id``.
    ``uprwatch restore`` maps dumps written before this migration (``reports.dump.RENAMED_MODELS``).
    """

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("records", "0002_live_sources"),
        ("tracking", "0003_evidence_visibility"),
    ]

    operations = [
        migrations.RenameModel("Watchlist", "Campaign"),
        migrations.RenameField("notification", "watchlist", "campaign"),
        migrations.AlterField(
            model_name="campaign",
            name="organisation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="campaigns",
                                    to="tracking.organisation"),
        ),
        migrations.AlterField(
            model_name="campaign",
            name="states",
            field=models.ManyToManyField(blank=True, help_text="States whose deadlines are watched",
                                         related_name="campaigns", to="records.state"),
        ),
        migrations.RunPython(_rename_permissions("watchlist", "campaign"),
                             _rename_permissions("campaign", "watchlist")),
    ]
