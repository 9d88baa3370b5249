"""odoorpc, a JSON-RPC client written for real Odoo servers, drives the fake Odoo of every profile.

odoorpc reads /web/webclient/version_info, logs in through /jsonrpc (common.login, then
res.users.context_get), builds its models from fields_get and calls everything with
object.execute_kw: if the fake answered differently from Odoo, odoorpc would fail here.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import odoorpc
import pytest
from odoorpc.error import RPCError

from odoo.fake import FakeConfig, FakeOdooServer

KEY = FakeConfig().api_key


def connect(fake: FakeOdooServer) -> odoorpc.ODOO:
    address = urlsplit(fake.url)
    return odoorpc.ODOO(address.hostname, port=address.port, timeout=10)


@pytest.fixture(params=[17, 18, 19], ids=["odoo17", "odoo18", "odoo19"])
def fake(request: pytest.FixtureRequest, odoo_fake_factory):
    return odoo_fake_factory(version=request.param)


@pytest.fixture
def client(fake: FakeOdooServer) -> odoorpc.ODOO:
    odoo = connect(fake)
    odoo.login("tsh", "admin", KEY)
    return odoo


def test_login_reads_the_version_the_database_and_the_user(fake, client):
    major = fake.app.profile.major
    assert client.version == f"{major}.0"
    assert client.db.list() == ["tsh"]
    assert client.env.uid == 2 and client.env.user.name == "Administrator"
    assert client.env.context == {"lang": "en_US", "tz": "Asia/Baghdad", "uid": 2}
    assert client.env.user.company_id.currency_id.name == "IQD"
    assert "product.template" in client.env and "no.such.model" not in client.env
    assert client.env.ref("base.main_company").name == "TSH Trading"


def test_the_password_works_as_well_as_the_api_key_and_bad_ones_are_refused(fake):
    connect(fake).login("tsh", "admin", "admin")
    for db, login, password in [("tsh", "admin", "wrong"), ("tsh", "nobody", KEY), ("tsh", "admin", "")]:
        with pytest.raises(RPCError, match="Wrong login ID or password"):
            connect(fake).login(db, login, password)
    with pytest.raises(RPCError) as missing:
        connect(fake).login("nope", "admin", KEY)
    assert missing.value.info["data"]["name"] == "psycopg2.OperationalError"
    assert 'database "nope" does not exist' in missing.value.info["data"]["message"]


def test_create_search_read_and_write(client):
    Template = client.env["product.template"]
    template_id = Template.create({"name": "Widget", "default_code": "W-1", "list_price": 2.675})
    assert Template.create([{"name": "Gadget"}, {"name": "Gizmo"}]) == [template_id + 1, template_id + 2]
    widget = Template.browse(template_id)
    assert (widget.name, widget.list_price, widget.uom_id.name, widget.display_name) == \
        ("Widget", 2.68, "Units", "[W-1] Widget")
    widget.list_price = 3.5  # odoorpc writes each assignment at once
    Template.write([template_id], {"description_sale": "Blue"})
    rows = Template.search_read([("default_code", "=", "W-1")], ["list_price", "description_sale", "categ_id"])
    assert rows == [{"id": template_id, "list_price": 3.5, "description_sale": "Blue", "categ_id": [1, "All"]}]
    assert Template.search_count([]) == 3
    assert client.env["product.product"].search_read([("default_code", "=", "W-1")], ["product_tmpl_id"]) == \
        [{"id": widget.product_variant_ids.ids[0], "product_tmpl_id": [template_id, "[W-1] Widget"]}]


def test_name_search_with_operators_and_limits(fake, client):
    Template = client.env["product.template"]
    ids = Template.create([{"name": "Blue widget", "default_code": "BW"}, {"name": "Red widget"},
                           {"name": "Spanner", "default_code": "widget-9"}])
    domain_arg = "domain" if fake.app.profile.major >= 19 else "args"
    assert Template.name_search("BW") == [[ids[0], "[BW] Blue widget"]]  # an exact internal reference first
    assert [i for i, _ in Template.name_search("widget")] == [ids[2], ids[0], ids[1]]  # references, then names
    assert len(Template.name_search("widget", limit=2)) == 2
    assert Template.name_search("widget", operator="not ilike") == []
    assert Template.name_search("red", **{domain_arg: [("default_code", "=", False)]}) == [[ids[1], "Red widget"]]
    assert [i for i, _ in Template.name_search("", limit=0)] == ids
    units = client.env["uom.uom"].name_search("Units", operator="=")
    assert [name for _, name in units] == ["Units"]


def test_check_access_rights(fake, client):
    Template = client.env["product.template"]
    assert Template.check_access_rights("read", False) is True
    # From 18 it is a deprecated alias of check_access, which answers nothing: JSON-RPC leaves "result" out.
    assert Template.check_access_rights("write") is (True if fake.app.profile.major == 17 else None)
    with pytest.raises(RPCError) as bad:
        Template.check_access_rights("delete")
    assert bad.value.info["data"]["name"] == "builtins.AssertionError"


def test_currencies_have_their_decimal_places(client):
    Currency = client.env["res.currency"]
    rows = Currency.search_read([("name", "in", ["IQD", "USD", "AED"])], ["name", "rounding", "decimal_places",
                                                                          "position", "active"],
                                context={"active_test": False})
    assert {r["name"]: (r["rounding"], r["decimal_places"], r["position"], r["active"]) for r in rows} == {
        "IQD": (0.001, 3, "after", True), "USD": (0.01, 2, "before", True), "AED": (0.01, 2, "after", False)}
    assert client.env.user.company_id.currency_id.decimal_places == 3
    assert Currency.fields_get(["decimal_places"], ["type", "readonly"]) == \
        {"decimal_places": {"type": "integer", "readonly": True}}


def test_a_private_method_is_an_access_error(fake, client):
    major = fake.app.profile.major
    for name in ("_compute_display_name", "__init__", "_read"):
        with pytest.raises(RPCError) as refused:
            client.execute_kw("product.template", name, [[1]])
        data = refused.value.info["data"]
        assert data["name"] == "odoo.exceptions.AccessError"
        shown = f"'product.template.{name}'" if major >= 19 else name
        assert data["message"] == f"Private methods (such as {shown}) cannot be called remotely."
    with pytest.raises(RPCError) as unknown:
        client.execute_kw("product.template", "no_such_method", [[1]])
    assert unknown.value.info["data"]["name"] == "builtins.AttributeError"


def test_unlinking_a_template_unlinks_its_variant_and_the_last_variant_its_template(client):
    Template, Variant = client.env["product.template"], client.env["product.product"]
    everything = {"context": {"active_test": False}}
    first, second = Template.create([{"name": "One", "default_code": "U-1"}, {"name": "Two", "default_code": "U-2"}])
    first_variant = Template.browse(first).product_variant_ids.ids
    assert Variant.search([("product_tmpl_id", "=", first)], **everything) == first_variant
    assert Template.unlink([first]) is True
    assert Variant.search([("id", "in", first_variant)], **everything) == []
    second_variant = Variant.search([("product_tmpl_id", "=", second)])
    assert Variant.unlink(second_variant) is True
    assert Template.search([("id", "=", second)], **everything) == []
    with pytest.raises(RPCError) as gone:
        Template.read([second], ["name"])
    assert gone.value.info["data"]["name"] == "odoo.exceptions.MissingError"


def test_an_unknown_model_is_a_user_error(client):
    with pytest.raises(RPCError) as unknown:
        client.execute_kw("no.such.model", "search", [[]])
    assert unknown.value.info["data"]["name"] == "odoo.exceptions.UserError"
    assert str(unknown.value) == "Object no.such.model doesn't exist"
