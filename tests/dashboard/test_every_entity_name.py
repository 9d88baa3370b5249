"""Every dashboard page renders when every entity name (items, images, stock … and every other the
registry knows) is a key of every per-entity dict it shows. A template's ``d.items`` reads the key
"items" of such a dict instead of iterating it, so no template iterates a dict: views pass pairs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from sync.budget.usage import quota_day
from sync.entities import valid_names
from sync.models import ApiUsage, DeadLetter, Metric, SyncCursor, SyncQueueItem, SyncRun

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def every_entity(db):
    names = valid_names()
    assert {"items", "images", "stock"} <= set(names)
    now = timezone.now()
    day = quota_day(now=now)
    for n, name in enumerate(names):
        ApiUsage.objects.create(day=day, entity=name, trigger="schedule", endpoint=f"/{name}", status="200",
                                calls=100 + n)
        SyncCursor.objects.create(entity=name, last_incremental_run_at=now)
        SyncRun.objects.create(run_type="incremental", entity=name, trigger="schedule", status="completed")
        item = SyncQueueItem.objects.create(entity=name, zoho_id=f"Q-{name}", payload={"id": name}, status="failed",
                                            last_error=f"broke on {name}")
        DeadLetter.objects.create(queue_item=item, entity=name, zoho_id=f"D-{name}", error_class="permanent",
                                  error_type="ValueError", error_message=f"bad {name}", payload={"id": name})
        Metric.objects.create(name="tds_items_synced_total", value=n + 1, samples=1, labels={"entity": name},
                              recorded_at=now)
    comparisons = [{"entity": name, "match_pct": 90.0 + n / 10, "zoho_count": 10, "db_count": 9}
                   for n, name in enumerate(names)]
    SyncRun.objects.create(run_type="compare", trigger="schedule", status="completed", summary={
        "comparisons": comparisons, "recommendations": [], "overall_match_pct": 95.0,
        "health": {"score": 93.5, "band": "GOOD", "components": {
            "match_pct": 95.5, "structure": {"entities": ["stock"], "penalty": 3.0},
            "dead_letters": {"transient": 0, "permanent": 1, "penalty": 2.0},
            "failed_runs_24h": {"count": 0, "penalty": 0.0},
            "staleness": {"stale_entities": [], "interval_hours": 6, "penalty": 0.0}}}})
    return names


def _pages() -> list[str]:
    letter, item = DeadLetter.objects.get(entity="items"), SyncQueueItem.objects.get(entity="items")
    return ["/tds-admin/", "/tds-admin/runs/", "/tds-admin/dead-letters/", "/tds-admin/queue/",
            "/tds-admin/workers/", "/tds-admin/triggers/", "/tds-admin/compare/", "/tds-admin/alerts/",
            "/tds-admin/configuration/", "/tds-admin/metrics/", "/tds-admin/metrics/?range=30d",
            "/tds-admin/images/", reverse("dashboard:dead-letter", args=[letter.pk]),
            reverse("dashboard:queue-item", args=[item.pk])]


def test_every_page_renders_with_every_entity_name_as_a_key(staff_client, every_entity) -> None:
    for url in _pages():
        for htmx in (False, True):
            response = staff_client.get(url, HTTP_HX_REQUEST="true" if htmx else "false")
            assert response.status_code == 200, (url, htmx)
    metrics = staff_client.get("/tds-admin/metrics/").content.decode()
    for n, name in enumerate(every_entity):  # the calls-by-entity table lists each, with its count
        assert re.search(rf"<th>{name}</th><td>{100 + n}</td>", metrics), name
    overview = staff_client.get("/tds-admin/").content.decode()
    for name in every_entity:
        assert f"<td>{name}</td>" in overview  # its freshness row
        assert f"{name} 9" in overview  # its match in the health box
    dead = staff_client.get("/tds-admin/dead-letters/").content.decode()
    queue = staff_client.get("/tds-admin/queue/").content.decode()
    for name in every_entity:
        assert f"bad {name}" in dead and f"broke on {name}" in queue


def test_no_template_iterates_a_dict_through_items() -> None:
    loops = re.compile(r"{%\s*for\s+[^%]*\s+in\s+[^%]*\.(items|keys|values)\s*%}")
    found = [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for path in TEMPLATES.rglob("*.html")
             for m in loops.finditer(path.read_text())]
    assert found == []
