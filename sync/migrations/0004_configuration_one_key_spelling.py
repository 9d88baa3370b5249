"""tds_configuration keys take one spelling: the name of the environment setting."""
from __future__ import annotations

from django.db import migrations

RENAMES = {"tds_retry_backoff_seconds": "TDS_RETRY_BACKOFF_SECONDS",
           "tds_retry_backoff_max_seconds": "TDS_RETRY_BACKOFF_MAX_SECONDS",
           "tds_retry_max_attempts": "TDS_RETRY_MAX_ATTEMPTS", "queue_priorities": "TDS_QUEUE_PRIORITIES"}


def rename(apps, schema_editor, renames=RENAMES):  # noqa: ANN001, ANN201
    configuration = apps.get_model("sync", "Configuration")
    for old, new in renames.items():
        if not configuration.objects.filter(key=new).exists():
            configuration.objects.filter(key=old).update(key=new)


def rename_back(apps, schema_editor):  # noqa: ANN001, ANN201
    rename(apps, schema_editor, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_rate_limits_to_zoho")]
    operations = [migrations.RunPython(rename, rename_back)]
