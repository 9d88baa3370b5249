"""manage.py tds_token create|revoke|list [--user NAME]: API tokens for scripts and apps.

create prints the user's key (an existing key is kept; --rotate replaces it), revoke deletes it
(the key stops working at once), list shows users with a token (never the full key). The same
tokens can be managed in the admin under Auth Token › Tokens. Send the key as
"Authorization: Token <key>" or "Authorization: Bearer <key>".
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Create, revoke or list API tokens (Authorization: Token|Bearer <key>)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("--user", metavar="NAME", help="username (required for create and revoke)")
        parser.add_argument("--rotate", action="store_true", help="create: replace an existing key")

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
            if options["rotate"]:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
            role = "staff" if user.is_staff else "user"
            self.stdout.write(token.key)
            self.stderr.write(f"{'created' if created else 'existing'} token for {name} ({role})")
        else:
            deleted, _ = Token.objects.filter(user=user).delete()
            if not deleted:
                raise CommandError(f"{name} has no token")
            self.stdout.write(f"revoked the token of {name}")

    def _list(self, name: str | None) -> None:
        tokens = Token.objects.select_related("user").order_by("user__username")
        if name:
            tokens = tokens.filter(user__username=name)
        for token in tokens:
            role = "staff" if token.user.is_staff else "user"
            self.stdout.write(f"{token.user.username}\t{role}\t{token.key[:6]}…\t{token.created:%Y-%m-%d %H:%M}")
