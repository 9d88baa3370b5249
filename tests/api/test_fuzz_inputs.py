"""Every operation of the live OpenAPI schema, hostile parameters and bodies: never a 500, always JSON.

The operations and their parameters come from the schema the API publishes (/api/schema/; a test
checks that the list fuzzed here is that one), the values from tests/fuzzing.py: each query and path
parameter gets hostile text, each body is either an object with the schema's fields holding hostile
JSON, any hostile JSON at all, or one of the raw bodies that broke parsers before (100,000 ``[``).
The calls carry a staff token, so they get past authentication to the checks that matter.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import NASTY_TEXT, RAW_BODIES, assert_answer, dumps, hostile_json, hostile_text, tracebacks

pytestmark = pytest.mark.django_db
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
# The schema (YAML or JSON) and its Swagger page are not in the schema; they read these parameters.
UNDOCUMENTED = [("/api/schema/", "get", {"parameters": [{"name": n, "in": "query"} for n in ("format", "lang")]}),
                ("/api/docs/", "get", {"parameters": [{"name": "format", "in": "query"}]})]
DOCUMENTED = [(path, method, op) for path, ops in SCHEMA["paths"].items() for method, op in ops.items()]
OPERATIONS = DOCUMENTED + UNDOCUMENTED
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def test_the_fuzzed_operations_are_those_the_api_publishes(client) -> None:
    live = client.get("/api/schema/?format=json").json()
    published = {(p, m) for p, ops in live["paths"].items() for m in ops}
    assert published == {(p, m) for p, m, _ in DOCUMENTED}
    assert len(OPERATIONS) >= 23


def _fields(op: dict[str, Any]) -> list[str]:
    """The property names of the operation's JSON body ($ref resolved)."""
    content = (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return sorted(schema.get("properties", {}))


def _body(op: dict[str, Any]) -> st.SearchStrategy[tuple[bytes | dict | None, str]]:
    """(body, content type): an object of the schema's fields, any JSON, a raw body, or a form."""
    if not op.get("requestBody"):
        return st.sampled_from([(None, ""), (b"[" * 100_000, "application/json")])
    fields = _fields(op) or ["x"]
    some_fields = st.dictionaries(st.sampled_from(fields) | hostile_text, hostile_json, max_size=4)
    as_json = st.one_of(some_fields, hostile_json).map(lambda v: (dumps(v), "application/json"))
    raw = st.sampled_from(RAW_BODIES).map(lambda b: (b, "application/json"))
    form = st.tuples(st.dictionaries(st.sampled_from(fields), st.lists(hostile_text, min_size=1, max_size=2),
                                     max_size=4), st.sampled_from(FORMS))
    return st.one_of(as_json, raw, form)


def _url(path: str, op: dict[str, Any], values: st.DrawFn) -> str:
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = values(st.one_of(st.uuids().map(str), hostile_text))
            path = path.replace("{" + param["name"] + "}", quote(value, safe="") or "x")
    names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"] + ["unknown"]
    query = values(st.dictionaries(st.sampled_from(names), st.lists(hostile_text, min_size=1, max_size=2)))
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


@pytest.fixture
def staff_headers(staff_token, monkeypatch, no_throttle) -> dict[str, str]:
    from sync import jobs

    monkeypatch.setattr(jobs, "job_wait", lambda **kwargs: None)  # no cluster here: runs stay queued
    return {"HTTP_AUTHORIZATION": f"Token {staff_token}"}


@pytest.mark.parametrize("path,method,op", OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_hostile_parameters_and_bodies_get_a_json_answer_below_500(path, method, op, client, staff_headers,
                                                                    crash_log) -> None:
    client.raise_request_exception = False

    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        url = _url(path, op, data.draw)
        body, content_type = data.draw(_body(op))
        if content_type in FORMS:
            response = client.generic(method.upper(), url, urlencode(body, doseq=True), content_type=FORMS[0],
                                      **staff_headers) if content_type == FORMS[0] else \
                getattr(client, method)(url, body, **staff_headers)
        else:
            response = client.generic(method.upper(), url, body or b"", content_type=content_type or "",
                                      **staff_headers)
        assert_answer(response, where=path, json_success=(path, method, op) not in UNDOCUMENTED)

    fuzz()
    assert tracebacks(crash_log) == []


# The schema's own views take a while to answer each call: the random fuzzing above covers them.
@pytest.mark.parametrize("path,method,op", DOCUMENTED, ids=[f"{m} {p}" for p, m, _ in DOCUMENTED])
def test_every_known_bad_value_in_every_parameter(path, method, op, client, staff_headers, crash_log) -> None:
    """The corpus, value by value, in each parameter alone (a refused neighbour would hide the rest)."""
    client.raise_request_exception = False
    for param in op.get("parameters", []):
        if param["in"] not in ("query", "path"):
            continue
        for value in NASTY_TEXT:
            url = path.replace("{" + param["name"] + "}", quote(value, safe="") or "x") if param["in"] == "path" \
                else f"{path}?{urlencode({param['name']: value})}"
            response = client.generic(method.upper(), url, b"", **staff_headers)
            assert_answer(response, where=f"{path} {param['name']}={value!r:.40}")
    assert tracebacks(crash_log) == []
