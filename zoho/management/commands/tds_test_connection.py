"""`manage.py tds_test_connection`: prove the Zoho credentials work, in one call.

Refreshes an access token, reads the organization and prints what it found.
Any failure is one line on stderr and exit status 1 (no traceback).
"""
from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zoho.client import ZohoClient, get_client
from zoho.errors import ZohoError
from zoho.metrics import QuotaInfo


class Command(BaseCommand):
    help = "Check the Zoho connection: refresh a token, read the organization, show the daily quota left."

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:
            logging.getLogger("zoho").setLevel(logging.ERROR)  # the result lines say it all
        try:
            # one attempt, no breaker: a diagnosis should report the first failure, not wait it out
            client = get_client(retry_attempts=1, circuit_failures=0)
            client.tokens.refresh()
            org = client.organization()
        except ZohoError as exc:
            raise CommandError(f"Zoho connection failed: {_one_line(exc)}") from None
        except DatabaseError as exc:
            raise CommandError(f"Zoho connection check cannot use the database ({_one_line(exc)}); "
                               "run `manage.py migrate` first") from None
        self.stdout.write("\n".join(report_lines(client, org)))


def report_lines(client: ZohoClient, org: dict[str, Any]) -> list[str]:
    token = client.tokens.token()
    calls = client.stats.total
    return [
        "Zoho connection OK",
        f"  Organization: {org.get('name', '?')} (id {org.get('organization_id', '?')})",
        f"  Data centre:  {client.config.dc} (accounts {client.tokens.accounts_url})",
        f"  API domain:   {token.api_domain}",
        f"  Daily quota:  {describe_quota(client.quota)}",
        f"  Calls made:   {calls} API call{'s' if calls != 1 else ''}, "
        f"{client.stats.token_refreshes} token refresh{'es' if client.stats.token_refreshes != 1 else ''}",
    ]


def describe_quota(quota: QuotaInfo | None) -> str:
    if quota is None or quota.remaining is None:
        return "not reported by Zoho"
    of = f" of {quota.limit}" if quota.limit is not None else ""
    reset = quota.reset_in()
    when = f", resets in {int(reset // 3600)}h {int(reset % 3600 // 60)}m" if reset is not None else ""
    return f"{quota.remaining}{of} calls left{when}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
