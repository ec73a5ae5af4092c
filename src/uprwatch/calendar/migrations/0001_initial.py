from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="FeedEvent",
            fields=[
                ("uid", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(max_length=64)),
                ("sequence", models.PositiveIntegerField(default=0)),
                ("created", models.DateTimeField()),
                ("last_modified", models.DateTimeField()),
            ],
            options={
                "ordering": ["uid"],
            },
        ),
    ]
