from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # noqa: ANN001, ANN201
    # Without Redis the "shared" cache (Zoho token, circuit state) is a DB
    # table; createcachetable is a no-op when every cache is Redis.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("sync", "0001_initial")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
