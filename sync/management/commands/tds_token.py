"""manage.py tds_token create|revoke|list [--user NAME]: API tokens for scripts and apps.

create prints a new key once (only its digest is stored, so it can never be shown again) and refuses
when the user already has a live token: --rotate replaces it. --expires-days sets its lifetime
(default TDS_API_TOKEN_DAYS). revoke deletes the user's tokens (they stop working at once); list
shows user, role, the key's first characters, created and expiry, never a key. The admin manages the
same tokens (Knox › Auth tokens). Send the key as "Authorization: Token <key>" or "Bearer <key>".
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sync.api import tokens

MAX_DAYS = 3650


def _days(value: str) -> int:
    days = int(value)
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(value)
    return days


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"


class Command(BaseCommand):
    help = "Create, revoke or list API tokens (Authorization: Token|Bearer <key>)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("--user", metavar="NAME", help="username (required for create and revoke)")
        parser.add_argument("--rotate", action="store_true", help="create: replace the user's tokens")
        parser.add_argument("--expires-days", type=_days, metavar="N",
                            help=f"create: days the key works (1-{MAX_DAYS}; default TDS_API_TOKEN_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, name = options["action"], options["user"]
        if action == "list":
            self._list(name)
            return
        if not name:
            raise CommandError(f"{action} needs --user NAME")
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no user {name!r} (create one with manage.py createsuperuser or in the admin)")
        if action == "create":
            self._create(user, rotate=options["rotate"], days=options["expires_days"])
            return
        revoked = tokens.tokens_revoke(user=user)
        if not revoked:
            raise CommandError(f"{name} has no token")
        self.stdout.write(f"revoked the token of {name}" if revoked == 1 else f"revoked the {revoked} tokens of {name}")

    def _create(self, user: Any, *, rotate: bool, days: int | None) -> None:
        live = tokens.tokens_live(user=user).order_by("-created").first()
        if live is not None and not rotate:
            raise CommandError(
                f"{user.username} already has a token ({tokens.token_prefix(live)}, expires {_when(live.expiry)}); "
                "its key was shown when it was made and cannot be shown again: --rotate replaces it")
        # Without --rotate the user has expired tokens at most: they go too.
        token, key = tokens.token_rotate(user=user, days=days or settings.TDS_API_TOKEN_DAYS)
        self.stdout.write(key)
        role = "staff" if user.is_staff else "user"
        self.stderr.write(f"{'new' if rotate else 'created'} token for {user.username} ({role}), expires "
                          f"{_when(token.expiry)}; the key is shown only this once")

    def _list(self, name: str | None) -> None:
        now = timezone.now()
        for token in tokens.tokens_listed(username=name):
            role = "staff" if token.user.is_staff else "user"
            expiry = f"expired {_when(token.expiry)}" if tokens.token_expired(token, now=now) \
                else f"expires {_when(token.expiry)}"
            self.stdout.write(f"{token.user.username}\t{role}\t{tokens.token_prefix(token)}\t"
                              f"created {_when(token.created)}\t{expiry}")
