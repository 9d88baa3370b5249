"""What one run of a schedule should cost in Zoho calls before any run of it was measured.

The plan multiplies each schedule's measured calls per run by its runs per day; a schedule that
never ran would count 0 and let any interval through. Until it is measured, a run is estimated
from the local mirror, the way the runs spend calls:

- a list read in full costs a call per 200 records (one at least: an empty list is still a call);
  a list read from a cursor (incremental) a call per 200 records changed since the last run;
- documents whose lists lack line items fetch one detail per new or changed record, and the
  stock levels of changed items come 100 items a call (``itemdetails``);
- a product image is one download per changed image; the Odoo push calls no Zoho API;
- the records changed between two runs: those Zoho modified during the last day, spread over the
  day's runs (a run that sees a change less often than every time costs that share of a call).

Counts come from one aggregate per table, kept for a minute per process: the plan is read by the
metrics page, the alert rules and the metrics scrape; the check of a setting reads them fresh.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from sync import schedules
from sync.entities import REGISTRY

PER_PAGE = 200           # records in one Zoho list call
ITEM_DETAILS_PER_CALL = 100
COUNTS_SECONDS = 60.0


@dataclass(frozen=True)
class Estimate:
    calls: float
    basis: str    # how the figure was reached, for the refusal message and the metrics page


@dataclass(frozen=True)
class TableCounts:
    listed: int          # records Zoho still lists (not marked deleted)
    active: int
    changed_per_day: int  # records Zoho modified during the last day


_counts: dict[str, Any] = {"at": float("-inf"), "tables": {}}
_lock = threading.Lock()


def estimate_forget() -> None:
    with _lock:
        _counts["at"] = float("-inf")


def calls_per_run_estimated(name: str, *, runs_per_day: float, fresh: bool = False) -> Estimate:
    """The estimated Zoho calls of one run of schedule ``name`` (see the module docstring)."""
    tables = _tables(fresh=fresh)
    share = 1.0 / runs_per_day if runs_per_day else 1.0  # of a day's changes, per run
    if name == schedules.STOCK_SYNC:
        items = tables["items"]
        pages, details = _pages(items.active), _bulk(items.changed_per_day * share)
        return Estimate(pages + details, f"{pages} list pages of {items.active} active items"
                                         + (f" + {details:g} itemdetails calls" if details else ""))
    if name in (schedules.FULL_PULL, schedules.INCREMENTAL_PULL, schedules.COMPARE_SYNC):
        return _registry_estimate(name, tables, share)
    if name == schedules.IMAGE_SYNC:
        images = round(tables["items"].changed_per_day * share, 2)
        return Estimate(images, f"{images:g} image downloads (items changed since the last run)")
    return Estimate(0.0, "calls no Zoho API")


def _registry_estimate(name: str, tables: dict[str, TableCounts], share: float) -> Estimate:
    pages = details = 0.0
    for entity, spec in REGISTRY.items():
        counts = tables[entity]
        changed = counts.changed_per_day * share
        incremental = name == schedules.INCREMENTAL_PULL and spec.incremental
        # A list shared with another entity (customers and vendors are both read from /contacts) is listed whole.
        listed = sum(tables[s.name].listed for s in REGISTRY.values() if s.path == spec.path and s.api == spec.api)
        pages += _pages(changed) if incremental else _pages(listed if spec.keep else counts.listed)
        if name == schedules.COMPARE_SYNC:
            continue  # a deep compare reads list pages only; what it then syncs depends on what differs
        # A full pass fetches the detail of every record Zoho gives no version stamp for (adjustments, transfers).
        refetched = name == schedules.FULL_PULL and spec.detail_lines and not spec.stamped
        details += counts.listed if refetched else changed if spec.detail_lines else 0.0
        details += _bulk(changed) if spec.stock_levels else 0.0
    records = sum(tables[e].listed for e in REGISTRY)
    details = round(details, 1)
    return Estimate(pages + details, f"{pages:g} list pages of {len(REGISTRY)} entities ({records} records)"
                                     + (f" + {details:g} detail calls" if details else ""))


def _pages(records: float) -> int:
    return max(1, math.ceil(records / PER_PAGE))


def _bulk(changed: float) -> float:
    """itemdetails calls for ``changed`` items: 100 a call; under one change a run, that share of a call."""
    return round(changed, 2) if changed < 1 else float(math.ceil(changed / ITEM_DETAILS_PER_CALL))


def _tables(*, fresh: bool) -> dict[str, TableCounts]:
    now = time.monotonic()
    with _lock:
        if not fresh and now - _counts["at"] < COUNTS_SECONDS:
            return _counts["tables"]
    tables = {name: _count(spec.model) for name, spec in REGISTRY.items()}
    with _lock:
        _counts.update(at=now, tables=tables)
    return tables


def _count(model: Any) -> TableCounts:
    since = timezone.now() - timedelta(days=1)
    agg = model.objects.aggregate(listed=Count("pk", filter=Q(deleted_in_zoho_at=None)),
                                  active=Count("pk", filter=Q(is_active=True)),
                                  changed=Count("pk", filter=Q(zoho_last_modified__gte=since)))
    return TableCounts(listed=agg["listed"], active=agg["active"], changed_per_day=agg["changed"])
