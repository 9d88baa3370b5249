"""The examples in docs/api.md and the metric families in docs/metrics.md are what the server sends.

Each documented JSON example is compared, key for key and type for type, with a live answer of the
same endpoint; the Prometheus table with a live scrape. A field added, renamed or dropped on either
side fails here, so the docs and the answers cannot drift apart again.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sync.metrics.points import counter_add, gauge_set, observe, points_flush
from sync.models import DeadLetter, SyncRun

DOCS = Path(__file__).resolve().parents[2] / "docs"
# Maps keyed by data (entity names), not by field: their keys are not compared.
DATA_KEYED = {"last_sync_by_entity"}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _same_shape(documented: object, live: object, where: str) -> None:
    if documented is None or live is None:
        return  # null is one of the values a field may hold
    assert _kind(documented) == _kind(live), f"{where}: documented {documented!r}, sent {live!r}"
    if isinstance(documented, dict):
        if where.rsplit(".", 1)[-1] in DATA_KEYED:
            return
        assert set(documented) == set(live), (f"{where}: documented keys {sorted(documented)}, "
                                              f"sent {sorted(live)}")
        for key in documented:
            _same_shape(documented[key], live[key], f"{where}.{key}")
    elif isinstance(documented, list) and documented and live:
        _same_shape(documented[0], live[0], f"{where}[0]")


def _curl_examples(text: str) -> dict[str, tuple[bool, object]]:
    """GET path -> (sent with a key, the JSON printed after `$ curl … <url>` in the bash blocks)."""
    examples = {}
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for command, output in re.findall(r"^\$ (curl[^\n]*(?:\\\n[^\n]*)*)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M):
            if "-X POST" in command or not output.strip():
                continue
            path = re.search(r"https://erp\.example\.com(/api/[^\s\"']*)", command).group(1)
            examples[path] = ("Authorization" in command, json.loads(output))
    return examples


def _health_example(text: str) -> dict:
    block = text.split("With a token:", 1)[1]
    return json.loads(re.search(r"```json\n(.*?)```", block, re.S).group(1))


@pytest.fixture
def activity():
    """A finished pull (so runs and last_sync are not empty) and an open dead letter."""
    from django.utils import timezone

    now = timezone.now()
    SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="completed",
                           processed=40, progress=100.0, started_at=now, finished_at=now, duration_seconds=4.5)
    DeadLetter.objects.create(entity="items", zoho_id="D1", error_class="permanent", error_message="bad")


@pytest.mark.django_db
def test_the_documented_health_body_is_the_one_sent(staff_api, activity):
    documented = _health_example((DOCS / "api.md").read_text())
    live = staff_api.get("/api/tds/health").json()
    _same_shape(documented, live, "health")
    assert set(live["checks"]) == set(documented["checks"])


@pytest.mark.django_db
def test_every_documented_get_example_is_the_shape_sent(staff_api, client, activity):
    examples = _curl_examples((DOCS / "api.md").read_text())
    assert {"/api/tds/health", "/api/bff/tds/status", "/api/bff/tds/runs?entity_type=product",
            "/api/bff/tds/sync/stock/stats"} <= set(examples), sorted(examples)
    for path, (with_key, documented) in examples.items():
        reply = (staff_api if with_key else client).get(path)
        assert reply.status_code == 200, (path, reply.content)
        _same_shape(documented, reply.json(), path)


@pytest.mark.django_db
def test_the_documented_retry_answer_is_the_one_sent(staff_api, no_throttle):
    text = (DOCS / "api.md").read_text()
    example = re.search(r"deadletter/retry.*?\n(\{.*?\})\n", text, re.S).group(1)
    letter = DeadLetter.objects.create(entity="items", zoho_id="D1", error_class="permanent", error_message="bad")
    live = staff_api.post("/api/tds/deadletter/retry", {"ids": [letter.pk, 999]}, format="json").json()
    _same_shape(json.loads(example), live, "deadletter/retry")


def _documented_families() -> dict[str, tuple[str, set[str]]]:
    text = (DOCS / "metrics.md").read_text().split("## Prometheus", 1)[1]
    rows = re.findall(r"^\| `(tds_\w+)` \| (counter|gauge|summary) \| ([^|]*)\|$", text, re.M)
    return {name: (kind, {label.strip() for label in labels.split(",") if label.strip()})
            for name, kind, labels in rows}


@pytest.mark.django_db
def test_the_documented_prometheus_families_are_the_ones_scraped(client, settings, activity):
    settings.TDS_METRICS_TOKEN = ""
    counter_add("tds_items_synced_total", 3, labels={"entity": "items", "source": "pull"})
    counter_add("tds_sync_errors_total", 1, labels={"entity": "items", "kind": "record"})
    counter_add("tds_webhooks_received_total", 1, labels={"entity": "items", "outcome": "stored"})
    counter_add("tds_zoho_api_calls_total", 1, labels={"endpoint": "items", "status": "200"})
    counter_add("tds_dead_letters_added_total", 1, labels={"entity": "items"})
    counter_add("tds_events_total", 1, labels={"event": "tds.run.finished"})
    observe("tds_run_duration_seconds", 4.5, labels={"run_type": "incremental", "status": "completed"})
    observe("tds_apply_latency_seconds", 0.2, labels={"entity": "items"})
    gauge_set("tds_queue_depth", 0, labels={"status": "pending"})
    points_flush()
    documented = _documented_families()
    reply = client.get("/metrics")
    assert reply.status_code == 200
    scraped = {}
    for family in text_string_to_metric_families(reply.content.decode()):
        name = f"{family.name}_total" if family.type == "counter" else family.name
        labels = {key for sample in family.samples for key in sample.labels if key != "quantile"}
        scraped[name] = (family.type, labels)
    assert set(documented) == set(scraped), (sorted(set(documented) ^ set(scraped)))
    for name, (kind, labels) in documented.items():
        assert scraped[name][0] == kind, name
        assert scraped[name][1] <= labels, (name, scraped[name][1], labels)
    sample = re.search(r"Trimmed output:\n\n```\n(.*?)```", (DOCS / "metrics.md").read_text(), re.S).group(1)
    for line in sample.splitlines():
        if not line.startswith("#"):
            family = line.split("{")[0].split(" ")[0].removesuffix("_count").removesuffix("_sum")
            assert family in scraped, line
