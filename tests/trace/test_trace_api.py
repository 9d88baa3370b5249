"""GET /api/tds/records?q= and /api/tds/records/<entity>/<zoho_id>: JSON, staff only, in the schema."""
from __future__ import annotations

import pytest
from django.utils import timezone

from tests.trace.helpers import write_invoice, write_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    write_item("1001", name="Blue widget", sku="W-1", rate=5, modified="2026-11-01T10:00:00+0000")
    write_invoice("2001", number="INV-000042", customer="Widget Traders", modified="2026-11-02T10:00:00+0000")


def test_search_answers_groups_with_trace_urls(staff_api, records):
    body = staff_api.get("/api/tds/records", {"q": "widget"}).json()
    assert body["query"] == "widget" and body["total"] == 2
    assert [g["entity"] for g in body["groups"]] == ["items", "invoices"]
    hit = body["groups"][0]["results"][0]
    assert hit == {"zoho_id": "1001", "title": "Blue widget", "subtitle": "W-1", "active": True, "exact": False,
                   "url": "/api/tds/records/items/1001"}
    by_id = staff_api.get("/api/tds/records", {"q": "2001"}).json()
    assert by_id["groups"][0]["results"][0]["exact"] is True


def test_search_limit_bounds_each_entity(staff_api, records):
    write_item("1003", name="Green widget", sku="W-3", rate=5, modified="2026-11-01T10:00:00+0000")
    body = staff_api.get("/api/tds/records", {"q": "widget", "limit": 1}).json()
    items = body["groups"][0]
    assert len(items["results"]) == 1 and items["more"] is True


@pytest.mark.parametrize("params, field", [({}, "q"), ({"q": "x" * 101}, "q"), ({"q": "ab", "limit": 0}, "limit")])
def test_bad_search_parameters_are_one_json_line(staff_api, params, field):
    answer = staff_api.get("/api/tds/records", params)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid" and field in answer.json()["message"]


def test_trace_answers_the_record(staff_api, records):
    then = timezone.now().isoformat()
    write_item("1001", name="Renamed", sku="W-1", rate=5, modified="2026-11-03T10:00:00+0000")
    body = staff_api.get("/api/tds/records/items/1001", {"as_of": then}).json()
    assert body["fields"]["name"] == "Renamed" and body["as_of"]["fields"]["name"] == "Blue widget"
    assert [e["action"] for e in body["timeline"]] == ["update", "create"]
    assert body["timeline"][0]["old"] == "Blue widget" and body["timeline"][0]["new"] == "Renamed"
    invoice = staff_api.get("/api/tds/records/invoices/2001").json()
    assert invoice["lines"][0]["quantity"] == "3" and invoice["lines"][0]["product"]["zoho_id"] == "1001"
    assert invoice["links"] == [{"field": "customer", "in_mirror": False, "entity": "customers",
                                 "zoho_id": "5001", "label": "5001"}]
    assert invoice["as_of"] is None and "comparison" not in invoice


@pytest.mark.parametrize("path, params, status, message", [
    ("/api/tds/records/gizmos/1", {}, 400, "unknown entity"),
    ("/api/tds/records/items/abc", {}, 400, "is not a Zoho id"),
    ("/api/tds/records/items/1001", {"as_of": "soon"}, 400, "ISO 8601"),
    ("/api/tds/records/items/1001", {"compare": "maybe"}, 400, "compare"),
    ("/api/tds/records/items/999", {}, 404, "no items record")])
def test_trace_errors_are_one_json_line(staff_api, records, path, params, status, message):
    answer = staff_api.get(path, params)
    assert answer.status_code == status and message in answer.json()["message"], answer.json()


def test_records_are_staff_only(user_api, client, records):
    assert user_api.get("/api/tds/records", {"q": "widget"}).status_code == 403
    assert user_api.get("/api/tds/records/items/1001").status_code == 403
    assert client.get("/api/tds/records/items/1001").status_code in (401, 403)


def test_the_schema_describes_search_trace_and_refetch(staff_api):
    schema = staff_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"q", "limit"} <= {p["name"] for p in paths["/api/tds/records"]["get"]["parameters"]}
    trace = paths["/api/tds/records/{entity}/{zoho_id}"]["get"]
    assert {"as_of", "compare"} <= {p["name"] for p in trace["parameters"]}
    assert {"200", "400", "404", "502"} <= set(trace["responses"])
    assert "post" in paths["/api/tds/records/{entity}/{zoho_id}/refetch"]
    assert "comparison" in schema["components"]["schemas"]["Trace"]["properties"]
