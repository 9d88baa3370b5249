"""Reading GET /items/{id}/image: bytes, or a JSON error body that must not be saved as an image."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from zoho.envelope import error_for, read_json
from zoho.errors import ZohoNotFound


@dataclass(frozen=True)
class ItemImage:
    content: bytes
    content_type: str

    def __repr__(self) -> str:
        return f"ItemImage({self.content_type}, {len(self.content)} bytes)"


def image_from_response(response: requests.Response, endpoint: str) -> ItemImage:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if _is_json(content_type, response.content):
        payload = read_json(response, endpoint)
        if payload.get("code") in (0, "0") and response.status_code < 400:
            raise ZohoNotFound("Zoho returned no image bytes for this item", http_status=response.status_code,
                               endpoint=endpoint)
        raise error_for(payload, response, endpoint)
    if response.status_code == 404:
        raise ZohoNotFound("item image not found", http_status=404, endpoint=endpoint)
    if response.status_code >= 400:
        raise error_for({}, response, endpoint)
    if not response.content:
        raise ZohoNotFound("Zoho returned an empty image", http_status=response.status_code, endpoint=endpoint)
    return ItemImage(content=response.content, content_type=content_type or "application/octet-stream")


def _is_json(content_type: str, body: bytes) -> bool:
    # Some Zoho errors arrive as text/plain or without a type: sniff the first byte as well.
    return "json" in content_type or body[:1] == b"{"
