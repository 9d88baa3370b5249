"""The sandbox's records and the mutation API tests and demos drive (thread-safe)."""
from __future__ import annotations

import builtins
import copy
import json
import random
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from zoho.sandbox.clock import now, zoho_time
from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.data import Record, make_item, set_stock_totals
from zoho.sandbox.entities import BOOKS, ID_FIELDS, INVENTORY, Endpoint
from zoho.sandbox.generate import generate
from zoho.sandbox.render import dumps, render_detail, render_list_record

ALIASES = {"locations": "warehouses", "compositeitems": "composite_items", "inventoryadjustments":
           "inventory_adjustments", "transferorders": "transfer_orders"}
RENDER_ENDPOINTS: dict[str, Endpoint] = {e.entity: e for e in (*BOOKS.values(), *INVENTORY.values())
                                         if e.view not in ("books_item", "location")}
SELECTION_CACHE = 16


def sort_key(column: str) -> Callable[[Record], tuple[Any, ...]]:
    """Zoho sorts empty values ("") apart from numbers; strings compare case-insensitively."""
    epoch = {"created_time": "_ctime", "last_modified_time": "_mtime"}.get(column)

    def key(record: Record) -> tuple[Any, ...]:
        value = record[epoch] if epoch else record.get(column, "")
        if isinstance(value, str):
            return (value == "", 1, value.lower())
        return (False, 0, value)
    return key


class Store:
    def __init__(self, cfg: SandboxConfig) -> None:
        self.cfg = cfg
        data, self.organization, self.ids = generate(cfg)
        self.records: dict[str, dict[str, Record]] = {
            entity: {record[ID_FIELDS[entity]]: record for record in rows} for entity, rows in data.items()}
        for entity in ID_FIELDS:
            self.records.setdefault(entity, {})
        self.lock = threading.RLock()
        self.versions: dict[str, int] = dict.fromkeys(self.records, 0)
        self.changes: deque[tuple[str, str, str]] = deque(maxlen=10000)
        self._selections: OrderedDict[tuple[Any, ...], list[Record]] = OrderedDict()
        self._warehouse_names: dict[str, str] = {}

    # -- reading ---------------------------------------------------------------------------------------------
    def entity(self, name: str) -> str:
        name = ALIASES.get(name, name)
        if name not in self.records:
            raise KeyError(f"unknown sandbox entity {name!r}")
        return name

    def get(self, entity: str, record_id: str) -> Record | None:
        return self.records[self.entity(entity)].get(str(record_id))

    def ids_of(self, entity: str) -> list[str]:
        with self.lock:
            return list(self.records[self.entity(entity)])

    def warehouse_names(self) -> dict[str, str]:
        with self.lock:
            if not self._warehouse_names:
                self._warehouse_names = {w["warehouse_id"]: w["warehouse_name"]
                                         for w in self.records["warehouses"].values()}
            return self._warehouse_names

    def list(self, entity: str, *, detail: bool = False) -> list[Record]:
        """Current records as the Inventory API (Books for vendor payments) renders them."""
        endpoint = INVENTORY["locations"] if entity == "locations" else RENDER_ENDPOINTS[self.entity(entity)]
        with self.lock:
            rows = list(self.records[endpoint.entity].values())
        if detail:
            return [render_detail(endpoint, r, self.cfg.stock_shape, self.warehouse_names()) for r in rows]
        return [render_list_record(endpoint, r) for r in rows]

    def detail(self, entity: str, record_id: str) -> Record | None:
        """One record as its detail endpoint renders it (Inventory's; Books' for vendor payments)."""
        entity = self.entity(entity)
        record = self.get(entity, record_id)
        return None if record is None else json.loads(self.rendered(RENDER_ENDPOINTS[entity], record, "detail"))

    def rendered(self, endpoint: Endpoint, record: Record, kind: str) -> bytes:
        """JSON bytes of one record, cached on the record (mutations replace the record dict)."""
        cache = record.setdefault("_cache", {})
        key = (endpoint.list_key, endpoint.view, kind)
        body = cache.get(key)
        if body is None:
            value = (render_list_record(endpoint, record) if kind == "list"
                     else render_detail(endpoint, record, self.cfg.stock_shape, self.warehouse_names()))
            body = cache[key] = dumps(value)
        return body

    def select(self, endpoint: Endpoint, *, sort_column: str, descending: bool, since: int | None,
               statuses: tuple[str, ...] | None) -> builtins.list[Record]:
        """Filtered, sorted records; cached per query until the entity changes."""
        with self.lock:
            key = (endpoint.entity, self.versions[endpoint.entity], sort_column, descending, since, statuses)
            hit = self._selections.get(key)
            if hit is not None:
                self._selections.move_to_end(key)
                return hit
            rows = [r for r in self.records[endpoint.entity].values()
                    if (since is None or r["_mtime"] >= since) and (statuses is None or r.get("status") in statuses)]
            rows.sort(key=sort_key(sort_column), reverse=descending)
            self._selections[key] = rows
            while len(self._selections) > SELECTION_CACHE:
                self._selections.popitem(last=False)
            return rows

    def warm(self, stop: threading.Event) -> None:
        """Render every item's list and detail JSON ahead of the first pull (runs in a daemon thread)."""
        endpoint = INVENTORY["items"]
        for record in list(self.records["items"].values()):
            if stop.is_set():
                return
            self.rendered(endpoint, record, "list")
            self.rendered(endpoint, record, "detail")

    # -- mutating --------------------------------------------------------------------------------------------
    def _replace(self, entity: str, record_id: str, change: Callable[[Record], None], op: str) -> Record:
        with self.lock:
            current = self.records[entity].get(str(record_id))
            if current is None:
                raise KeyError(f"{entity} {record_id} does not exist")
            record = copy.deepcopy({k: v for k, v in current.items() if k != "_cache"})
            change(record)
            moment = max(now(), record["_mtime"] + 1)  # strictly increasing per record
            record["_mtime"] = moment
            if "last_modified_time" in record:  # only where Zoho documents the field (not price lists)
                record["last_modified_time"] = zoho_time(moment)
            self.records[entity][str(record_id)] = record
            self._changed(entity, str(record_id), op)
            return record

    def _changed(self, entity: str, record_id: str, op: str) -> None:
        self.versions[entity] += 1
        self.changes.append((entity, record_id, op))
        if entity == "warehouses":
            self._warehouse_names = {}

    def edit(self, entity: str, record_id: str, changes: dict[str, Any]) -> Record:
        entity = self.entity(entity)
        return self._replace(entity, record_id, lambda record: record.update(changes), "edited")

    def bump(self, entity: str, record_id: str) -> Record:
        entity = self.entity(entity)
        return self._replace(entity, record_id, lambda record: None, "edited")

    def set_stock(self, item_id: str, warehouse_id: str, on_hand: int, committed: int = 0) -> Record:
        def change(item: Record) -> None:
            for row in item["_stock"]:
                if row[0] == warehouse_id:
                    row[1], row[2] = on_hand, committed
            set_stock_totals(item)
        return self._replace("items", item_id, change, "edited")

    def change_image(self, item_id: str) -> Record:
        def change(item: Record) -> None:
            document_id = self.ids.new("images")
            item["_image_version"] += 1
            ext = item["image_type"] or "jpg"
            item.update(image_document_id=document_id, image_id=document_id, image_type=ext,
                        image_name=f"{item['sku'].lower()}-v{item['_image_version']}.{ext}")
        return self._replace("items", item_id, change, "edited")

    def delete(self, entity: str, record_id: str) -> None:
        entity = self.entity(entity)
        with self.lock:
            if self.records[entity].pop(str(record_id), None) is None:
                raise KeyError(f"{entity} {record_id} does not exist")
            self._changed(entity, str(record_id), "deleted")

    def create(self, entity: str, fields: dict[str, Any] | None = None) -> str:
        """A new record (an item is freshly generated; others copy an existing record's shape)."""
        entity = self.entity(entity)
        with self.lock:
            if entity == "items":
                seq = self.ids.next_seq.get("items", 1)  # the new item's id sequence: unique sku/name
                rng = random.Random(f"{self.cfg.seed}-{seq}")
                record = make_item(self.ids, rng, seq, list(self.records["warehouses"].values()))
                set_stock_totals(record)
            else:
                template = next(iter(self.records[entity].values()), None)
                if template is None:
                    raise KeyError(f"no {entity} to copy a shape from")
                record = copy.deepcopy({k: v for k, v in template.items() if k != "_cache"})
                record[ID_FIELDS[entity]] = self.ids.new(entity)
            record.update(fields or {})
            moment = now()
            record.update(_ctime=moment, _mtime=moment)
            for field in ("created_time", "last_modified_time"):
                if field in record:  # only where Zoho documents the field (not price lists)
                    record[field] = zoho_time(moment)
            record_id = record[ID_FIELDS[entity]]
            self.records[entity][record_id] = record
            self._changed(entity, record_id, "created")
            return record_id
