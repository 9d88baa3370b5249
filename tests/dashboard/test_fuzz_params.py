"""Every dashboard page, every query parameter it reads, hostile values: never a 500, never a traceback.
The same for every form the pages post.

The pages come from the dashboard's URLconf and the parameters from the views themselves: each page
is rendered once while every read of a query parameter is recorded, and those names (plus one no
view reads) are what hypothesis fills. The forms come from the pages' HTML (and the confirmation page
a first post brings up): each field gets one of the values the page offers or a hostile one. A new
page, parameter or form is fuzzed without touching this file.
"""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import URLPattern, resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from dashboard.urls import urlpatterns
from sync.config import config_set
from sync.models import Alert, DeadLetter, SyncQueueItem, SyncRun
from sync.upsert.records import upsert_records
from tests.fuzzing import NASTY_TEXT, assert_answer, hostile_text, tracebacks

pytestmark = pytest.mark.django_db
ROUTES = [p for p in urlpatterns if isinstance(p, URLPattern)]


def _url(pattern: URLPattern, rows: dict[str, Any]) -> str:
    converters = pattern.pattern.converters  # type: ignore[attr-defined]
    by_name = {"run_id": rows["run"].pk, "alert_id": rows["alert"].pk, "letter_id": rows["letter"].pk,
               "item_id": rows["item"].pk, "entity": rows["entity"], "zoho_id": rows["zoho_id"]}
    kwargs = {name: by_name[name] for name in converters}
    return reverse(f"dashboard:{pattern.name}", kwargs=kwargs)


@pytest.fixture
def rows(db) -> dict[str, Any]:
    run = SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="completed")
    SyncRun.objects.create(run_type="full", entity="customers", trigger="manual", status="failed")  # Retry
    SyncRun.objects.create(run_type="stock", entity="stock", trigger="manual", status="pending")  # Cancel
    item = SyncQueueItem.objects.create(entity="items", zoho_id="Z1", payload={"item_id": "Z1"}, status="dead",
                                        attempts=5, last_error="bad")
    letter = DeadLetter.objects.create(queue_item=item, entity="items", zoho_id="Z1", error_class="permanent",
                                       error_type="ValueError", error_message="bad", payload={"item_id": "Z1"},
                                       attempts=5)
    config_set("TDS_IMAGE_CONCURRENCY", 4)  # a stored value: the configuration page offers its reset
    # A mirrored record with an open dead letter: its trace page offers compare, apply and retry.
    upsert_records(entity="items", records=[{"item_id": "1001", "name": "Widget", "sku": "W-1", "rate": 5}])
    DeadLetter.objects.create(entity="items", zoho_id="1001", error_class="permanent", error_type="ValueError",
                              error_message="bad", payload={"item_id": "1001"}, attempts=5)
    return {"run": run, "alert": Alert.objects.create(severity="warning", code="queue_pending", message="x"),
            "letter": letter, "item": item, "entity": "items", "zoho_id": "1001"}


def _parameters_read(client: Any, url: str) -> set[str] | None:
    """The query parameters the page reads while rendering; None when the route answers no GET."""
    read: set[str] = set()
    with pytest.MonkeyPatch.context() as patch:
        for method in ("get", "__getitem__", "getlist", "__contains__"):
            original = getattr(QueryDict, method)

            def recording(self: QueryDict, key: str, *args: Any, _original: Any = original) -> Any:
                read.add(key)
                return _original(self, key, *args)

            patch.setattr(QueryDict, method, recording)
        response = client.get(url)
    if response.status_code == 405:
        return None
    assert response.status_code == 200, (url, response.status_code)
    return read


def test_the_pages_and_their_parameters_are_found(staff_client, rows) -> None:
    """The discovery this fuzzing rests on sees the pages and the parameters known today."""
    found = {p.name: _parameters_read(staff_client, _url(p, rows)) for p in ROUTES}
    pages = {name for name, params in found.items() if params is not None}
    assert {"overview", "history", "run", "run-log", "dead-letters", "queue", "triggers", "compare", "alerts",
            "configuration", "metrics", "images"} <= pages
    assert {"entity", "run_type", "status", "trigger", "fragment"} <= found["history"]  # type: ignore[operator]
    assert {"range", "fragment"} <= found["metrics"]  # type: ignore[operator]


@pytest.mark.parametrize("pattern", ROUTES, ids=[p.name for p in ROUTES])
def test_hostile_query_parameters_never_break_a_page(pattern, staff_client, rows, crash_log) -> None:
    staff_client.raise_request_exception = False
    url = _url(pattern, rows)
    names = _parameters_read(staff_client, url)
    if names is None:
        pytest.skip(f"{url} answers POST only")
    names = sorted(names | {"unread"})

    @given(query=st.dictionaries(st.sampled_from(names), st.lists(hostile_text, min_size=1, max_size=2), min_size=1),
           htmx=st.booleans())
    def fuzz(query: dict[str, list[str]], htmx: bool) -> None:
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = staff_client.get(url, query, **headers)
        assert_answer(response, where=url)
        assert response.status_code in (200, 404), (url, query, response.status_code)

    fuzz()
    assert tracebacks(crash_log) == []


class _Forms(HTMLParser):
    """The POST forms of a page: route name -> {field: values the page offers}."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict[str, set[str]]] = {}
        self._ids: dict[str, str] = {}
        self._form: str | None = None
        self._option: tuple[str, dict[str, str | None]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            match = resolve(str(a.get("action")).split("?")[0])
            if match.namespace != "dashboard":  # the header's log-out form is the admin's
                self._form = None
                return
            self._form = match.url_name
            self.fields.setdefault(self._form, {})
            self._ids[str(a.get("id"))] = self._form
            return
        form = self._ids.get(str(a.get("form"))) or self._form
        if form is None:
            return
        if tag in ("input", "button", "textarea") and a.get("name"):
            self.fields[form].setdefault(str(a["name"]), set()).add(a.get("value") or "")
        elif tag == "select":
            self._select = str(a.get("name"))
        elif tag == "option" and self._select:
            self._option = (form, a)

    def handle_data(self, data: str) -> None:
        if self._option and self._select:
            form, a = self._option
            self.fields[form].setdefault(self._select, set()).add(a.get("value") or data.strip())
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        self._form = None if tag == "form" else self._form
        self._select = None if tag == "select" else self._select


def _posted_forms(client: Any, rows: dict[str, Any]) -> dict[str, dict[str, set[str]]]:
    """Every form the GET pages show, with the fields its confirmation page adds."""
    forms = _Forms()
    for pattern in ROUTES:
        answer = client.get(_url(pattern, rows))
        if answer.status_code == 200 and answer["Content-Type"].startswith("text/html"):
            forms.feed(answer.content.decode())
    for name, fields in list(forms.fields.items()):
        first = {field: sorted(values)[0] for field, values in fields.items()}
        answer = client.post(_action(name, rows), first)
        if answer.status_code == 200:  # the "are you sure?" page: its form posts back with confirm=yes
            forms.feed(answer.content.decode())
    return forms.fields


def _action(name: str, rows: dict[str, Any]) -> str:
    return _url(next(p for p in ROUTES if p.name == name), rows)


def test_every_post_route_has_a_form_on_some_page(staff_client, rows) -> None:
    forms = _posted_forms(staff_client, rows)
    post_only = {p.name for p in ROUTES if _parameters_read(staff_client, _url(p, rows)) is None}
    assert post_only <= set(forms), post_only - set(forms)
    assert {"kind", "entity", "mode", "dry_run"} <= set(forms["trigger"])
    assert "confirm" in forms["dead-letters-retry"] and "ids" in forms["dead-letters-retry"]


def test_hostile_form_posts_never_break_an_action(staff_client, rows, crash_log) -> None:
    staff_client.raise_request_exception = False
    forms = _posted_forms(staff_client, rows)

    @given(name=st.sampled_from(sorted(forms)), data=st.data())
    def fuzz(name: str, data: st.DataObject) -> None:
        offered = forms[name]
        fields = {field: [data.draw(st.sampled_from(sorted(values)))] for field, values in offered.items()}
        for field in data.draw(st.sets(st.sampled_from([*sorted(offered), "unread"]), min_size=1)):
            given_values = st.sampled_from(sorted(offered.get(field) or {""})) | hostile_text
            fields[field] = data.draw(st.lists(given_values, min_size=1, max_size=2))
        response = staff_client.post(_action(name, rows), fields)
        assert response.status_code in (200, 302), (name, fields, response.status_code)

    fuzz()
    for name, offered in sorted(forms.items()):  # and the corpus, each value in every field of every form
        for value in NASTY_TEXT:
            response = staff_client.post(_action(name, rows), {field: value for field in offered})
            assert response.status_code in (200, 302), (name, value, response.status_code)
    assert tracebacks(crash_log) == []
