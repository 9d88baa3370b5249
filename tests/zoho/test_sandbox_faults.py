"""Sandbox fault profiles: rates, determinism, timeouts, truncation, token expiry."""
from __future__ import annotations

import json

import pytest
import requests

from tests.zoho.sandboxkit import Api, token
from zoho.sandbox.faults import FaultSpec


def _run(sb, calls: int) -> list[int]:
    """GETs that fetch a new token whenever the old one stops working; returns the statuses."""
    api = Api(sb)
    statuses = []
    for _ in range(calls):
        response = api.get("/items", per_page=5)
        if response.status_code == 401:
            api.session.headers["Authorization"] = f"Zoho-oauthtoken {token(sb)}"
        statuses.append(response.status_code)
    return statuses


def test_profile_r1_injects_roughly_its_rates(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, faults="r1", timeout_sleep=0.0, tokens_per_window=100, seed=5)
    statuses = _run(sb, 500)
    injected = sb.app.faults.injected
    assert 25 <= injected.get("5xx", 0) <= 80
    assert injected["5xx"] - injected["expire"] <= statuses.count(500) <= injected["5xx"]  # 401 wins a tie
    assert 10 <= injected.get("429", 0) <= 45
    assert 2 <= injected.get("timeout", 0) <= 25 and 1 <= injected.get("truncate", 0) <= 15
    assert injected["expire"] == 10 and statuses.count(401) == 10


def test_faults_are_deterministic_for_a_seed(sandbox_factory) -> None:
    config = {"items": 20, "faults": "5xx=0.2,429=0.1", "seed": 9}
    assert _run(sandbox_factory(**config), 60) == _run(sandbox_factory(**config), 60)
    assert _run(sandbox_factory(**{**config, "seed": 10}), 60) != _run(sandbox_factory(**config), 60)


def test_a_timeout_fault_outlasts_the_client_timeout(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, faults="timeout=1.0", timeout_sleep=0.8)
    with pytest.raises(requests.Timeout):
        Api(sb).get("/items", timeout=0.2)


def test_a_truncated_body_is_not_json(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, faults="truncate=1.0")
    response = Api(sb).get("/items")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_faults_spare_the_private_control_api(sandbox_factory) -> None:
    sb = sandbox_factory(items=20, faults="5xx=1.0")
    assert requests.get(f"{sb.url}/_sandbox/counters", timeout=5).status_code == 200
    assert Api(sb).get("/items").status_code == 500


def test_spec_parsing() -> None:
    spec = FaultSpec.parse("5xx=0.1,429=0.05,timeout=0.02,expire_every=50,truncate=0.01,slow=0.0")
    assert spec.rates["5xx"] == 0.1 and spec.expire_every == 50
    assert FaultSpec.parse("r1") == FaultSpec.parse("5xx=0.1,429=0.05,timeout=0.02,expire_every=50,truncate=0.01")
    with pytest.raises(ValueError, match="unknown fault"):
        FaultSpec.parse("gremlins=1")
