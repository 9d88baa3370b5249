"""Compare and "Carry out recommendations" in a real headless Chromium, on a real cluster: after an
initial sync, two items are created in the sandbox (over its HTTP control API, as another process
would), a compare started from the page reports them missing, "Carry out" has the cluster pull them
(the run's log lists the action), and the next compare finds items in sync again."""
from __future__ import annotations

import re
import signal
import subprocess

import pytest
import requests

from tests.e2e.test_dashboard_browser import SCREENS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _items_row(page) -> list[str]:
    """The items row of the comparisons table: entity, Zoho, local, difference, match, status, advice, why."""
    return [re.sub(r"\s+", " ", c).strip() for c in page.locator("table.comparisons tr", has=page.locator(
        "td:first-child", has_text=re.compile(r"^items$"))).locator("td").all_inner_texts()]


def _run_from_message(page, live_server, label: str) -> str:
    """Follow the "… queued: run X" message to the run's page and wait there until the run completes
    (the page's live fragment refreshes every 5 s); the run's id."""
    message = page.locator(".messages li", has_text=f"{label} queued")
    assert message.is_visible(), page.locator(".messages").all_inner_texts()
    message.locator("a").click()
    page.wait_for_url(re.compile(r"/tds-admin/runs/[0-9a-f-]{36}/$"))
    page.locator("dd.status-completed").wait_for(timeout=120_000)
    return page.url.rstrip("/").rsplit("/", 1)[1]


def test_compare_reports_new_items_and_carrying_out_pulls_them_on_the_cluster(live_server, browser_page,
                                                                               zoho_settings, sandbox) -> None:
    from django.contrib.auth import get_user_model
    from django_q.brokers import get_broker

    from sync.compare.execute import compare_and_sync
    from sync.models import Product, SyncRun
    from tests.api.test_cluster_worker import _cluster

    initial = compare_and_sync(sync=True, trigger="manual")  # the initial sync: everything a compare covers
    assert all(a.ok for a in initial.actions), [a.to_dict() for a in initial.actions]
    before = Product.objects.count()
    created = [requests.post(f"{sandbox.url}/_sandbox/create", json={"entity": "items", "fields": {
        "name": f"Browser cable {n}", "sku": f"E2E-CABLE-{n}", "rate": 3.5}}, timeout=5).json()["id"]
        for n in (1, 2)]
    assert len(sandbox.store.ids_of("items")) == before + 2
    get_user_model().objects.create_user("operator", "op@example.com", "pw-operator", is_staff=True)
    get_broker().purge_queue()

    cluster = _cluster(sandbox)
    page = browser_page
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/tds-admin/compare/")
        page.fill("#id_username", "operator")
        page.fill("#id_password", "pw-operator")
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/tds-admin/compare/")

        page.click("button:has-text('Compare now')")
        _run_from_message(page, live_server, "Compare")
        page.goto(f"{live_server.url}/tds-admin/compare/")
        row = _items_row(page)
        assert row[1:4] == [str(before + 2), str(before), "2"] and row[5] == "to sync", row
        page.screenshot(path=str(SCREENS / "compare-difference.png"), full_page=True)

        page.click("button:has-text('Carry out recommendations')")
        carried = _run_from_message(page, live_server, "Carrying out recommendations")
        # The run's page lists the pulls it carried out: the items pull brought the two new items.
        done = page.locator("table.actions tr", has=page.locator("td:first-child", has_text=re.compile(r"^items$")))
        assert done.locator("td").all_inner_texts()[2] == "2", done.locator("td").all_inner_texts()
        page.screenshot(path=str(SCREENS / "compare-carried-out.png"), full_page=True)
        run = SyncRun.objects.get(pk=carried)
        assert (run.run_type, run.status, run.trigger) == ("compare_sync", "completed", "manual")
        assert set(Product.objects.filter(zoho_item_id__in=created).values_list("name", flat=True)) == {
            "Browser cable 1", "Browser cable 2"}

        page.goto(f"{live_server.url}/tds-admin/compare/")
        page.click("button:has-text('Compare now')")
        _run_from_message(page, live_server, "Compare")
        page.goto(f"{live_server.url}/tds-admin/compare/")
        row = _items_row(page)
        assert row[1:4] == [str(before + 2), str(before + 2), "0"] and row[5] == "in sync", row
        assert page.locator("button:has-text('Carry out recommendations')").count() == 0
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.communicate()
