"""The sandbox HTTP application: accounts, Books v3 and Inventory v1 routing, limits and faults.

`SandboxApp.handle()` is transport-free (the threaded server calls it directly); `__call__`
makes the same app a WSGI application for in-process mounting.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from zoho.sandbox.auth import Accounts
from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.counters import CallCounters
from zoho.sandbox.faults import Faults
from zoho.sandbox.images import ImageCache
from zoho.sandbox.limits import PER_MINUTE, Limits
from zoho.sandbox.render import Response, error_body
from zoho.sandbox.resources import Resources
from zoho.sandbox.store import Store

API_PATH = re.compile(r"^/(books/v3|inventory/v1)(/.*)$")
INVALID_URL = (5, "Invalid URL Passed")
ORG_MISSING = ("This user belongs to multiple organizations, hence the parameter CompanyID/CompanyName is "
               "required. Please pass the organization_id parameter.")


def json_response(status: int, code: int, message: str, **extra: Any) -> Response:
    return Response(status, error_body(code, message, **extra))


class SandboxApp:
    def __init__(self, cfg: SandboxConfig) -> None:
        self.cfg = cfg
        self.base_url = f"http://{cfg.host}:{cfg.port}"
        self.store = Store(cfg)
        self.accounts = Accounts(cfg)
        self.limits = Limits(cfg)
        self.faults = Faults(cfg.faults, cfg.seed)
        self.calls = CallCounters()
        self.images = ImageCache()
        self.resources = Resources(self.store, self.images, cfg)
        self.private: Any = None  # set by private.attach() (kept apart: it is not Zoho)

    # -- entry points ----------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        params = dict(parse_qsl(query, keep_blank_values=True))
        if path == "/oauth/v2/token":
            return self._token(method, params, headers, body)
        if path.startswith("/_sandbox/") and self.private is not None:
            return self.private.handle(method, path, params, body)
        match = API_PATH.match(path)
        if not match:
            return json_response(404, *INVALID_URL)
        return self._api(method, match.group(1), match.group(2).rstrip("/") or "/", params, headers)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        response = self.handle(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                               environ.get("QUERY_STRING", ""), headers, body)
        start_response(f"{response.status} {'OK' if response.status < 400 else 'Error'}",
                       [("Content-Type", response.content_type), ("Content-Length", str(len(response.body))),
                        *(response.headers or [])])
        return [response.body]

    # -- accounts --------------------------------------------------------------------------------------------
    def _token(self, method: str, params: dict[str, str], headers: dict[str, str], body: bytes) -> Response:
        if method != "POST":
            self.calls.record(f"{method} /oauth/v2/token", 405)
            return Response(405, json.dumps({"error": "invalid_request"}).encode())
        if "form-urlencoded" in headers.get("Content-Type", "") and body:
            params = {**dict(parse_qsl(body.decode("utf-8", "replace"))), **params}
        status, payload = self.accounts.grant(params, self.base_url)
        self.calls.record("POST /oauth/v2/token", status)
        return Response(status, json.dumps(payload).encode())

    # -- API ---------------------------------------------------------------------------------------------------
    def _api(self, method: str, api: str, rest: str, params: dict[str, str], headers: dict[str, str]) -> Response:
        route = self.resources.route(api, rest)
        self.calls.arrived(f"{method} /{api}{route.template if route else rest}")
        response = self._api_checked(method, route, params, headers)
        response.headers = (response.headers or []) + self.limits.headers()
        self.calls.answered(response.status)
        return response

    def _api_checked(self, method: str, route: Any, params: dict[str, str], headers: dict[str, str]) -> Response:
        if route is None:
            return json_response(404, *INVALID_URL)
        if method != "GET":
            return json_response(405, 37, f"The HTTP method {method} is not allowed for the requested resource")
        refused = self.limits.enter()
        if refused:
            return json_response(429, *refused)
        try:
            return self._admitted(route, params, headers)
        finally:
            self.limits.leave()

    def _admitted(self, route: Any, params: dict[str, str], headers: dict[str, str]) -> Response:
        expire, fault = self.faults.next_call()
        if expire:
            self.accounts.expire_all()
        denied = self.accounts.check(headers.get("Authorization"))
        if denied:
            return json_response(401, *denied)
        if route.needs_org:
            org = params.get("organization_id", "")
            if not org:
                return json_response(400, 6024, ORG_MISSING, error_info=[self._org_info()])
            if org != self.cfg.organization_id:
                return json_response(400, 6041, f"This user is not associated with the CompanyID/CompanyName:{org}.")
        refused = self.limits.admit()
        if refused:
            return json_response(429, *refused)
        return self._with_fault(fault, route, params)

    def _with_fault(self, fault: str | None, route: Any, params: dict[str, str]) -> Response:
        if fault == "5xx":
            return json_response(500, 1000, "Internal error")
        if fault == "429":
            return json_response(429, *PER_MINUTE)
        if fault in ("timeout", "slow"):
            time.sleep(self.cfg.timeout_sleep if fault == "timeout" else self.cfg.slow_sleep)
        response = route.handler(route.args, params)
        if fault == "truncate":
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _org_info(self) -> dict[str, Any]:
        return {"organization_id": self.cfg.organization_id, "name": self.cfg.organization_name,
                "is_default_org": True}
