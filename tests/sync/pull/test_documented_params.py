"""Every list call the mirror makes sends only query parameters Zoho's OpenAPI file documents for that
endpoint (tests/zoho/fixtures/oas/), on full and incremental passes, with documented sort columns.

The calls are the real ones: every registry entity is pulled from the sandbox over HTTP, full then
incremental, and the query strings the sandbox received are checked against Zoho's files.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml

from sync.entities import REGISTRY
from sync.pull.run import pull_entity
from tests.zoho.oas import OAS_DIR

pytestmark = pytest.mark.django_db(transaction=True)
ALWAYS = {"organization_id"}  # every call names the organization (documented on every operation)


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(api, path) -> the list operation's documented parameters, from every file.

    A Books path whose Books file documents no parameters at all (the stub books.yml lists
    /invoices and /contacts without any, not even page) is read from the Inventory file of the
    same path, the documentation Zoho publishes for those lists."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for file in sorted(OAS_DIR.glob("*.yml")):
        document = yaml.safe_load(file.read_text())
        api = "books" if "/books/" in document["servers"][0]["url"] else "inventory"
        for path, item in document["paths"].items():
            operation = item.get("get")
            if not operation:
                continue
            params: dict[str, Any] = {}
            for param in [*item.get("parameters", []), *operation.get("parameters", [])]:
                if "$ref" in param:
                    param = document["components"]["parameters"][param["$ref"].split("/")[-1]]
                if param.get("in") == "query":
                    params[param["name"]] = param
            if params or (api, path) not in found:
                found[(api, path)] = params
    for (api, path), params in list(found.items()):
        if api == "books" and not params and ("inventory", path) in found:
            found[(api, path)] = found[("inventory", path)]
    return found


OPERATIONS = _operations()


def _sort_columns(param: dict[str, Any]) -> set[str]:
    """The sort_column values a parameter documents: its enum, or the <code> values of its description."""
    import re

    if param.get("schema", {}).get("enum"):
        return set(param["schema"]["enum"])
    blocks = re.findall(r"<code>(.*?)</code>", param.get("description", ""))
    return {word.strip() for block in blocks for word in re.split(r",|\s+and\s+", block) if word.strip()}


def test_every_spec_names_an_endpoint_zoho_documents():
    for spec in REGISTRY.values():
        documented = OPERATIONS.get((spec.api, spec.path))
        assert documented is not None, f"{spec.name}: {spec.api} {spec.path} is in no OAS file"
        assert spec.documented <= set(documented), (spec.name, spec.documented - set(documented))
        if spec.sort_columns:
            assert set(spec.sort_columns) <= _sort_columns(documented["sort_column"]), spec.name


@pytest.fixture
def received(sb):
    """Record the query of every API call the sandbox answers: (api, path, {params})."""
    calls: list[tuple[str, str, dict[str, str]]] = []
    original = sb.app.handle

    def handle(method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Any:
        if path.startswith(("/books/v3/", "/inventory/v1/")):
            api = "books" if path.startswith("/books/") else "inventory"
            rest = "/" + path.split("/", 3)[3]
            calls.append((api, rest, dict(parse_qsl(query, keep_blank_values=True))))
        return original(method, path, query, headers, body)

    sb.app.handle = handle
    yield calls
    sb.app.handle = original


def test_full_and_incremental_pulls_send_only_documented_parameters(sb, zclient, received):
    for spec in REGISTRY.values():
        for full in (True, False):
            result = pull_entity(entity=spec.name, full=full, client=zclient)
            assert result.status == "completed", (spec.name, full, result.error)
    lists = [(api, path, params) for api, path, params in received if (api, path) in OPERATIONS]
    assert {(api, path) for api, path, _ in lists} >= {(s.api, s.path) for s in REGISTRY.values()}
    problems = []
    for api, path, params in lists:
        documented = OPERATIONS[(api, path)]
        problems += [f"{api} {path}: {name}={value}" for name, value in params.items()
                     if name not in documented and name not in ALWAYS]
        column = params.get("sort_column")
        if column and column not in _sort_columns(documented["sort_column"]):
            problems.append(f"{api} {path}: sort_column={column} is not a documented sort column")
    assert problems == []


def test_incremental_passes_filter_only_where_zoho_documents_the_filter():
    from datetime import UTC, datetime

    from sync.pull.run import plan_pull

    since = datetime(2026, 1, 1, tzinfo=UTC)
    filtered = {s.name for s in REGISTRY.values() if "last_modified_time" in plan_pull(spec=s, full=False,
                                                                                         since=since).params}
    assert filtered == {"items", "composite_items", "bills", "sales_orders", "purchase_orders", "vendor_payments"}
    for spec in REGISTRY.values():  # no filter: the pass is a complete listing, which also finds deletions
        plan = plan_pull(spec=spec, full=False, since=since)
        assert plan.complete == (spec.name not in filtered), spec.name


def test_customers_and_vendors_are_one_contacts_list_split_locally(sb, zclient):
    from sync.compare.run import compare_run
    from sync.models import Customer, Vendor
    from sync.pull.run import pull_all

    assert pull_all(entities=["customers", "vendors"], client=zclient, full=True).ok
    contacts = sb.store.list("contacts")
    assert Customer.objects.count() == sum(c["contact_type"] == "customer" for c in contacts)
    assert Vendor.objects.count() == sum(c["contact_type"] == "vendor" for c in contacts)
    sb.calls.reset()
    report = compare_run(entities=["customers", "vendors"], client=zclient)
    assert all(c.in_sync for c in report.comparisons), [c.to_dict() for c in report.comparisons]
    assert sb.calls.by_endpoint() == {"GET /books/v3/contacts": 1}  # one listing serves both
