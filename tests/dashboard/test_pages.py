"""Every dashboard page: staff only, renders what it reads, and its live fragment alone for htmx."""
from __future__ import annotations

import pytest
from django.test import Client

PAGES = ["/tds-admin/", "/tds-admin/runs/", "/tds-admin/dead-letters/", "/tds-admin/queue/",
         "/tds-admin/triggers/", "/tds-admin/compare/", "/tds-admin/alerts/", "/tds-admin/configuration/",
         "/tds-admin/metrics/", "/tds-admin/metrics/?range=7d", "/tds-admin/images/"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_the_login(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", PAGES)
def test_non_staff_is_refused(plain_client, url: str) -> None:
    response = plain_client.get(url)
    assert response.status_code in (302, 403)
    assert "/admin/login/" in response.get("Location", "/admin/login/")


@pytest.mark.parametrize("url", PAGES)
def test_staff_sees_the_page_with_navigation_and_vendored_scripts(staff_client, seeded, url: str) -> None:
    response = staff_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dead letters" in html and "Sync history" in html
    assert "/static/vendor/htmx/htmx.min.js" in html and "/static/vendor/uplot/uPlot.iife.min.js" in html


def test_root_redirects_to_the_dashboard(client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/tds-admin/"


def test_overview_shows_the_status_boxes(staff_client, seeded) -> None:
    html = staff_client.get("/tds-admin/").content.decode()
    for label in ("Active syncs", "Queue size", "Workers", "Last sync", "Success rate (24 h)", "Health score",
                  "Zoho circuit", "Zoho calls today", "Freshness", "Open alerts"):
        assert label in html
    assert "Queue pending is 300" in html  # the open alert
    assert 'hx-trigger="every 5s"' in html


def test_overview_fragment_is_only_the_live_part(staff_client, seeded) -> None:
    response = staff_client.get("/tds-admin/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Active syncs" in html and "<html" not in html


def test_history_lists_runs_and_filters_them(staff_client, seeded) -> None:
    html = staff_client.get("/tds-admin/runs/").content.decode()
    assert str(seeded["done"].pk) in html and str(seeded["failed"].pk) in html
    html = staff_client.get("/tds-admin/runs/?status=failed&entity=customers").content.decode()
    assert str(seeded["failed"].pk) in html and str(seeded["done"].pk) not in html


def test_run_page_and_log_download(staff_client, seeded) -> None:
    run = seeded["done"]
    html = staff_client.get(f"/tds-admin/runs/{run.pk}/").content.decode()
    assert "cid-seeded" in html and "pulled 12 items" in html
    response = staff_client.get(f"/tds-admin/runs/{run.pk}/log.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    assert "pulled 12 items" in response.content.decode() and "cid-seeded" in response.content.decode()


def test_unknown_run_is_404(staff_client) -> None:
    assert staff_client.get("/tds-admin/runs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_dead_letters_page_lists_open_letters(staff_client, seeded) -> None:
    html = staff_client.get("/tds-admin/dead-letters/").content.decode()
    assert "bad record 1" in html and "bad record 2" in html and "Retry all" in html


def test_freshness_colours_late_and_stale(staff_client, db) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from sync.models import SyncCursor

    now = timezone.now()
    SyncCursor.objects.create(entity="items", last_incremental_run_at=now - timedelta(minutes=90))
    SyncCursor.objects.create(entity="customers", last_incremental_run_at=now - timedelta(minutes=200))
    SyncCursor.objects.create(entity="vendors", last_incremental_run_at=now - timedelta(minutes=5))
    from sync.selectors.pages import freshness

    states = {row["entity"]: row["state"] for row in freshness(now=now)}
    assert states == {"items": "late", "customers": "stale", "vendors": "fresh"}
    assert 'class="fresh-stale"' in staff_client.get("/tds-admin/").content.decode()


def test_compare_page_shows_the_last_report_and_history_chart(staff_client, db) -> None:
    from sync.models import SyncRun

    SyncRun.objects.create(run_type="compare", status="completed", summary={
        "health": {"score": 87.5, "band": "good"}, "overall_match_pct": 97.0,
        "comparisons": [{"entity": "items", "zoho_count": 10, "local_count": 9, "difference": 1, "match_pct": 90.0,
                         "status": "mismatch"}],
        "recommendations": [{"entity": "items", "action": "incremental", "priority": 2, "reason": "1 missing",
                             "plan": "pull"}]})
    html = staff_client.get("/tds-admin/compare/").content.decode()
    assert "87.5" in html and "1 missing" in html and 'data-chart="health-history"' in html
    assert "Carry out recommendations" in html


def test_overview_lists_the_last_compare_by_entity_including_items(staff_client, db) -> None:
    from sync.models import SyncRun

    SyncRun.objects.create(run_type="compare", status="completed", summary={
        "health": {"score": 97.0, "band": "EXCELLENT"}, "comparisons": [
            {"entity": "items", "match_pct": 99.2}, {"entity": "stock", "match_pct": 91.5}]})
    html = staff_client.get("/tds-admin/").content.decode()
    assert "items 99.2%" in html and "stock 91.5%" in html


@pytest.mark.parametrize("path", ["vendor/htmx/htmx.min.js", "vendor/htmx/LICENSE", "vendor/uplot/uPlot.iife.min.js",
                                  "vendor/uplot/uPlot.min.css", "vendor/uplot/LICENSE", "dashboard/charts.js"])
def test_vendored_static_files_are_found_by_collectstatic(path: str) -> None:
    from django.contrib.staticfiles import finders

    assert finders.find(path), path


def test_the_metrics_numbers_show_each_hour_in_the_sites_zone_with_its_sum_and_mean(staff_client, settings) -> None:
    from datetime import UTC, timedelta

    from django.utils import timezone

    from sync.models import Metric

    settings.TIME_ZONE = "Asia/Baghdad"
    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    Metric.objects.create(name="tds_items_synced_total", value=4, samples=2, recorded_at=hour + timedelta(minutes=1))
    Metric.objects.create(name="tds_items_synced_total", value=2, samples=1, recorded_at=hour + timedelta(minutes=9))
    Metric.objects.create(name="tds_sync_errors_total", value=1, samples=1, recorded_at=hour + timedelta(minutes=5))
    html = staff_client.get("/tds-admin/metrics/?range=7d").content.decode()
    shown = (hour + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S") + " +03"
    assert f"<tr><td>{shown}</td><td>6.0</td><td>2.0</td></tr>" in html
    assert f"<tr><td>{shown}</td><td>1.0</td><td>1.0</td></tr>" in html
