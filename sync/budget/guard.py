"""The reserve for webhook follow-ups: bulk work stops before the last share of the daily quota.

A zoho.hooks before-call listener. When Zoho's last answer says the calls left are at or below
TDS_ZOHO_WEBHOOK_RESERVE_PERCENT of the daily quota, a call made by a run of the ledger (a pull,
stock, images, compare), other than a queue drain's webhook follow-ups, is refused with
ZohoQuotaExceeded: the run records the reason and stops; the next run after the reset goes on
where this one stopped (records already stored are not fetched again).
"""
from __future__ import annotations

import math
from typing import Any

from sync.config import TUNABLES, config_get
from sync.ledger import run_current
from sync.models import RunType
from zoho.errors import ZohoQuotaExceeded

_RESERVE_HIGH = TUNABLES["TDS_ZOHO_WEBHOOK_RESERVE_PERCENT"].high
assert _RESERVE_HIGH is not None, "the webhook reserve tunable declares its upper bound"
MAX_RESERVE_SHARE = _RESERVE_HIGH / 100.0


def reserve_calls(limit: int) -> int:
    try:
        percent = config_get("TDS_ZOHO_WEBHOOK_RESERVE_PERCENT")
    except Exception:  # no database here (a bare client): the environment's value holds
        percent = TUNABLES["TDS_ZOHO_WEBHOOK_RESERVE_PERCENT"].default()
    return math.ceil(limit * percent / 100.0)


def reserve_guard(*, endpoint: str, quota: Any) -> None:
    if quota is None or quota.remaining is None or not quota.limit:
        return
    if quota.remaining > quota.limit * MAX_RESERVE_SHARE:
        return  # far from any reserve the tunable allows: no need to read it
    run = run_current()
    if run is None or run.run_type == RunType.QUEUE:
        return  # webhook follow-ups may spend the reserve; a call outside any run is not bulk work
    reserve = reserve_calls(quota.limit)
    if quota.remaining > reserve:
        return
    reset_in = quota.reset_in()
    hours = f"{reset_in / 3600:.1f} h" if reset_in is not None else "the daily reset"
    raise ZohoQuotaExceeded(
        f"Zoho daily quota: {quota.remaining} of {quota.limit} calls left, the last {reserve} are kept for "
        f"webhook follow-ups; stopped before {endpoint}, the next run after the reset (in {hours}) "
        f"goes on from here", reset_seconds=reset_in)
