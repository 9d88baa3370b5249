"""ORM methods beyond CRUD, through the stdlib XML-RPC client (and JSON-2 on 19), as Odoo answers them."""
from __future__ import annotations

import xmlrpc.client
from typing import Any

import pytest
import requests

from odoo.fake import FakeConfig, FakeOdooServer

KEY = FakeConfig().api_key


def rpc(fake: FakeOdooServer, model: str, method: str, args: list, kwargs: dict | None = None,
        password: str = KEY) -> Any:
    proxy = xmlrpc.client.ServerProxy(f"{fake.url}/xmlrpc/2/object")
    return proxy.execute_kw("tsh", 2, password, model, method, args, kwargs or {})


def fault(fake: FakeOdooServer, model: str, method: str, args: list, kwargs: dict | None = None) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as raised:
        rpc(fake, model, method, args, kwargs)
    return raised.value


def json2(fake: FakeOdooServer, model: str, method: str, body: dict) -> requests.Response:
    return requests.post(f"{fake.url}/json/2/{model}/{method}", json=body, timeout=5,
                         headers={"Authorization": f"bearer {KEY}", "X-Odoo-Database": "tsh"})


@pytest.fixture(params=[17, 18, 19], ids=["odoo17", "odoo18", "odoo19"])
def fake(request: pytest.FixtureRequest, odoo_fake_factory):
    return odoo_fake_factory(version=request.param)


def test_common_and_db_services(fake):
    common = xmlrpc.client.ServerProxy(f"{fake.url}/xmlrpc/2/common")
    assert common.login("tsh", "admin", "admin") == 2 and common.login("tsh", "admin", KEY) == 2
    assert common.about() == "See http://openerp.com"
    assert common.about(True) == ["See http://openerp.com", f"{fake.app.profile.major}.0"]
    db = xmlrpc.client.ServerProxy(f"{fake.url}/xmlrpc/2/db")
    assert db.list() == ["tsh"] and db.db_exist("tsh") is True and db.db_exist("other") is False
    with pytest.raises(xmlrpc.client.Fault) as drop:
        db.drop("admin", "tsh")
    assert (drop.value.faultCode, drop.value.faultString) == (3, "Access Denied")
    assert rpc(fake, "res.users", "search", [[("login", "=", "admin")]], password="admin") == [2]


@pytest.mark.parametrize("name", ["_read", "__init__", "_compute_display_name", "_", "init"])
def test_private_methods_are_access_errors(fake, name):
    major = fake.app.profile.major
    if name == "init" and major >= 19:  # 19 only refuses underscores; it has no public `init`
        assert fault(fake, "product.template", name, [[1]]).faultCode == 1
        return
    refused = fault(fake, "product.template", name, [[1]])
    shown = f"'product.template.{name}'" if major >= 19 else name
    assert (refused.faultCode, refused.faultString) == (4, f"Private methods (such as {shown}) cannot be called "
                                                           f"remotely.")
    if major >= 19:
        answer = json2(fake, "product.template", name, {"ids": [1]})
        assert answer.status_code == 403 and answer.json()["name"] == "odoo.exceptions.AccessError"


def test_unknown_methods_are_attribute_errors_in_each_versions_words(fake):
    unknown = fault(fake, "product.template", "copy", [[1]])
    last = unknown.faultString.strip().splitlines()[-1]
    if fake.app.profile.major >= 19:
        assert last == "AttributeError: The method 'product.template.copy' does not exist"
    else:
        assert last == "AttributeError: The method 'copy' does not exist on the model 'product.template'"


def test_check_access_rights(fake):
    major = fake.app.profile.major
    assert rpc(fake, "product.template", "check_access_rights", ["unlink", False]) is True
    if major == 17:
        assert rpc(fake, "product.template", "check_access_rights", ["read"]) is True
    else:  # a deprecated alias of check_access, which answers None: XML-RPC cannot carry it
        none = fault(fake, "product.template", "check_access_rights", ["read"])
        assert none.faultCode == 1 and "cannot marshal None" in none.faultString
        assert rpc(fake, "product.template", "has_access", [[], "write"]) is True
    invalid = fault(fake, "product.template", "check_access_rights", ["delete", False])
    assert invalid.faultCode == 1 and invalid.faultString.strip().endswith("AssertionError: Invalid access mode")
    if major == 17:  # check_access and has_access came with 18
        assert fault(fake, "product.template", "has_access", [[], "read"]).faultCode == 1


NAMES = [("Blue widget", "BW-1"), ("Red widget", False), ("Spanner", "widget-9"), ("Hammer", "HM"),
         ("Old widget", "OLD")]
# (name, operator, limit) -> names of the matching products, in order (for variants when they differ)
SEARCHES: list[tuple[tuple[str, str, int], Any]] = [
    (("BW-1", "ilike", 100), ["Blue widget"]),  # exact internal reference first, nothing else
    (("widget", "ilike", 100), ["Spanner", "Blue widget", "Red widget"]),  # references, then names
    (("WIDGET", "ilike", 2), ["Spanner", "Blue widget"]),
    (("widget", "like", 100), ["Spanner", "Blue widget", "Red widget"]),
    (("Widget", "like", 100), []),
    (("red widget", "=ilike", 100), ["Red widget"]),
    (("Red", "=", 100), []),
    (("widget", "not ilike", 100), ["Hammer"]),  # both name and reference must not match
    (("[HM] Hammer", "ilike", 100), ["Hammer"]),  # a display name falls back to its reference
    # archived ones stay out; variants search references even for an empty name, templates do not
    (("", "ilike", 0), {"product.template": ["Blue widget", "Red widget", "Spanner", "Hammer"],
                        "product.product": ["Blue widget", "Spanner", "Hammer", "Red widget"]}),
    (("zzz", "ilike", 100), []),
]


@pytest.mark.parametrize(("query", "expected"), SEARCHES, ids=[f"{q[1]}-{q[0]!r}-{q[2]}" for q, _ in SEARCHES])
def test_name_search_on_products(fake, query, expected):
    ids = rpc(fake, "product.template", "create", [[{"name": n, "default_code": c} for n, c in NAMES]])
    rpc(fake, "product.template", "write", [[ids[-1]], {"active": False}])
    name, operator, limit = query
    for model in ("product.template", "product.product"):
        found = rpc(fake, model, "name_search", [name], {"operator": operator, "limit": limit})
        displayed = [label.split("] ", 1)[-1] for _, label in found]
        assert displayed == (expected[model] if isinstance(expected, dict) else expected), model


def test_name_search_arguments_per_version(fake):
    rpc(fake, "product.template", "create", [[{"name": "Blue"}, {"name": "Blue", "default_code": "B2"}]])
    domain = [("default_code", "!=", False)]
    assert rpc(fake, "product.template", "name_search", ["Blue", domain, "ilike", 5]) == [[2, "[B2] Blue"]]
    assert rpc(fake, "uom.uom", "name_search", ["kg", [], "="]) == [[rpc(fake, "uom.uom", "search",
                                                                         [[("name", "=", "kg")]])[0], "kg"]]
    renamed, old = ("domain", "args") if fake.app.profile.major >= 19 else ("args", "domain")
    assert rpc(fake, "product.template", "name_search", ["Blue"], {renamed: domain}) == [[2, "[B2] Blue"]]
    assert fault(fake, "product.template", "name_search", ["Blue"], {old: domain}).faultCode == 1
    if fake.app.profile.major >= 19:
        answer = json2(fake, "product.template", "name_search", {"name": "Blue", "domain": domain, "limit": 1})
        assert answer.json() == [[2, "[B2] Blue"]]


def test_currency_decimal_places_follow_the_rounding(fake):
    every = {"context": {"active_test": False}}
    rows = rpc(fake, "res.currency", "search_read", [[]], {"fields": ["name", "rounding", "decimal_places"], **every})
    assert {r["name"]: (r["rounding"], r["decimal_places"]) for r in rows} == \
        {"USD": (0.01, 2), "EUR": (0.01, 2), "IQD": (0.001, 3), "AED": (0.01, 2)}
    aed = rpc(fake, "res.currency", "search", [[("name", "=", "AED")]], every)
    for rounding, places in [(1.0, 0), (0.5, 1), (0.05, 2), (0.0001, 4), (5.0, 0)]:
        rpc(fake, "res.currency", "write", [aed, {"rounding": rounding}])
        assert rpc(fake, "res.currency", "read", [aed, ["rounding", "decimal_places"]]) == \
            [{"id": aed[0], "rounding": rounding, "decimal_places": places}]
    assert rpc(fake, "res.currency", "search_count", [[("decimal_places", "=", 3)]]) == 1
    described = rpc(fake, "res.currency", "fields_get", [["rounding", "decimal_places"]],
                    {"attributes": ["type", "digits", "readonly"]})
    assert described == {"rounding": {"type": "float", "digits": [12, 6], "readonly": False},
                         "decimal_places": {"type": "integer", "readonly": True}}


def test_unlink_cascades_between_templates_and_variants(fake):
    every = {"context": {"active_test": False}}
    kept, dropped = rpc(fake, "product.template", "create", [[{"name": "Kept"}, {"name": "Dropped"}]])
    extra = rpc(fake, "product.product", "create", [{"name": "Kept", "product_tmpl_id": kept}])
    rpc(fake, "product.product", "write", [[extra], {"active": False}])
    assert rpc(fake, "product.template", "read", [[kept], ["product_variant_ids"]])[0]["product_variant_ids"] == [1]
    assert rpc(fake, "product.template", "read", [[kept], ["product_variant_ids"]], every)[0][
        "product_variant_ids"] == [1, extra]
    # The archived variant goes, its template keeps its active one.
    assert rpc(fake, "product.product", "unlink", [[extra]]) is True
    assert rpc(fake, "product.template", "search_count", [[("id", "=", kept)]]) == 1
    # The last active variant takes its template with it.
    assert rpc(fake, "product.product", "unlink", [[2]]) is True
    assert rpc(fake, "product.template", "search", [[("id", "=", dropped)]], every) == []
    # A template takes every variant with it, archived ones too.
    extra = rpc(fake, "product.product", "create", [{"name": "Kept", "product_tmpl_id": kept, "active": False}])
    assert rpc(fake, "product.template", "unlink", [[kept, 404]]) is True  # ids already gone are skipped
    assert rpc(fake, "product.product", "search_count", [[]], every) == 0


def test_read_load_defaults_and_xml_ids(fake):
    product = rpc(fake, "product.template", "create", [{"name": "P", "default_code": "C"}])
    classic = rpc(fake, "product.template", "read", [[product], ["uom_id", "display_name"]])
    raw = rpc(fake, "product.template", "read", [[product], ["uom_id"]], {"load": "_classic_write"})
    assert classic[0]["uom_id"][1] == "Units" and raw[0]["uom_id"] == classic[0]["uom_id"][0]
    assert classic[0]["display_name"] == "[C] P"
    defaults = rpc(fake, "product.template", "default_get", [["list_price", "uom_id", "sale_ok", "name"]],
                   {"context": {"default_name": "New"}})
    assert defaults == {"list_price": 1.0, "uom_id": raw[0]["uom_id"], "sale_ok": True, "name": "New"}
    assert rpc(fake, "ir.model.data", "check_object_reference", ["base", "main_company"]) == ["res.company", 1]
    assert rpc(fake, "ir.model.data", "check_object_reference", ["base", "AED"]) == ["res.currency", False]
    hidden = fault(fake, "ir.model.data", "check_object_reference", ["base", "AED", True])
    assert hidden.faultCode == 4 and "base.AED" in hidden.faultString
    missing = fault(fake, "ir.model.data", "check_object_reference", ["base", "nope"])
    assert missing.faultString.strip().endswith("ValueError: External ID not found in the system: base.nope")
    assert rpc(fake, "ir.model", "search_read", [[("model", "=", "res.currency")]], {"fields": ["name"]}) == \
        [{"id": rpc(fake, "ir.model", "search", [[("model", "=", "res.currency")]])[0], "name": "Currency"}]
