"""The fake Odoo answers as Odoo's external API documents it, whatever client asks."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from odoo.fake import FakeConfig, FakeOdooServer

KEY = FakeConfig().api_key


def rpc(odoo: FakeOdooServer, model: str, method: str, args: list, kwargs: dict | None = None):
    proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object")
    return proxy.execute_kw("tsh", 2, KEY, model, method, args, kwargs or {})


def json2(odoo: FakeOdooServer, model: str, method: str, body: dict, key: str = KEY) -> requests.Response:
    return requests.post(f"{odoo.url}/json/2/{model}/{method}", json=body, timeout=5,
                         headers={"Authorization": f"bearer {key}", "X-Odoo-Database": "tsh"})


@pytest.fixture(params=[17, 18, 19])
def fake(request: pytest.FixtureRequest, odoo_fake_factory):
    return odoo_fake_factory(version=request.param)


def test_common_service_version_and_authenticate(fake):
    common = xmlrpc.client.ServerProxy(f"{fake.url}/xmlrpc/2/common")
    version = common.version()
    assert set(version) == {"server_version", "server_version_info", "server_serie", "protocol_version"}
    assert common.authenticate("tsh", "admin", KEY, {}) == 2
    assert common.authenticate("tsh", "admin", "wrong", {}) is False  # False, not a fault
    with pytest.raises(xmlrpc.client.Fault) as fault:
        common.authenticate("nope", "admin", KEY, {})
    assert fault.value.faultCode == 1 and 'database "nope" does not exist' in fault.value.faultString


def test_fault_codes_and_traceback_strings(fake):
    with pytest.raises(xmlrpc.client.Fault) as denied:
        xmlrpc.client.ServerProxy(f"{fake.url}/xmlrpc/2/object").execute_kw("tsh", 2, "bad", "res.users",
                                                                            "search", [[]])
    assert (denied.value.faultCode, denied.value.faultString) == (3, "Access Denied")
    with pytest.raises(xmlrpc.client.Fault) as missing:
        rpc(fake, "no.such.model", "search", [[]])
    assert (missing.value.faultCode, missing.value.faultString) == (2, "Object no.such.model doesn't exist")
    with pytest.raises(xmlrpc.client.Fault) as unknown:
        rpc(fake, "product.template", "no_such_method", [[]])
    assert unknown.value.faultCode == 1 and unknown.value.faultString.startswith("Traceback (most recent call last)")
    assert unknown.value.faultString.strip().splitlines()[-1].startswith("AttributeError: The method ")
    with pytest.raises(xmlrpc.client.Fault) as invalid:
        rpc(fake, "product.template", "create", [[{"name": "x", "colour": "red"}]])
    assert invalid.value.faultString.strip().endswith("Invalid field 'colour' on model 'product.template'")
    with pytest.raises(xmlrpc.client.Fault) as required:
        rpc(fake, "product.template", "create", [[{"default_code": "X"}]])
    assert required.value.faultCode == 2 and "Missing required value" in required.value.faultString


def test_product_rules(fake):
    ids = rpc(fake, "product.template", "create", [[{"name": "a", "default_code": "DUP", "list_price": 2.675},
                                                     {"name": "b", "default_code": "DUP"}]])
    rows = rpc(fake, "product.template", "read", [ids], {"fields": ["default_code", "list_price", "uom_id"]})
    assert [r["default_code"] for r in rows] == ["DUP", "DUP"]  # internal references are not unique
    assert rows[0]["list_price"] == 2.68 and rows[1]["list_price"] == 1.0  # 2 decimals half-up; default 1.0
    assert rows[0]["uom_id"][1] == "Units"
    assert rpc(fake, "product.product", "search_count", [[("default_code", "=", "DUP")]]) == 2  # one variant each
    rpc(fake, "product.template", "write", [ids, {"active": False}])
    assert rpc(fake, "product.template", "search_count", [[]]) == 0  # archived records hidden by default
    assert rpc(fake, "product.product", "search_count", [[]], {"context": {"active_test": False}}) == 2
    with pytest.raises(xmlrpc.client.Fault) as barcode:
        rpc(fake, "product.template", "create", [[{"name": "c", "barcode": "1"}, {"name": "d", "barcode": "1"}]])
    assert barcode.value.faultCode == 2 and "Barcode(s) already assigned" in barcode.value.faultString
    assert rpc(fake, "product.template", "search_count", [[("name", "=", "c")]]) == 0  # the call was atomic


def test_archived_units_and_company_currency(fake):
    active = rpc(fake, "uom.uom", "search_read", [[]], {"fields": ["name"]})
    every = rpc(fake, "uom.uom", "search_read", [[]], {"fields": ["name"], "context": {"active_test": False}})
    assert "lb" not in {u["name"] for u in active} and "lb" in {u["name"] for u in every}
    iqd = rpc(fake, "res.currency", "search_read", [[("name", "=", "IQD")]],
              {"fields": ["rounding", "active"], "context": {"active_test": False}})
    assert iqd[0]["rounding"] == 0.001
    assert rpc(fake, "res.company", "search_read", [[]], {"fields": ["currency_id"]})[0]["currency_id"][1] == "IQD"


def test_version_field_differences(fake):
    fields = rpc(fake, "product.template", "fields_get", [], {"attributes": ["type", "selection"]})
    major = fake.app.profile.major
    assert ("detailed_type" in fields) == (major == 17)
    assert ("is_storable" in fields) == (major >= 18)
    assert ("uom_po_id" in fields) == (major <= 18)
    assert ["combo", "Combo"] in fields["type"]["selection"] or major == 17


def test_uom_categories_must_match_before_19(odoo_fake_factory):
    fake = odoo_fake_factory(version=18)
    kg = rpc(fake, "uom.uom", "search", [[("name", "=", "kg")]])[0]
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc(fake, "product.template", "create", [[{"name": "x", "uom_id": kg}]])  # uom_po_id defaults to Units
    assert fault.value.faultCode == 2 and "same category" in fault.value.faultString


def test_json2_only_from_19_with_odoo_error_bodies(odoo_fake_factory):
    assert requests.get(f"{odoo_fake_factory(version=18).url}/web/version", timeout=5).status_code == 404
    fake = odoo_fake_factory(version=19)
    assert requests.get(f"{fake.url}/web/version", timeout=5).json()["version"] == "19.0"
    created = json2(fake, "product.template", "create", {"vals_list": [{"name": "x"}]})
    assert created.status_code == 200 and created.json() == [1]
    cases = [(json2(fake, "product.template", "search", {"domain": []}, key="bad"), 401, "Invalid apikey"),
             (json2(fake, "no.model", "search", {"domain": []}), 404, "the model 'no.model' does not exist"),
             (json2(fake, "product.template", "create", {"ids": [1], "vals_list": []}), 422, "with ids"),
             (json2(fake, "product.template", "search", {"domian": []}), 422, "argument"),
             (json2(fake, "product.template", "create", {"vals_list": [{"default_code": "x"}]}), 422, "Missing")]
    for answer, status, text in cases:
        body = answer.json()
        assert answer.status_code == status and text in body["message"]
        assert set(body) == {"name", "message", "arguments", "context", "debug"}
    assert requests.post(f"{fake.url}/json/2/x", json={}, timeout=5).json()["message"].startswith("Did you mean")


def test_transient_faults_are_retried_by_the_client_but_creates_are_not(odoo_fake_factory):
    from odoo.client import OdooClient
    from odoo.config import OdooSettings
    from odoo.errors import OdooTransientError

    fake = odoo_fake_factory(version=19)
    client = OdooClient(OdooSettings(fake.url, "tsh", "admin", KEY), retry_wait=0.01)
    client.connect()
    fake.app.faults["http_503"] = 2
    assert client.search_count("product.template", []) == 0
    fake.app.faults["reset"] = 1
    with pytest.raises(OdooTransientError):
        client.create("product.template", [{"name": "x"}])
    assert fake.app.counters()["faults"]["reset_injected"] == 1
