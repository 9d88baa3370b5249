"""When Zoho stops granting access tokens, a run stops cleanly and says when to resume; it plans its
calls so every list-only entity is complete after the first run; and a run that only waited for
Zoho's token window is not a failed run in the health score.

The sandbox's harshest profile: faults r1 (5xx, 429, timeouts, truncated bodies, every access token
expired after 50 calls) and Zoho's token grant of 10 tokens per 10 minutes. The test plays the ten
minutes between runs with the sandbox's reset_window(); the client's own hold-off after a refused
token (ZOHO_TOKEN_WINDOW_SECONDS) is shortened to match."""
from __future__ import annotations

import re
import time
from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from sync.compare.targets import valid_names
from sync.entities import REGISTRY, spec_for
from sync.models import SyncCursor, SyncLog, SyncRun
from zoho.auth import clear_token_cache

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MAX_RUNS = 6
HOLD_OFF = 1.0  # seconds the client waits after a refused token (Zoho's real window: 600)
LIST_ONLY = {name for name in valid_names() if not spec_for(name).per_record_calls}


@pytest.fixture
def harsh_small_org(sandbox_factory: Any, settings: Any, tmp_path: Any) -> Any:
    sb = sandbox_factory(items=300, seed=3, faults="r1", timeout_sleep=1.0,
                         daily_limit=0)  # the daily quota has tests of its own; here Zoho's tokens run out
    assert (sb.config.tokens_per_window, sb.config.token_window_seconds) == (10, 600)  # Zoho's grant
    settings.ZOHO_ACCOUNTS_URL, settings.ZOHO_RATE_LIMIT_PER_MINUTE = sb.url, 0
    settings.ZOHO_TIMEOUT_SECONDS, settings.ZOHO_RETRY_BASE_SECONDS, settings.ZOHO_RETRY_MAX_SECONDS = 0.5, 0.01, 0.05
    settings.ZOHO_RATE_LIMIT_WAIT_SECONDS = 0.05  # a 429 waits out Zoho's minute; here the minute is short
    settings.ZOHO_RETRY_ATTEMPTS = 10  # injected faults are retried away; a call failing for good is another test
    settings.ZOHO_TOKEN_WINDOW_SECONDS = HOLD_OFF
    settings.LOGS_DIR, settings.MEDIA_ROOT = tmp_path / "logs", tmp_path / "media"
    clear_token_cache()
    yield sb
    clear_token_cache()


def _compare(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("tds_compare", "--deep", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def _matches(report: str) -> dict[str, float]:
    found = re.findall(r"(\w+)\s+Zoho:.*\| Match:\s+([\d.]+)%", report)
    return {entity: float(pct) for entity, pct in found}


def _next_window(sb: Any, resume_at: str) -> None:
    """Wait until the run's resume time (the client's hold-off), and let Zoho's window pass."""
    delay = (datetime.fromisoformat(resume_at) - datetime.now(datetime.fromisoformat(resume_at).tzinfo)).total_seconds()
    time.sleep(max(0.0, min(delay + 0.1, HOLD_OFF + 1)))
    sb.app.accounts.reset_window()


def test_a_refused_token_defers_the_run_after_every_list_only_entity_is_complete(harsh_small_org: Any) -> None:
    sb = harsh_small_org
    out, stopped = _compare("--sync")
    assert stopped is not None and stopped.returncode == 75, out  # EX_TEMPFAIL: not done, not failed
    resume = re.search(r"resume at (\S+)", str(stopped))
    assert resume and "cut short by Zoho's limits" in str(stopped), str(stopped)
    assert "⏸️  Auto-sync cut short by Zoho's limits" in out

    run = SyncRun.objects.get(run_type="compare_sync")
    assert (run.status, run.summary["resume_at"]) == ("deferred", resume.group(1))
    assert not SyncRun.objects.filter(status="failed").exists()
    cut = SyncRun.objects.get(status="deferred", run_type__in=("full", "incremental", "images"))
    assert spec_for(cut.entity).per_record_calls  # only per-record work waits
    assert SyncLog.objects.filter(run=cut, level="WARNING", message__contains="resume at").exists()
    _cursor_covers_only_what_was_committed(cut.entity)

    _next_window(sb, resume.group(1))
    report, _ = _compare()
    matches = _matches(report)
    assert {name: matches[name] for name in LIST_ONLY} == dict.fromkeys(LIST_ONLY, 100.0), report

    runs = 1
    while runs < MAX_RUNS and (stopped is not None or min(_matches(report).values()) < 100.0):
        _next_window(sb, _resume_at(stopped))
        _, stopped = _compare("--sync")
        runs += 1
        _next_window(sb, _resume_at(stopped))
        report, _ = _compare()
    matches = _matches(report)
    assert set(matches) == set(valid_names()) and set(matches.values()) == {100.0}, (runs, report)
    assert "Health Score: 100.0/100 (EXCELLENT)" in report, report  # the waiting runs cost nothing
    assert SyncRun.objects.filter(status="deferred").exists() and not SyncRun.objects.filter(status="failed").exists()
    assert sb.app.faults.injected.get("expire") and sb.app.faults.injected.get("5xx")

    calls = sb.app.calls.by_endpoint()  # resumed, not restarted: each detail fetched once, injected faults aside
    for entity in ("invoices", "sales_orders"):
        spec = REGISTRY[entity]
        fetched = calls.get(f"GET /books/v3{spec.path}/{{id}}", 0)
        assert fetched <= 1.5 * spec.model.objects.count(), (entity, fetched, runs)


def _resume_at(stopped: CommandError | None) -> str:
    found = re.search(r"resume at (\S+)", str(stopped)) if stopped is not None else None
    return found.group(1) if found else datetime.now().astimezone().isoformat()


def _cursor_covers_only_what_was_committed(entity: str) -> None:
    spec = REGISTRY[entity]
    cursor = SyncCursor.objects.filter(entity=entity).first()
    stored = spec.model.objects.aggregate(newest=Max("zoho_last_modified"))["newest"]
    assert cursor is None or cursor.watermark is None or (stored is not None and cursor.watermark <= stored)
