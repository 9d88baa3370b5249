"""Routes and handlers of the Books v3 / Inventory v1 read endpoints.

A query parameter the endpoint's OpenAPI file does not document is ignored (Zoho ignores a parameter it
does not know: a misspelt last_modified_time silently lists everything), so an undocumented filter or
sort changes nothing. Choices where the reference is unconfirmed: `per_page` above 200 is clamped to 200 (and
page_context says 200); an unsupported `sort_column` falls back to the endpoint's default; an
unreadable `last_modified_time` gets HTTP 400 code 2; `last_modified_time` is inclusive (>=).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zoho.sandbox.clock import parse_zoho_time
from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.entities import APIS, Endpoint
from zoho.sandbox.images import ImageCache
from zoho.sandbox.render import Response, detail_body, dumps, error_body, list_body, page_context
from zoho.sandbox.store import Store

MAX_PER_PAGE = 200
MAX_ITEM_IDS = 200
UNPAGED = ("locations",)


@dataclass
class Route:
    template: str
    handler: Callable[[tuple[Any, ...], dict[str, str]], Any]
    args: tuple[Any, ...]
    needs_org: bool = True


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


class Resources:
    def __init__(self, store: Store, images: ImageCache, cfg: SandboxConfig) -> None:
        self.store, self.images, self.cfg = store, images, cfg

    def route(self, api: str, rest: str) -> Route | None:
        table = APIS[api]
        parts = rest.strip("/").split("/")
        if parts == ["organizations"]:
            return Route("/organizations", self.organizations, (), needs_org=False)
        if api == "inventory/v1":
            if parts == ["itemdetails"]:
                return Route("/itemdetails", self.item_details, ())
            if len(parts) == 3 and parts[0] == "items" and parts[2] == "image":
                return Route("/items/{id}/image", self.image, (parts[1],))
            if len(parts) == 2 and parts[0] == "organizations":
                return Route("/organizations/{id}", self.organization, (parts[1],), needs_org=False)
        for size in (2, 1):
            name = "/".join(parts[:size])
            if name in table and len(parts) in (size, size + 1):
                endpoint = table[name]
                if len(parts) == size:
                    return Route(f"/{name}", self.list, (endpoint,))
                return Route(f"/{name}/{{id}}", self.detail, (endpoint, parts[size]))
        return None

    # -- handlers ------------------------------------------------------------------------------------------------
    def organizations(self, args: tuple[Any, ...], params: dict[str, str]) -> Response:
        return Response(200, dumps({"code": 0, "message": "success", "organizations": [self.store.organization]}))

    def organization(self, args: tuple[Any, ...], params: dict[str, str]) -> Response:
        if args[0] != self.cfg.organization_id:
            return Response(404, error_body(1002, "Organization does not exist."))
        return Response(200, dumps({"code": 0, "message": "success", "organization": self.store.organization}))

    def list(self, args: tuple[Any, ...], params: dict[str, str]) -> Response:
        endpoint: Endpoint = args[0]
        since = None
        if endpoint.lmt_filter and params.get("last_modified_time"):
            since = parse_zoho_time(params["last_modified_time"])
            if since is None:
                return Response(400, error_body(2, "Invalid value passed for last_modified_time"))
        sort_column = params.get("sort_column", "")
        if sort_column not in endpoint.sortable:
            sort_column = endpoint.default_sort
        asked = params.get("sort_order")
        sort_order = asked if asked in ("A", "D") else endpoint.default_order
        applied = params.get("filter_by", "")
        statuses = endpoint.status_filters.get(applied)
        statuses = (statuses,) if isinstance(statuses, str) else statuses
        rows = self.store.select(endpoint, sort_column=sort_column, descending=sort_order == "D", since=since,
                                 statuses=statuses)
        if endpoint.list_key in UNPAGED:
            parts = [self.store.rendered(endpoint, record, "list") for record in rows]
            return Response(200, b'{"code":0,"message":"success","locations":[' + b",".join(parts) + b"]}")
        page = max(1, _int(params.get("page"), 1))
        per_page = min(MAX_PER_PAGE, max(1, _int(params.get("per_page"), MAX_PER_PAGE)))
        start = (page - 1) * per_page
        parts = [self.store.rendered(endpoint, record, "list") for record in rows[start:start + per_page]]
        context = page_context(endpoint, page=page, per_page=per_page, has_more=len(rows) > start + per_page,
                               applied_filter=applied if statuses else "Status.All", sort_column=sort_column,
                               sort_order=sort_order)
        return Response(200, list_body(endpoint.list_key, parts, context))

    def detail(self, args: tuple[Any, ...], params: dict[str, str]) -> Response:
        endpoint, record_id = args
        record = self.store.get(endpoint.entity, record_id)
        if record is None:
            return Response(404, error_body(1002, f"{endpoint.label} does not exist."))
        return Response(200, detail_body(endpoint.detail_key, self.store.rendered(endpoint, record, "detail")))

    def item_details(self, args: tuple[Any, ...], params: dict[str, str]) -> Response:
        ids = [part.strip() for part in params.get("item_ids", "").split(",") if part.strip()]
        if not ids:
            return Response(400, error_body(2, "Invalid value passed for item_ids"))
        if len(ids) > MAX_ITEM_IDS:
            return Response(400, error_body(2, f"Invalid value passed for item_ids: at most {MAX_ITEM_IDS} ids "
                                               "can be passed in one call"))
        endpoint = APIS["inventory/v1"]["items"]
        parts = [self.store.rendered(endpoint, record, "detail")
                 for record in (self.store.get("items", item_id) for item_id in ids) if record is not None]
        return Response(200, b'{"code":0,"message":"success","items":[' + b",".join(parts) + b"]}")

    def image(self, args: tuple[Any, ...], params: dict[str, str]) -> Response:
        item = self.store.get("items", args[0])
        if item is None:
            return Response(404, error_body(1002, "Item does not exist."))
        if not item["image_name"]:
            return Response(404, error_body(1002, "Image does not exist."))
        preview = params.get("preview", "").lower() == "true"
        body, content_type = self.images.get(item["item_id"], item["image_type"], item["_image_version"],
                                             preview=preview)
        return Response(200, body, content_type=content_type)
