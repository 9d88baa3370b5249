"""Helpers for the sandbox tests: an authorised requests session against a SandboxServer."""
from __future__ import annotations

from typing import Any

import requests

from zoho.sandbox import SandboxServer


def token(sb: SandboxServer, session: requests.Session | None = None) -> str:
    cfg = sb.config
    response = (session or requests).post(f"{sb.url}/oauth/v2/token", params={
        "grant_type": "refresh_token", "client_id": cfg.client_id, "client_secret": cfg.client_secret,
        "refresh_token": cfg.refresh_token}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


class Api:
    """GETs against one sandbox with a valid token and the organization id."""

    def __init__(self, sb: SandboxServer) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Zoho-oauthtoken {token(sb, self.session)}"

    def get(self, path: str, *, api: str = "inventory/v1", timeout: float = 10, **params: Any) -> requests.Response:
        params.setdefault("organization_id", self.sb.config.organization_id)
        return self.session.get(f"{self.sb.url}/{api}{path}", params=params, timeout=timeout)

    def json(self, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.get(path, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["code"] == 0 and body["message"] == "success"
        return body

    def all_pages(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        records, page = [], 1
        while True:
            body = self.json(path, page=page, **params)
            records += body[key]
            if not body["page_context"]["has_more_page"]:
                return records
            page += 1
