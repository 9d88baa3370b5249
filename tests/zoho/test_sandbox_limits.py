"""Sandbox rate limits: 44 per minute, 45 daily quota, 1070 concurrency, X-Rate-Limit-* headers."""
from __future__ import annotations

import threading
import time

from tests.zoho.sandboxkit import Api
from zoho.sandbox.limits import CONCURRENCY, PER_MINUTE


def test_the_per_minute_limit_answers_429_code_44(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, rate_limit_per_minute=5)
    api = Api(sb)
    statuses = [api.get("/items").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert api.get("/items").json() == {"code": 44, "message": PER_MINUTE[1]}


def test_the_token_endpoint_does_not_count_against_the_api_limit(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, rate_limit_per_minute=2)
    apis = [Api(sb) for _ in range(3)]  # three token grants
    assert [api.get("/items").status_code for api in apis] == [200, 200, 429]


def test_the_daily_quota_answers_429_code_45_and_headers_count_down(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, daily_limit=3)
    api = Api(sb)
    answers = [api.get("/items") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json() == {"code": 45, "message": "The API call for this organization has exceeded the "
                                                        "maximum call rate limit of 3."}
    assert [a.headers["X-Rate-Limit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a.headers["X-Rate-Limit-Limit"] == "3" for a in answers)
    assert 0 < int(answers[0].headers["X-Rate-Limit-Reset"]) <= 86400


def test_headers_come_with_errors_too(sandbox) -> None:
    api = Api(sandbox)
    for response in (api.get("/items/1"), api.session.get(f"{sandbox.url}/inventory/v1/items", timeout=5)):
        assert response.status_code >= 400 and "X-Rate-Limit-Remaining" in response.headers


def test_calls_beyond_the_concurrency_cap_get_1070(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, max_concurrency=1, faults="slow=1.0", slow_sleep=0.6)
    api, second = Api(sb), Api(sb)
    first: list[int] = []
    worker = threading.Thread(target=lambda: first.append(api.get("/items").status_code))
    worker.start()
    time.sleep(0.2)
    refused = second.get("/items")
    worker.join()
    assert first == [200]
    assert (refused.status_code, refused.json()) == (429, {"code": 1070, "message": CONCURRENCY[1]})
