"""Every dashboard page, every query parameter it reads, hostile values: never a 500, never a traceback.

The pages come from the dashboard's URLconf and the parameters from the views themselves: each page
is rendered once while every read of a query parameter is recorded, and those names (plus one no
view reads) are what hypothesis fills. A new page or a new parameter is fuzzed without touching
this file.
"""
from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from django.urls import URLPattern, reverse
from hypothesis import given
from hypothesis import strategies as st

from dashboard.urls import urlpatterns
from sync.models import Alert, SyncRun
from tests.fuzzing import assert_answer, hostile_text, tracebacks

pytestmark = pytest.mark.django_db
ROUTES = [p for p in urlpatterns if isinstance(p, URLPattern)]


def _url(pattern: URLPattern, rows: dict[str, Any]) -> str:
    converters = pattern.pattern.converters  # type: ignore[attr-defined]
    kwargs = {name: rows["run"].pk if type(conv).__name__ == "UUIDConverter" else rows["alert"].pk
              for name, conv in converters.items()}
    return reverse(f"dashboard:{pattern.name}", kwargs=kwargs)


@pytest.fixture
def rows(db) -> dict[str, Any]:  # noqa: ANN001
    run = SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="completed")
    SyncRun.objects.create(run_type="full", entity="customers", trigger="manual", status="failed")
    return {"run": run, "alert": Alert.objects.create(severity="warning", code="queue_pending", message="x")}


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


def test_the_pages_and_their_parameters_are_found(staff_client, rows) -> None:  # noqa: ANN001
    """The discovery this fuzzing rests on sees the pages and the parameters known today."""
    found = {p.name: _parameters_read(staff_client, _url(p, rows)) for p in ROUTES}
    pages = {name for name, params in found.items() if params is not None}
    assert {"overview", "history", "run", "run-log", "dead-letters", "queue", "triggers", "compare", "alerts",
            "configuration", "metrics", "images"} <= pages
    assert {"entity", "run_type", "status", "trigger", "fragment"} <= found["history"]  # type: ignore[operator]
    assert {"range", "fragment"} <= found["metrics"]  # type: ignore[operator]


@pytest.mark.parametrize("pattern", ROUTES, ids=[p.name for p in ROUTES])
def test_hostile_query_parameters_never_break_a_page(pattern, staff_client, rows, crash_log) -> None:  # noqa: ANN001
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
