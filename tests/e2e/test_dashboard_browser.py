"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright).

Logs in through the admin login, sees seeded runs and dead letters, retries a dead letter (with the
confirmation step) and sees it leave the list, opens another's own page and retries it from there,
pauses and resumes the queue drain from the workers panel and the overview, checks the overview and
dead letters at 390 px, is sent to the login page when the session ends under a live page, sees the
overview's last-hour chart drawn and drawn again by the live refresh, sees a metrics chart drawn, and
screenshots every page into .test-screens/ (ignored by git). Skipped with the reason when Chromium or
Playwright is missing.
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("TDS_CHROMIUM", "/usr/bin/chromium")
SCREENS = Path(__file__).resolve().parents[2] / ".test-screens"
PAGES = {"overview": "/tds-admin/", "history": "/tds-admin/runs/", "dead-letters": "/tds-admin/dead-letters/",
         "queue": "/tds-admin/queue/", "workers": "/tds-admin/workers/", "triggers": "/tds-admin/triggers/",
         "compare": "/tds-admin/compare/",
         "alerts": "/tds-admin/alerts/", "metrics": "/tds-admin/metrics/", "images": "/tds-admin/images/",
         "configuration": "/tds-admin/configuration/"}


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    # Only for this test: left set, it would fail every later `check --deploy` (async.E001).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield page
        finally:
            browser.close()


def _seed() -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sync.models import DeadLetter, Metric, ProcessHeartbeat, SyncCursor, SyncLog, SyncRun

    get_user_model().objects.create_user("operator", "op@example.com", "pw-operator", is_staff=True,
                                         is_superuser=True)
    run = SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="completed",
                                 processed=42, api_calls=3, correlation_id="cid-browser")
    SyncLog.objects.create(run=run, level="INFO", entity="items", message="pulled 42 items")
    SyncCursor.objects.create(entity="items", last_incremental_run_at=timezone.now() - timedelta(minutes=90))
    letters = [DeadLetter.objects.create(entity="items", zoho_id=f"ZB{i}", error_class="permanent",
                                         error_type="ValueError", error_message=f"browser letter {i}",
                                         payload={"item_id": f"ZB{i}"}) for i in (1, 2)]
    now = timezone.now()
    ProcessHeartbeat.objects.create(key="web-e2e:500:t", kind="cluster", name="e2e-cluster", host="web-e2e", pid=500,
                                    started_at=now, beat_at=now + timedelta(minutes=10),
                                    details={"guard_pid": 501, "workers": 1, "broker": "orm"})
    Metric.objects.bulk_create([
        Metric(name="tds_items_synced_total", value=10 + i, samples=1, labels={"entity": "items"},
               recorded_at=now - timedelta(hours=i)) for i in range(1, 12)])
    return {"run": run, "letters": letters}


def test_operator_logs_in_sees_runs_retries_a_dead_letter_and_sees_a_chart(live_server, browser_page) -> None:
    seeded = _seed()
    page = browser_page
    page.goto(f"{live_server.url}/tds-admin/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pw-operator")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/tds-admin/")
    assert page.locator("text=Active syncs").is_visible()
    # The last hour's chart is drawn, and drawn again when the live part refreshes (every 5 s).
    drawn = page.locator("[data-chart='chart-last-hour'] canvas")
    drawn.wait_for(state="attached", timeout=10_000)
    with page.expect_response(lambda reply: "fragment=1" in reply.url, timeout=15_000):
        pass
    drawn.wait_for(state="attached", timeout=10_000)
    assert page.locator("p.last-hour").inner_text().endswith("2 dead letter(s), 0 failed run(s).")

    page.goto(f"{live_server.url}/tds-admin/runs/")
    assert page.locator(f"a[href='/tds-admin/runs/{seeded['run'].pk}/']").count() == 1
    page.click(f"a[href='/tds-admin/runs/{seeded['run'].pk}/']")
    assert page.locator("text=cid-browser").is_visible() and page.locator("text=pulled 42 items").is_visible()

    page.goto(f"{live_server.url}/tds-admin/dead-letters/")
    assert page.locator("text=browser letter 1").is_visible() and page.locator("text=browser letter 2").is_visible()
    first = seeded["letters"][0]
    page.click(f"#dl-{first.pk} button.retry")
    assert page.locator("text=Put 1 dead letter(s) back on the queue?").is_visible()
    page.click("button:has-text('Yes, do it')")
    page.wait_for_url(f"{live_server.url}/tds-admin/dead-letters/")
    assert page.locator("text=Requeued 1 dead letter(s).").is_visible()
    assert page.locator("text=browser letter 1").count() == 0
    assert page.locator("text=browser letter 2").is_visible()

    # A dead letter's own page: the error, the pretty payload; retried from there.
    page.goto(f"{live_server.url}/tds-admin/dead-letters/")
    second = seeded["letters"][1]
    page.click(f"#dl-{second.pk} a >> nth=0")
    page.wait_for_url(f"{live_server.url}/tds-admin/dead-letters/{second.pk}/")
    assert page.locator("pre.error", has_text="browser letter 2").is_visible()
    assert page.locator("pre.payload", has_text='"item_id": "ZB2"').is_visible()
    page.screenshot(path=str(SCREENS / "dead-letter.png"), full_page=True)
    page.click("button.retry")
    page.click("button:has-text('Yes, do it')")
    page.wait_for_url(f"{live_server.url}/tds-admin/dead-letters/")
    assert page.locator("text=Requeued 1 dead letter(s).").is_visible()
    assert page.locator("text=browser letter 2").count() == 0

    # The workers panel, and pausing then resuming the queue drain from it.
    page.click("nav >> text=Workers")
    page.wait_for_url(f"{live_server.url}/tds-admin/workers/")
    assert page.locator("td", has_text="web-e2e").first.is_visible()
    page.click("button:has-text('Pause queue drain')")
    assert page.locator("text=Queue drain paused: nothing new starts until it is resumed.").is_visible()
    assert page.locator(".pause-queue .switch.paused").is_visible()
    page.goto(f"{live_server.url}/tds-admin/")
    assert page.locator("text=Queue drain: paused").is_visible()
    page.click("button:has-text('Resume queue drain')")
    page.wait_for_url(f"{live_server.url}/tds-admin/")
    assert page.locator("text=Queue drain resumed.").is_visible()
    assert page.locator("text=Queue drain: running").is_visible()

    # On a phone (390 px): nothing makes the page scroll sideways, the buttons stay on screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("overview", "/tds-admin/"), ("dead-letters", "/tds-admin/dead-letters/")):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        for button in page.locator("main button").all():
            box = button.bounding_box()
            assert box is None or box["x"] + box["width"] <= 390, (name, button.inner_text())
        page.screenshot(path=str(SCREENS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    # The session ends while the overview is open: its next refresh takes the browser to the login page.
    page.goto(f"{live_server.url}/tds-admin/")
    page.context.clear_cookies()
    page.wait_for_url(re.compile(r"/admin/login/\?next=%2Ftds-admin%2F$"), timeout=15_000)
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pw-operator")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/tds-admin/")

    page.goto(f"{live_server.url}/tds-admin/metrics/?range=24h")
    canvas = page.locator("[data-chart='chart-tds_items_synced_total'] canvas")
    canvas.wait_for(state="attached", timeout=10_000)
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50

    for name, path in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        assert page.locator("nav >> text=Overview").is_visible(), name
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    page.goto(f"{live_server.url}/tds-admin/runs/{seeded['run'].pk}/")
    page.screenshot(path=str(SCREENS / "run.png"), full_page=True)


@pytest.mark.postgres
def test_operator_triggers_a_sync_and_sees_it_run_on_a_real_cluster(live_server, browser_page, zoho_settings,
                                                                    sandbox) -> None:
    """The run is queued by the page, picked up by `manage.py qcluster` and pulled from the sandbox; a run
    cancelled while pending is skipped by the cluster, and a failed run retried from its page runs again."""
    import signal
    import subprocess

    from django.contrib.auth import get_user_model
    from django_q.brokers import get_broker

    from sync.models import SyncRun
    from tests.api.test_cluster_worker import _cluster

    get_user_model().objects.create_user("operator", "op@example.com", "pw-operator", is_staff=True)
    failed = SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="failed",
                                    error_message="ZohoError: the sandbox was down",
                                    configuration={"entity": "items", "full": False, "dry_run": False})
    get_broker().purge_queue()
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/?next=/tds-admin/triggers/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pw-operator")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/tds-admin/triggers/")

    # No cluster yet: the run stays pending and blocks its trigger until it is cancelled from the history.
    page.select_option("select[name=entity]", "customers")
    page.click("button:has-text('Sync entity')")
    assert page.locator("text=Incremental pull of customers queued").is_visible()
    pending = SyncRun.objects.get(entity="customers")
    page.select_option("select[name=entity]", "customers")
    page.click("button:has-text('Sync entity')")
    assert page.locator("text=Already running").is_visible()
    page.goto(f"{live_server.url}/tds-admin/runs/")
    page.click(f"form[action='/tds-admin/runs/{pending.pk}/cancel'] button")
    assert page.locator("text=Cancel the pending run").is_visible()
    page.click("button:has-text('Yes, do it')")
    page.wait_for_url(f"{live_server.url}/tds-admin/runs/")
    assert page.locator("text=before it started: it will not run, and its trigger can be pressed again.").is_visible()
    pending.refresh_from_db()
    assert pending.status == "cancelled"

    cluster = _cluster(sandbox)
    try:
        page.goto(f"{live_server.url}/tds-admin/triggers/")
        page.select_option("select[name=entity]", "items")
        page.click("button:has-text('Sync entity')")
        assert page.locator("text=Incremental pull of items queued").is_visible()
        # (A second press while it runs is answered "Already running": the view tests cover it; the
        # sandbox pull is too quick to catch here.)
        run = SyncRun.objects.exclude(pk=failed.pk).get(entity="items")
        page.goto(f"{live_server.url}/tds-admin/runs/{run.pk}/")
        # The run page's fragment refreshes every 5 s: the status turns to completed without a reload.
        page.locator("dd.status-completed").wait_for(timeout=120_000)
        page.screenshot(path=str(SCREENS / "run-finished.png"), full_page=True)
        run.refresh_from_db()
        assert run.status == "completed" and run.created == len(sandbox.store.ids_of("items"))

        # Retry the failed run from its page: a new run with the same parameters runs on the cluster.
        page.goto(f"{live_server.url}/tds-admin/runs/{failed.pk}/")
        page.click("button.retry")
        assert page.locator("text=with the same parameters?").is_visible()
        page.click("button:has-text('Yes, do it')")
        page.wait_for_url(f"{live_server.url}/tds-admin/runs/{failed.pk}/")
        assert page.locator(f"text=Retry of run {str(failed.pk)[:8]} (incremental of items) queued").is_visible()
        retried = SyncRun.objects.exclude(pk__in=[failed.pk, run.pk]).get(entity="items")
        page.click(f".messages a[href='/tds-admin/runs/{retried.pk}/']")
        page.wait_for_url(f"{live_server.url}/tds-admin/runs/{retried.pk}/")
        page.locator("dd.status-completed").wait_for(timeout=120_000)
        retried.refresh_from_db()
        assert (retried.run_type, retried.status, retried.trigger) == ("incremental", "completed", "manual")
        pending.refresh_from_db()
        assert pending.status == "cancelled"  # its task reached the cluster and was skipped
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.communicate()
