"""Find records across the mirrored entities by Zoho id, SKU, document number, name or party name.

The searched columns follow from each entity's model, by convention: its Zoho id; ``sku``; its
document number (the ``*_number`` column, or ``reference_number`` where it has no other);
``name`` and ``company_name``; ``customer_name`` / ``vendor_name``. A Zoho id or a SKU matches
exactly (unique and b-tree indexes); the text columns match case-insensitively anywhere, served on
PostgreSQL by trigram indexes on ``UPPER(column)`` (migration ``record_search``), and only from
three characters on, below which a trigram index cannot narrow anything. Every entity answers at
most ``per_entity`` rows, unordered in SQL (an ORDER BY would sort every match before the LIMIT),
ranked afterwards: exact matches first.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from sync.entities import REGISTRY, EntitySpec

MAX_QUERY = 100
MIN_CONTAINS = 3
PER_ENTITY = 10
_PARTY = ("customer_name", "vendor_name")


class BadQuery(ValueError):
    """A search text that cannot be searched (empty, too long, control characters)."""


@dataclass(frozen=True)
class SearchColumns:
    exact: tuple[str, ...]        # matched whole (Zoho id, SKU)
    text: tuple[str, ...]         # matched anywhere, case-insensitively
    title: str                    # what a result is called
    subtitle: str                 # the party or the SKU, when the entity has one


@cache
def search_columns(entity: str) -> SearchColumns:
    spec = REGISTRY[entity]
    names = {f.name for f in spec.model._meta.concrete_fields}
    numbers = sorted(n for n in names if n.endswith("_number") and n != "reference_number")
    number = numbers[0] if numbers else ("reference_number" if "reference_number" in names else "")
    text = tuple(n for n in ("sku", number, "name", "company_name", *_PARTY) if n and n in names)
    exact = (spec.model_id_field, *(("sku",) if "sku" in names else ()))
    title = number or ("name" if "name" in names else spec.model_id_field)
    subtitle = next((n for n in (*_PARTY, "sku") if n in names and n != title), "")
    return SearchColumns(exact=exact, text=text, title=title, subtitle=subtitle)


def clean_query(raw: Any) -> str:
    """The text to search, or BadQuery saying why not."""
    text = str(raw or "").strip()
    if not text:
        raise BadQuery("Type a Zoho id, SKU, document number or name to search for.")
    if len(text) > MAX_QUERY:
        raise BadQuery(f"The search text is longer than {MAX_QUERY} characters.")
    if any(ord(c) < 32 or c == "\x7f" for c in text):
        raise BadQuery("The search text contains control characters.")
    return text


@dataclass
class EntityHits:
    entity: str
    results: list[dict[str, Any]] = field(default_factory=list)
    more: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "results": self.results, "more": self.more}


def record_search(raw: Any, *, per_entity: int = PER_ENTITY, entities: list[str] | None = None) -> dict[str, Any]:
    """{"query", "total", "groups": [{"entity", "results": [{zoho_id, title, subtitle, active, exact}], "more"}]}
    with only the entities that matched, registry order; BadQuery for a text that cannot be searched."""
    text = clean_query(raw)
    groups = []
    with _custom_plans():
        for name in entities or list(REGISTRY):
            hits = _entity_hits(REGISTRY[name], text, per_entity)
            if hits.results:
                groups.append(hits.as_dict())
    return {"query": text, "total": sum(len(g["results"]) for g in groups), "groups": groups}


@contextmanager
def _custom_plans() -> Iterator[None]:
    """Plan each search for its own text. Connections prepare statements they run often (psycopg's
    prepare_threshold), and PostgreSQL may then switch to a generic plan made without the LIKE
    pattern, which cannot tell that the trigram index narrows it and reads the whole table."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


def _entity_hits(spec: EntitySpec, text: str, limit: int) -> EntityHits:
    cols = search_columns(spec.name)
    match = Q()
    for name in cols.exact:
        match |= Q(**{name: text})
    if len(text) >= MIN_CONTAINS:
        for name in cols.text:
            match |= Q(**{f"{name}__icontains": text})
    wanted = {spec.model_id_field, cols.title, "is_active", *((cols.subtitle,) if cols.subtitle else ()),
              *cols.exact, *cols.text}
    rows = list(spec.model.objects.filter(match).order_by().values(*sorted(wanted))[: limit + 1])
    hits = EntityHits(entity=spec.name, more=len(rows) > limit)
    folded = text.casefold()
    for row in rows[:limit]:
        exact = any(str(row.get(n) or "").casefold() == folded for n in (*cols.exact, *cols.text))
        hits.results.append({
            "zoho_id": row[spec.model_id_field], "title": str(row.get(cols.title) or row[spec.model_id_field]),
            "subtitle": str(row.get(cols.subtitle) or "") if cols.subtitle else "",
            "active": bool(row.get("is_active", True)), "exact": exact})
    hits.results.sort(key=lambda r: (not r["exact"], r["title"].casefold()))
    return hits
