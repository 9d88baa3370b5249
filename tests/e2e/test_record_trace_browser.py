"""The record trace in a real headless Chromium, against the Zoho sandbox over real HTTP: search a SKU
from the search box, open the trace, compare with Zoho after an edit there, re-fetch and apply, and
see the event applied and the difference gone."""
from __future__ import annotations

import pytest

from tests.e2e.test_dashboard_browser import SCREENS
from tests.sync.helpers import first_id

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_search_a_sku_open_the_trace_compare_refetch_and_see_it_applied(live_server, browser_page, sb, zclient):
    from django.contrib.auth import get_user_model

    from sync.models import Product
    from sync.pipeline.workers import drain_queue
    from sync.pull.run import pull_entity

    for entity in ("warehouses", "items"):
        assert pull_entity(entity=entity, client=zclient, full=True).status == "completed"
    item_id = first_id(sb, "items")
    sku = Product.objects.get(zoho_item_id=item_id).sku
    sb.store.edit("items", item_id, {"name": "Renamed in Zoho for the browser"})
    get_user_model().objects.create_user("operator", "op@example.com", "pw-operator", is_staff=True)

    page = browser_page
    page.goto(f"{live_server.url}/tds-admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pw-operator")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/tds-admin/")

    page.fill("header form.record-search input[name=q]", sku)
    page.press("header form.record-search input[name=q]", "Enter")
    page.wait_for_url(f"{live_server.url}/tds-admin/records/items/{item_id}/")
    assert page.locator("#record-timeline").is_visible()

    page.click("button.compare")
    page.wait_for_selector("#comparison table.differences")
    assert page.locator("#comparison td", has_text="Renamed in Zoho for the browser").count() == 1
    assert page.locator("#comparison tbody tr").count() == 1  # exactly the edited field
    page.screenshot(path=str(SCREENS / "record-compare.png"), full_page=True)

    page.click("#comparison button.apply")
    page.wait_for_selector("text=the workers apply it")
    assert page.locator("#record-events .applying").is_visible()
    drain_queue()  # the workers' round; the page follows the event by itself
    page.wait_for_selector("#record-events td.outcome:text-is('applied')", timeout=15_000)

    page.click("button.compare")
    page.wait_for_selector("#comparison .same")
    page.screenshot(path=str(SCREENS / "record-applied.png"), full_page=True)
    assert Product.objects.get(zoho_item_id=item_id).name == "Renamed in Zoho for the browser"
