from django.db import migrations


class Migration(migrations.Migration):
    """The pacing table now belongs to the zoho app; the table and its rows stay as they are."""

    dependencies = [("sync", "0002_shared_cache_table"), ("zoho", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateLimitWindow")], database_operations=[]),
    ]
