"""The fake answers Odoo's JSON-RPC routes byte for byte where clients look: envelopes, codes, sessions."""
from __future__ import annotations

import html
from typing import Any

import pytest
import requests

from odoo.fake import FakeConfig, FakeOdooServer

KEY = FakeConfig().api_key
DATA_KEYS = {"name", "debug", "message", "arguments", "context"}


def post(url: str, params: Any, *, session: requests.Session | None = None, request_id: Any = 7,
         **headers: str) -> requests.Response:
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id}
    return (session or requests).post(url, json=body, headers=headers or None, timeout=5)


def jsonrpc(fake: FakeOdooServer, service: str, method: str, *args: Any) -> dict[str, Any]:
    answer = post(f"{fake.url}/jsonrpc", {"service": service, "method": method, "args": list(args)})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json; charset=utf-8"
    return answer.json()


@pytest.fixture(params=[17, 18, 19], ids=["odoo17", "odoo18", "odoo19"])
def fake(request: pytest.FixtureRequest, odoo_fake_factory):
    return odoo_fake_factory(version=request.param)


def error_code(fake: FakeOdooServer) -> int:
    return 0 if fake.app.profile.major >= 19 else 200  # Odoo stopped sending the arbitrary 200 in 18.1


def test_services_answer_with_the_request_id(fake):
    major = fake.app.profile.major
    version = jsonrpc(fake, "common", "version")
    assert version == {"jsonrpc": "2.0", "id": 7, "result": {
        "server_version": f"{major}.0", "server_version_info": [major, 0, 0, "final", 0, ""],
        "server_serie": f"{major}.0", "protocol_version": 1}}
    assert jsonrpc(fake, "common", "login", "tsh", "admin", KEY)["result"] == 2
    assert jsonrpc(fake, "common", "authenticate", "tsh", "admin", "admin", {})["result"] == 2
    assert jsonrpc(fake, "common", "login", "tsh", "admin", "wrong") == {"jsonrpc": "2.0", "id": 7, "result": False}
    assert jsonrpc(fake, "db", "list")["result"] == ["tsh"]
    assert jsonrpc(fake, "db", "server_version")["result"] == f"{major}.0"
    ids = jsonrpc(fake, "object", "execute_kw", "tsh", 2, KEY, "product.template", "create", [[{"name": "A"}]])
    assert ids["result"] == [1]
    rows = jsonrpc(fake, "object", "execute", "tsh", 2, KEY, "product.template", "read", [1], ["name"])
    assert rows["result"] == [{"id": 1, "name": "A"}]
    assert post(f"{fake.url}/jsonrpc", {"service": "common", "method": "version", "args": []},
                request_id="abc").json()["id"] == "abc"


# (service, method, args) -> (exception name, message); the envelope is the same for every one.
FAILURES = [
    (("object", "execute_kw", ["tsh", 2, "wrong", "res.users", "search", [[]]]),
     ("odoo.exceptions.AccessDenied", "Access Denied")),
    (("object", "execute_kw", ["tsh", 3, KEY, "res.users", "search", [[]]]),
     ("odoo.exceptions.AccessDenied", "Access Denied")),
    (("object", "execute_kw", ["tsh", 2, KEY, "no.such.model", "search", [[]]]),
     ("odoo.exceptions.UserError", "Object no.such.model doesn't exist")),
    (("object", "execute_kw", ["tsh", 2, KEY, "product.template", "create", [[{"default_code": "X"}]]]),
     ("odoo.exceptions.ValidationError", "Missing required value")),
    (("object", "execute_kw", ["tsh", 2, KEY, "product.template", "read", [[99], ["name"]]]),
     ("odoo.exceptions.MissingError", "Record does not exist or has been deleted.")),
    (("object", "execute_kw", ["tsh", 2, KEY, "product.template", "_read", [[1]]]),
     ("odoo.exceptions.AccessError", "cannot be called remotely")),
    (("object", "execute_kw", ["tsh", 2, KEY, "product.template", "copy", [[1]]]),
     ("builtins.AttributeError", "does not exist")),
    (("object", "execute_kw", ["tsh", 2, KEY, "product.template", "search", [], {"domian": []}]),
     ("builtins.TypeError", "argument")),
    (("object", "execute_kw", ["nope", 2, KEY, "res.users", "search", [[]]]),
     ("psycopg2.OperationalError", 'database "nope" does not exist')),
    (("object", "unlink_all", ["tsh", 2, KEY]), ("builtins.NameError", "Method not available unlink_all")),
    (("common", "set_loglevel", []), ("builtins.Exception", "Method not found: set_loglevel")),
    (("db", "drop", ["admin", "tsh"]), ("odoo.exceptions.AccessDenied", "Access Denied")),
    (("db", "vacuum", []), ("builtins.KeyError", "Method not found: vacuum")),
    (("report", "render", []), ("builtins.KeyError", "report")),
]


@pytest.mark.parametrize(("call", "expected"), FAILURES, ids=[f"{c[0]}.{c[1]}-{e[0]}" for c, e in FAILURES])
def test_failures_come_in_odoos_error_envelope(fake, call, expected):
    answer = jsonrpc(fake, *call[:2], *call[2])
    assert set(answer) == {"jsonrpc", "id", "error"} and answer["id"] == 7
    error = answer["error"]
    assert (error["code"], error["message"]) == (error_code(fake), "Odoo Server Error")
    assert set(error["data"]) == DATA_KEYS
    name, message = expected
    assert error["data"]["name"] == name and message in error["data"]["message"]
    assert error["data"]["arguments"] and error["data"]["context"] == {}
    if name == "odoo.exceptions.AccessDenied":
        assert "Traceback" not in error["data"]["debug"]  # Odoo keeps it to its logs
    else:
        assert error["data"]["debug"].startswith("Traceback (most recent call last)")


def test_web_session_login_then_call_kw(fake):
    url, web = fake.url, requests.Session()
    assert post(f"{url}/web/webclient/version_info", {}).json()["result"]["server_version"] == \
        f"{fake.app.profile.major}.0"
    assert post(f"{url}/web/database/list", {}).json()["result"] == ["tsh"]
    call = {"model": "product.template", "method": "create", "args": [[{"name": "Web"}]], "kwargs": {}}
    expired = post(f"{url}/web/dataset/call_kw/product.template/create", call, session=web).json()["error"]
    assert (expired["code"], expired["message"]) == (100, "Odoo Session Expired")
    assert expired["data"]["name"] == "odoo.http.SessionExpiredException"

    refused = post(f"{url}/web/session/authenticate", {"db": "tsh", "login": "admin", "password": KEY}, session=web)
    assert refused.json()["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"  # no API key in a web login
    assert "session_id" not in web.cookies
    info = post(f"{url}/web/session/authenticate", {"db": "tsh", "login": "admin", "password": "admin"},
                session=web)
    assert "HttpOnly" in info.headers["Set-Cookie"] and web.cookies["session_id"]
    session = info.json()["result"]
    assert (session["uid"], session["db"], session["username"]) == (2, "tsh", "admin")
    assert session["user_context"] == {"lang": "en_US", "tz": "Asia/Baghdad", "uid": 2}
    assert session["server_version_info"][0] == fake.app.profile.major
    iqd = next(c for c in session["currencies"].values() if c["symbol"] == " ع.د")
    assert iqd == {"symbol": " ع.د", "position": "after", "digits": [69, 3]}

    assert post(f"{url}/web/dataset/call_kw/product.template/create", call, session=web).json()["result"] == [1]
    search = {"model": "product.template", "method": "search_read", "args": [[]],
              "kwargs": {"fields": ["display_name"], "context": {"active_test": False}}}
    assert post(f"{url}/web/dataset/call_kw", search, session=web).json()["result"] == \
        [{"id": 1, "display_name": "Web"}]
    unknown = post(f"{url}/web/dataset/call_kw", {**search, "model": "no.model"}, session=web).json()["error"]
    assert (unknown["code"], unknown["message"], unknown["data"]["name"]) == \
        (404, "404: Not Found", "werkzeug.exceptions.NotFound")
    private = post(f"{url}/web/dataset/call_kw", {**search, "method": "_search"}, session=web).json()["error"]
    assert private["data"]["name"] == "odoo.exceptions.AccessError"
    assert post(f"{url}/web/session/get_session_info", {}, session=web).json()["result"]["uid"] == 2

    destroyed = post(f"{url}/web/session/destroy", {}, session=web).json()
    assert destroyed == {"jsonrpc": "2.0", "id": 7}  # None is left out, not sent as null
    assert post(f"{url}/web/dataset/call_kw", search, session=web).json()["error"]["code"] == 100


def test_a_web_login_on_an_unknown_database_or_with_missing_arguments(fake):
    unknown = post(f"{fake.url}/web/session/authenticate", {"db": "nope", "login": "admin", "password": "admin"})
    assert unknown.json()["error"]["data"]["name"] == "psycopg2.OperationalError"
    missing = post(f"{fake.url}/web/session/authenticate", {"db": "tsh", "login": "admin", "extra": 1}).json()
    assert missing["error"]["data"]["name"] == "builtins.TypeError"
    assert "missing 1 required positional argument: 'password'" in missing["error"]["data"]["message"]


@pytest.mark.parametrize(("content_type", "body", "status", "text"), [
    ("text/plain", b'{"jsonrpc": "2.0", "params": {}}', 400, "is type="),
    ("application/x-www-form-urlencoded", b"service=common", 400, "is type="),
    ("application/json", b"{not json", 400, "Invalid JSON data"),
    ("application/json", b"[1, 2]", 400, "Invalid JSON-RPC data"),
    ("application/json-rpc", b'{"jsonrpc": "2.0", "params": {"service": "db", "method": "list", "args": []}}',
     200, '"result": ["tsh"]'),
])
def test_bodies_that_are_not_json_rpc(fake, content_type, body, status, text):
    answer = requests.post(f"{fake.url}/jsonrpc", data=body, headers={"Content-Type": content_type}, timeout=5)
    assert answer.status_code == status and text in answer.text
    if status == 400 and "is type=" in text:
        kind = "jsonrpc" if fake.app.profile.major >= 19 else "json"
        assert f"'/jsonrpc' is type='{kind}'" in html.unescape(answer.text)
        assert answer.headers["Content-Type"].startswith("text/html")
