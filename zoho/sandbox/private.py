"""The sandbox's own control API under /_sandbox/ (not Zoho): lets a demo or a test in another
process mutate data, read counters, switch faults and limits, and trigger webhooks.

POST bodies and answers are JSON. Routes:
  GET  /_sandbox/info                      url, organization, sizes
  GET  /_sandbox/counters                  {"total", "by_endpoint", "by_status", "faults"}
  POST /_sandbox/reset-counters
  GET  /_sandbox/records/<entity>[?detail=1]
  POST /_sandbox/edit          {"entity", "id", "changes"}
  POST /_sandbox/delete        {"entity", "id"}
  POST /_sandbox/create        {"entity", "fields"}            -> {"id"}
  POST /_sandbox/bump          {"entity", "id"}
  POST /_sandbox/change_image  {"id"}
  POST /_sandbox/stock         {"item_id", "warehouse_id", "on_hand", "committed"}
  POST /_sandbox/faults        {"faults": "<profile or spec>"}
  POST /_sandbox/limits        {"rate_limit_per_minute", "daily_limit", "max_concurrency", "reset": bool}
  POST /_sandbox/webhook       {"url", "entity", "record_id", "secret", "fmt", "token"} -> {"status"}
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from zoho.sandbox.render import Response, dumps, error_body


class PrivateApi:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("GET", "info"): lambda body: self.server.info(),
            ("GET", "counters"): lambda body: {**self.server.calls.snapshot(),
                                               "faults": dict(self.server.app.faults.injected)},
            ("POST", "reset-counters"): lambda body: self.server.calls.reset(),
            ("POST", "edit"): lambda body: self.store.edit(body["entity"], body["id"], body.get("changes", {})),
            ("POST", "delete"): lambda body: self.store.delete(body["entity"], body["id"]),
            ("POST", "create"): lambda body: {"id": self.store.create(body["entity"], body.get("fields"))},
            ("POST", "bump"): lambda body: self.store.bump(body["entity"], body["id"]),
            ("POST", "change_image"): lambda body: self.store.change_image(body["id"]),
            ("POST", "stock"): lambda body: self.store.set_stock(body["item_id"], body["warehouse_id"],
                                                                 int(body["on_hand"]), int(body.get("committed", 0))),
            ("POST", "faults"): lambda body: self.server.app.faults.configure(body.get("faults", "none")),
            ("POST", "limits"): self._limits,
            ("POST", "webhook"): lambda body: {"status": self.server.send_webhook(
                body["url"], entity=body["entity"], record_id=body["record_id"], secret=body.get("secret", ""),
                fmt=body.get("fmt", "json"), token=body.get("token"))},
        }

    @property
    def store(self) -> Any:
        return self.server.store

    def handle(self, method: str, path: str, params: dict[str, str], raw: bytes) -> Response:
        name = path[len("/_sandbox/"):].strip("/")
        if method == "GET" and name.startswith("records/"):
            rows = self.store.list(name.split("/", 1)[1], detail=params.get("detail") in ("1", "true"))
            return Response(200, dumps({"records": rows}))
        action = self.routes.get((method, name))
        if action is None:
            return Response(404, error_body(5, "Invalid URL Passed"))
        try:
            body = json.loads(raw or b"{}")
            result = action(body)
        except (KeyError, ValueError, TypeError) as exc:
            return Response(400, error_body(2, f"Sandbox control call refused: {exc}"))
        if result is None or not isinstance(result, dict) or "_mtime" in result:
            result = {"ok": True}
        return Response(200, dumps(result))

    def _limits(self, body: dict[str, Any]) -> None:
        cfg = self.server.config
        for key in ("rate_limit_per_minute", "daily_limit", "max_concurrency"):
            if key in body:
                setattr(cfg, key, int(body[key]))
        if body.get("reset"):
            self.server.app.limits.reset()
