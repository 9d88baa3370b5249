from django.db import migrations, models


class Migration(migrations.Migration):
    """Adopts tds_rate_limits, which the sync app created: state only, the table is not touched."""

    initial = True
    dependencies = [("sync", "0002_shared_cache_table")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateLimitWindow",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("key", models.CharField(max_length=128, unique=True)),
                        ("window_start", models.DateTimeField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={"db_table": "tds_rate_limits"},
                ),
            ],
            database_operations=[],
        ),
    ]
