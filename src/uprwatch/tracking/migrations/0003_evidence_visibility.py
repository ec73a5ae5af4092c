from django.db import migrations, models


class Migration(migrations.Migration):
    """Evidence gets a visibility of its own. Evidence stored before this was already public whenever
    what it backs was, so existing rows become ``published``; new evidence starts as a draft."""

    dependencies = [("tracking", "0002_job_running")]

    operations = [
        migrations.AddField(
            model_name="evidenceitem",
            name="visibility",
            field=models.CharField(choices=[("private", "private"), ("published", "published")],
                                   default="published", max_length=10),
        ),
        migrations.AlterField(
            model_name="evidenceitem",
            name="visibility",
            field=models.CharField(choices=[("private", "private"), ("published", "published")],
                                   default="private", max_length=10),
        ),
        migrations.AddField(
            model_name="evidenceitem",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AlterModelOptions(
            name="evidenceitem",
            options={"ordering": ["date", "id"], "verbose_name": "evidence"},
        ),
    ]
