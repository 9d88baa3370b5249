"""The time of an alert's last notice failure, and an index for the newest notice."""
from django.db import migrations, models


def date_old_failures(apps, schema_editor):  # noqa: ANN001, ANN201
    # Until now notify_error held the failures of the last notice only: they happened at notified_at.
    Alert = apps.get_model("sync", "Alert")  # noqa: N806
    Alert.objects.exclude(notify_error="").update(notify_failed_at=models.F("notified_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0010_audit_actor"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="notify_failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["notified_at"], name="tds_alerts_notified_idx"),
        ),
        migrations.RunPython(date_old_failures, migrations.RunPython.noop),
    ]
