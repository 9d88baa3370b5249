"""The schedules' planned use of the Zoho daily quota: measured calls per run x runs per day.

A run of a schedule is a group of ledger rows sharing a correlation id (a pull writes one row per
entity; compare + sync nests its pull). Its calls are the rows' api_calls summed; a schedule's
calls per run is the mean of its last MEASURED_RUNS groups. A first load (every record it touched
was created: the first full pull, the first image download) is one-off, not the schedule's steady
use: it counts only while nothing else was measured. A schedule with no measured run yet counts
what estimate.py expects a run to cost from the local mirror (list pages and details), never 0.
A change of a schedule's interval that would plan more than TDS_ZOHO_BUDGET_MAX_PERCENT of the
quota, and more than now, is refused.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from sync import schedules
from sync.budget.estimate import calls_per_run_estimated
from sync.config import config_get
from sync.models import RunType

MEASURED_RUNS = 10
SCANNED_ROWS = 2000
INTERVAL_KEYS = {"TDS_COMPARE_INTERVAL_HOURS": (schedules.COMPARE_SYNC, 60),
                 "TDS_STOCK_SYNC_INTERVAL_MINUTES": (schedules.STOCK_SYNC, 1)}


@dataclass
class SchedulePlan:
    name: str
    runs_per_day: float
    calls_per_run: float
    measured_runs: int            # 0: calls_per_run is estimated
    basis: str = "measured"       # how calls_per_run was reached

    @property
    def estimated(self) -> bool:
        return self.measured_runs == 0

    @property
    def calls_per_day(self) -> float:
        return round(self.runs_per_day * self.calls_per_run, 1)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"calls_per_day": self.calls_per_day, "estimated": self.estimated}


@dataclass
class BudgetPlan:
    quota: int
    max_percent: float
    schedules: list[SchedulePlan]

    @property
    def calls_per_day(self) -> float:
        return round(sum(s.calls_per_day for s in self.schedules), 1)

    @property
    def percent(self) -> float:
        return round(100.0 * self.calls_per_day / self.quota, 1) if self.quota else 0.0

    @property
    def over(self) -> bool:
        return self.percent > self.max_percent

    def as_dict(self) -> dict[str, Any]:
        return {"quota": self.quota, "max_percent": self.max_percent, "calls_per_day": self.calls_per_day,
                "percent": self.percent, "over": self.over, "schedules": [s.as_dict() for s in self.schedules]}

    def explain(self) -> str:
        parts = [f"{s.name.removeprefix(schedules.PREFIX)} {s.runs_per_day:g}/day x {s.calls_per_run:g} calls"
                 + (f" (estimated, none measured yet: {s.basis})" if s.estimated else "")
                 for s in self.schedules if s.calls_per_run and s.runs_per_day]
        return (f"{self.calls_per_day:g} Zoho calls a day, {self.percent:g}% of the daily quota of {self.quota} "
                f"(at most {self.max_percent:g}%): " + ", ".join(parts))


def budget_quota() -> int:
    """The daily quota: as Zoho last reported it, else the configured plan's."""
    from sync.models import ApiQuotaDay

    reported = ApiQuotaDay.objects.exclude(quota_limit=None).order_by("-day").values_list("quota_limit",
                                                                                             flat=True).first()
    return int(reported or config_get("TDS_ZOHO_DAILY_QUOTA"))


def budget_plan(*, overrides: dict[str, Any] | None = None, fresh: bool = False) -> BudgetPlan:
    """The schedules' planned daily calls, with tunables in `overrides` taking their proposed values.

    ``fresh`` counts the mirror again for the estimates instead of using the last minute's counts."""
    overrides = overrides or {}
    enabled = overrides.get("TDS_ENABLE_AUTO_SYNC", config_get("TDS_ENABLE_AUTO_SYNC"))
    minutes = {name: overrides[key] * factor for key, (name, factor) in INTERVAL_KEYS.items() if key in overrides}
    measured = calls_per_run_measured()
    rows = []
    for spec in schedules.default_specs():
        if not spec.pulls_from_zoho:
            continue
        per_day = 0.0 if not enabled else _runs_per_day(spec, minutes.get(spec.name, spec.minutes))
        if spec.name in measured:
            calls, runs = measured[spec.name]
            rows.append(SchedulePlan(name=spec.name, runs_per_day=round(per_day, 2), calls_per_run=calls,
                                     measured_runs=runs))
            continue
        guess = calls_per_run_estimated(spec.name, runs_per_day=per_day, fresh=fresh)
        rows.append(SchedulePlan(name=spec.name, runs_per_day=round(per_day, 2), calls_per_run=round(guess.calls, 1),
                                 measured_runs=0, basis=guess.basis))
    return BudgetPlan(quota=budget_quota(), max_percent=config_get("TDS_ZOHO_BUDGET_MAX_PERCENT"), schedules=rows)


def budget_check_config(key: str, value: Any) -> None:
    """sync.config check: refuse a schedule change that plans more than the allowed share of the quota."""
    if key not in INTERVAL_KEYS and key != "TDS_ENABLE_AUTO_SYNC":
        return
    proposed = budget_plan(overrides={key: value}, fresh=True)
    if proposed.over and proposed.calls_per_day > budget_plan().calls_per_day:
        raise ValidationError(f"{key}={value} refused: the schedules would spend {proposed.explain()}")


def calls_per_run_measured() -> dict[str, tuple[float, int]]:
    """{schedule name: (mean calls per run, runs measured)} from the ledger's finished runs."""
    from sync.models import SyncRun

    groups: dict[str, list[Any]] = defaultdict(list)
    rows = (SyncRun.objects.exclude(finished_at=None).exclude(correlation_id="").filter(dry_run=False)
            .order_by("-created_at")  # indexed: the newest rows without sorting the whole ledger
            .values_list("correlation_id", "run_type", "api_calls", "created", "processed", "unchanged")[:SCANNED_ROWS])
    for correlation_id, *member in rows:
        groups[correlation_id].append(member)
    steady: dict[str, list[int]] = defaultdict(list)
    first_loads: dict[str, list[int]] = defaultdict(list)
    for members in groups.values():  # newest first (dicts keep insertion order)
        name = _schedule_of({run_type for run_type, *_ in members})
        created, processed, unchanged = (sum(m[i] for m in members) for i in (2, 3, 4))
        kept = first_loads if processed and created == processed and not unchanged else steady
        if name and len(kept[name]) < MEASURED_RUNS:
            kept[name].append(sum(m[1] for m in members))
    measured = {}
    for name in steady.keys() | first_loads.keys():
        calls = steady.get(name) or first_loads[name]
        measured[name] = (round(sum(calls) / len(calls), 1), len(calls))
    return measured


def _schedule_of(run_types: set[str]) -> str:
    if run_types & {RunType.COMPARE_SYNC, RunType.COMPARE}:
        return schedules.COMPARE_SYNC
    for run_type, name in ((RunType.IMAGES, schedules.IMAGE_SYNC), (RunType.STOCK, schedules.STOCK_SYNC),
                           (RunType.INCREMENTAL, schedules.INCREMENTAL_PULL), (RunType.FULL, schedules.FULL_PULL)):
        if run_type in run_types:
            return name
    return next((spec.name for spec in schedules.registered_specs() if run_types & set(spec.run_types)), "")


def _runs_per_day(spec: schedules.ScheduleSpec, minutes: int | None) -> float:
    if spec.cron:
        from croniter import croniter

        start = timezone.localtime()
        it, count = croniter(spec.cron, start), 0
        while it.get_next(type(start)) <= start + timedelta(days=1):
            count += 1
        return float(count)
    return 1440.0 / minutes if minutes else 0.0
