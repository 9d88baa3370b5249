"""Sandbox responses validated against Zoho's own OpenAPI schemas (tests/zoho/fixtures/oas/).

Relaxations, and only these:
- ids: the OAS types ids as integers while live responses carry strings, so an
  `integer`/`number` property named `id`, `*_id` or `*_ids` also accepts a string; likewise the
  product codes upc/ean/isbn/part_number, which live responses carry as strings.
- empty numbers: Zoho renders them as "" in JSON, so a number property also accepts "".
- types assembled from one example: `outstanding_receivable_amount: 250` made it an
  integer, so an integer property accepts any number; a property declared `string` whose own OAS
  example is a number (`shipping_charge: {type: string, example: 0}`, an invoice's `balance`, a
  payment's `bcy_amount`) also accepts a number; and a property accepts any type Zoho's files
  declare for the same field name elsewhere (an invoice's `total` is a number in the list schema
  and a string in the detail schema; `billing_address` is an object for invoices, an array for bills).
Everything else (other types, enums, structure) is checked as Zoho's files declare it.
"""
from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from tests.zoho.oas import OAS_DIR
from tests.zoho.sandboxkit import Api

# (OAS file, OAS path, sandbox path or None for a detail path built from the list, list key for ids)
CASES = [
    ("inventory-items.yml", "/items", "/items", None),
    ("inventory-items.yml", "/items/{item_id}", "/items/{id}", "items"),
    ("inventory-items.yml", "/itemdetails", "/itemdetails", "items"),
    ("inventory-contacts.yml", "/contacts", "/contacts", None),
    ("inventory-contacts.yml", "/contacts/{contact_id}", "/contacts/{id}", "contacts"),
    ("inventory-pricelists.yml", "/pricebooks", "/pricebooks", None),
    ("inventory-locations.yml", "/locations", "/locations", None),
    ("inventory-invoices.yml", "/invoices", "/invoices", None),
    ("inventory-invoices.yml", "/invoices/{invoice_id}", "/invoices/{id}", "invoices"),
    ("inventory-bills.yml", "/bills", "/bills", None),
    ("inventory-bills.yml", "/bills/{bill_id}", "/bills/{id}", "bills"),
    ("inventory-customer-payments.yml", "/customerpayments", "/customerpayments", None),
    ("inventory-customer-payments.yml", "/customerpayments/{payment_id}", "/customerpayments/{id}",
     "customerpayments"),
    ("inventory-credit-notes.yml", "/creditnotes", "/creditnotes", None),
    ("inventory-credit-notes.yml", "/creditnotes/{creditnote_id}", "/creditnotes/{id}", "creditnotes"),
    ("inventory-salesorders.yml", "/salesorders", "/salesorders", None),
    ("inventory-salesorders.yml", "/salesorders/{salesorder_id}", "/salesorders/{id}", "salesorders"),
    ("inventory-purchaseorders.yml", "/purchaseorders", "/purchaseorders", None),
    ("inventory-purchaseorders.yml", "/purchaseorders/{purchaseorder_id}", "/purchaseorders/{id}",
     "purchaseorders"),
    ("inventory-inventoryadjustments.yml", "/inventoryadjustments", "/inventoryadjustments", None),
    ("inventory-inventoryadjustments.yml", "/inventoryadjustments/{inventory_adjustment_id}",
     "/inventoryadjustments/{id}", "inventory_adjustments"),
    ("inventory-transferorders.yml", "/transferorders", "/transferorders", None),
    ("inventory-transferorders.yml", "/transferorders/{transfer_order_id}", "/transferorders/{id}",
     "transfer_orders"),
    ("inventory-compositeitems.yml", "/compositeitems", "/compositeitems", None),
    ("inventory-organizations.yml", "/organizations", "/organizations", None),
]
LIST_PATHS = {"items": "/items", "contacts": "/contacts", "invoices": "/invoices", "bills": "/bills",
              "customerpayments": "/customerpayments", "creditnotes": "/creditnotes",
              "salesorders": "/salesorders", "purchaseorders": "/purchaseorders",
              "inventory_adjustments": "/inventoryadjustments", "transfer_orders": "/transferorders"}
ID_KEYS = {"items": "item_id", "contacts": "contact_id", "invoices": "invoice_id", "bills": "bill_id",
           "customerpayments": "payment_id", "creditnotes": "creditnote_id", "salesorders": "salesorder_id",
           "purchaseorders": "purchaseorder_id", "inventory_adjustments": "inventory_adjustment_id",
           "transfer_orders": "transfer_order_id"}

# Real list responses carry these product codes as strings too (Airbyte's schemas of live responses say so).
PRODUCT_CODES = ("upc", "ean", "isbn", "part_number")

_loaded: dict[str, dict[str, Any]] = {}


def _document(name: str) -> dict[str, Any]:
    if name not in _loaded:
        _loaded[name] = yaml.safe_load((OAS_DIR / name).read_text())
    return _loaded[name]


def _resolve(document: dict[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    """Inline every local $ref (recursion stops at a ref already being expanded)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                return {}
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part]
            return _resolve(document, target, (*seen, ref))
        return {key: _resolve(document, value, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(document, value, seen) for value in node]
    return node


def declared_types() -> dict[str, set[str]]:
    """Every type Zoho's OAS files give each property name, across all files."""
    if "_types" not in _loaded:
        found: dict[str, set[str]] = {}
        for path in OAS_DIR.glob("*.yml"):
            _collect(yaml.safe_load(path.read_text()), found)
        _loaded["_types"] = found  # type: ignore[assignment]
    return _loaded["_types"]  # type: ignore[return-value]


def _collect(node: Any, found: dict[str, set[str]]) -> None:
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            if isinstance(value, dict) and isinstance(value.get("type"), str):
                found.setdefault(name, set()).add(value["type"])
        for value in node.values():
            _collect(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect(value, found)


def _relax(schema: Any, name: str = "") -> Any:
    """Apply exactly the documented relaxations (see the module docstring)."""
    if isinstance(schema, list):
        return [_relax(value) for value in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: (_relax_properties(value) if key == "properties" else _relax(value))
           for key, value in schema.items()}
    declared = out.get("type")
    if not name or not isinstance(declared, str):
        return out
    alternatives = {kind for kind in declared_types().get(name, set()) if kind != declared}
    example = out.get("example")
    if declared == "string" and isinstance(example, (int, float)) and not isinstance(example, bool):
        alternatives.add("number")  # Zoho's own example for the field is a number
    if declared in ("integer", "number"):
        alternatives.add("number")
        if name == "id" or name.endswith(("_id", "_ids")) or name in PRODUCT_CODES:
            alternatives.add("string")
    if not alternatives and declared not in ("integer", "number"):
        return out
    anyof: list[dict[str, Any]] = [out, *({"type": kind} for kind in sorted(alternatives))]
    if declared in ("integer", "number"):
        anyof.append({"type": "string", "enum": [""]})
    return {"anyOf": anyof}


def _relax_properties(properties: dict[str, Any]) -> dict[str, Any]:
    return {name: _relax(value, name) for name, value in properties.items()}


def response_schema(file: str, path: str) -> dict[str, Any]:
    document = _document(file)
    operation = document["paths"][path]["get"]
    response = _resolve(document, operation["responses"]["200"])
    return _relax(copy.deepcopy(response["content"]["application/json"]["schema"]))


@pytest.fixture(scope="module")
def served(sandbox_factory_module: Any) -> Api:
    return Api(sandbox_factory_module)


@pytest.fixture(scope="module")
def sandbox_factory_module() -> Any:
    from zoho.sandbox import SandboxConfig, SandboxServer

    server = SandboxServer(SandboxConfig(items=60, rate_limit_per_minute=0, stock_shape="locations",
                                         counts={"invoices": 20, "bills": 10})).start()
    yield server
    server.stop()


def _sandbox_path(api: Api, template: str, list_key: str | None) -> tuple[str, dict[str, str]]:
    if list_key is None:
        return template, {}
    first = api.json(LIST_PATHS[list_key], per_page=1)[list_key][0][ID_KEYS[list_key]]
    if template == "/itemdetails":
        return template, {"item_ids": first}
    return template.replace("{id}", first), {}


@pytest.mark.parametrize(("file", "oas_path", "template", "list_key"), CASES,
                         ids=[f"{case[0]}:{case[1]}" for case in CASES])
def test_response_matches_zohos_schema(served: Api, file: str, oas_path: str, template: str,
                                       list_key: str | None) -> None:
    path, params = _sandbox_path(served, template, list_key)
    body = served.json(path, **params)
    errors = sorted(OAS30Validator(response_schema(file, oas_path)).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_relaxation_is_only_for_ids_and_empty_numbers() -> None:
    schema = _relax({"type": "object", "properties": {"item_id": {"type": "integer"}, "rate": {"type": "number"},
                                                      "name": {"type": "string"}}})
    validator = OAS30Validator(schema)
    assert validator.is_valid({"item_id": "4611000000000001", "rate": "", "name": "x"})
    assert validator.is_valid({"item_id": 4611000000000001, "rate": 12.5})
    assert not validator.is_valid({"rate": "12.5"})
    assert not validator.is_valid({"name": 5})
