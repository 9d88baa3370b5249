"""The reserve for webhook follow-ups: bulk work stops before the last share of the daily quota.

A zoho.hooks before-call listener. When Zoho's last answer says the calls left are at or below
TDS_ZOHO_WEBHOOK_RESERVE_PERCENT of the daily quota, any call not made for a webhook follow-up
is refused with ZohoQuotaExceeded (the run records the reason and stops; the next run after the
reset goes on where this one stopped: records already stored are not fetched again).
"""
from __future__ import annotations

import math
from typing import Any

from sync.budget.usage import call_trigger
from sync.config import config_get
from zoho.errors import ZohoQuotaExceeded


def reserve_calls(limit: int) -> int:
    return math.ceil(limit * config_get("TDS_ZOHO_WEBHOOK_RESERVE_PERCENT") / 100.0)


def reserve_guard(*, endpoint: str, quota: Any) -> None:
    if quota is None or quota.remaining is None or not quota.limit:
        return
    reserve = reserve_calls(quota.limit)
    if quota.remaining > reserve or call_trigger() == "webhook":
        return
    reset_in = quota.reset_in()
    hours = f"{reset_in / 3600:.1f} h" if reset_in is not None else "the daily reset"
    raise ZohoQuotaExceeded(
        f"Zoho daily quota: {quota.remaining} of {quota.limit} calls left, the last {reserve} are kept for "
        f"webhook follow-ups; stopped before {endpoint}, the next run after the reset (in {hours}) "
        f"goes on from here", reset_seconds=reset_in)
