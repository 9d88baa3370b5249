"""API tokens move from DRF's authtoken table (keys in clear) to django-rest-knox's (digests).

Every existing key keeps working: its SHA-512 digest and first characters go into knox_authtoken
with its creation time and an expiry TDS_API_TOKEN_DAYS from now, and the clear row is deleted.
The emptied authtoken_token table is left in place: rest_framework.authtoken is no longer
installed, so no migration of ours owns it, and a project that installs it again finds it as
its migrations left it. Irreversible in effect: the clear keys are gone, so going back moves nothing.
"""
from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

CLEAR_TABLE = "authtoken_token"


def _moment(value: Any) -> Any:
    """A timestamp as a raw cursor returns it (SQLite: text in UTC) made an aware datetime."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment or timezone.now()


def move_clear_tokens(apps: Any, schema_editor: Any) -> None:
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    connection = schema_editor.connection
    if CLEAR_TABLE not in connection.introspection.table_names():
        return
    quoted = connection.ops.quote_name(CLEAR_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {quoted}")  # noqa: S608
        rows = cursor.fetchall()
    auth_token = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + timedelta(days=int(getattr(settings, "TDS_API_TOKEN_DAYS", 90)))
    for key, user_id, created in rows:
        digest = hash_token(key)
        auth_token.objects.update_or_create(
            digest=digest, defaults={"token_key": key[:CONSTANTS.TOKEN_KEY_LENGTH], "user_id": user_id,
                                     "expiry": expiry})
        # created is auto_now_add: the original moment is written after the row exists.
        auth_token.objects.filter(digest=digest).update(created=_moment(created))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0008_audit_entries_plural"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(move_clear_tokens, migrations.RunPython.noop, elidable=False),
    ]
