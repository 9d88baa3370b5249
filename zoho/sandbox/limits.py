"""Zoho's per-organization limits: requests per minute (44), daily quota (45), in-flight calls (1070).

The X-Rate-Limit-* headers describe the daily quota: limit, remaining, and seconds
until it resets at midnight in the org time zone.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timedelta

from zoho.sandbox.config import ORG_TZ, SandboxConfig

PER_MINUTE = (44, "For security reasons your organization has been blocked as it have exceeded the maximum number "
                  "of requests per minute that can originate from an organization.")
CONCURRENCY = (1070, "You have reached the maximum number of in process requests allowed. Kindly try again after "
                     "some time.")
UNLIMITED_DAILY = 1_000_000_000


def daily_message(limit: int) -> tuple[int, str]:
    return 45, f"The API call for this organization has exceeded the maximum call rate limit of {limit:,}."


def seconds_to_midnight() -> int:
    moment = datetime.now(ORG_TZ)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - moment).total_seconds()))


class Limits:
    def __init__(self, cfg: SandboxConfig) -> None:
        self.cfg = cfg
        self._lock = threading.Lock()
        self._minute: deque[float] = deque()
        self._day = datetime.now(ORG_TZ).date()
        self.used_today = 0
        self.in_flight = 0

    def enter(self) -> tuple[int, str] | None:
        """Take an in-flight slot; Zoho's (code, message) when refused (then no slot is held)."""
        with self._lock:
            if self.cfg.max_concurrency and self.in_flight >= self.cfg.max_concurrency:
                return CONCURRENCY
            self.in_flight += 1
            return None

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def admit(self) -> tuple[int, str] | None:
        """Count one call against the minute window and the daily quota, or refuse it."""
        with self._lock:
            self._roll_day()
            if self.cfg.daily_limit and self.used_today >= self.cfg.daily_limit:
                return daily_message(self.cfg.daily_limit)
            moment = time.monotonic()
            while self._minute and moment - self._minute[0] >= 60:
                self._minute.popleft()
            if self.cfg.rate_limit_per_minute and len(self._minute) >= self.cfg.rate_limit_per_minute:
                return PER_MINUTE
            self._minute.append(moment)
            self.used_today += 1
            return None

    def headers(self) -> list[tuple[str, str]]:
        with self._lock:
            self._roll_day()
            # With the daily quota switched off (0) the headers still describe a quota, just a
            # practically endless one, so clients never read "0 left" as exhaustion.
            limit = self.cfg.daily_limit or UNLIMITED_DAILY
            remaining = max(0, limit - self.used_today)
        return [("X-Rate-Limit-Limit", str(limit)), ("X-Rate-Limit-Remaining", str(remaining)),
                ("X-Rate-Limit-Reset", str(seconds_to_midnight()))]

    def _roll_day(self) -> None:
        today = datetime.now(ORG_TZ).date()
        if today != self._day:
            self._day, self.used_today = today, 0

    def reset(self) -> None:
        with self._lock:
            self._minute.clear()
            self.used_today = 0
