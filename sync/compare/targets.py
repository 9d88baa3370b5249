"""What to compare for each entity name: built from the one entity registry (sync/entities.py).

Entity names are SPEC §2's. ``stock`` and ``images`` are not lists of their own in
Zoho: both are read from the items list (stock on hand, image identity) and
compared against columns of ``products``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.compare.zoho_counts import Source

DEFAULT_ENTITIES = ("items", "stock", "images", "price_lists", "customers", "vendors")  # the seed's six [000]
DERIVED = {"stock": "items", "images": "items"}  # compared from the items list


class UnknownEntity(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    entity: str
    kind: str  # records | stock | images
    source: Source
    id_field: str
    model: Any
    model_id_field: str
    cursor_entity: str


def _registry() -> dict[str, Any]:
    from sync.entities import REGISTRY

    return dict(REGISTRY)


def valid_names() -> list[str]:
    """Every name, registry order, with stock and images right after items."""
    names: list[str] = []
    for name in _registry():
        names += [name, *DERIVED] if name == "items" else [name]
    return names


def resolve_names(names: list[str] | None) -> list[str]:
    """Command-line names -> canonical names (the registry's aliases), in the order given.

    Unknown -> UnknownEntity with the valid list; 'all' -> every entity.
    """
    from sync import entities

    if not names:
        return list(DEFAULT_ENTITIES)
    if [n.lower() for n in names] == ["all"]:
        return valid_names()
    resolved: list[str] = []
    for raw in names:
        try:
            name = entities.canonical(raw)
        except entities.UnknownEntity as exc:
            raise UnknownEntity(f"{exc} (or 'all')") from exc
        if name not in resolved:
            resolved.append(name)
    return resolved


def _target(name: str, spec: Any, kind: str) -> Target:
    return Target(
        entity=name,
        kind=kind,
        source=Source(api=spec.api, path=spec.path, list_key=spec.list_key,
                      params=tuple(sorted((k, str(v)) for k, v in (spec.params or {}).items()))),
        id_field=spec.id_field,
        model=spec.model,
        model_id_field=spec.model_id_field,
        cursor_entity=spec.name,
    )


def target_for(name: str) -> Target:
    registry = _registry()
    parent = DERIVED.get(name, name)
    return _target(name, registry[parent], kind=name if name in DERIVED else "records")


def targets_for(names: list[str] | None) -> list[Target]:
    return [target_for(name) for name in resolve_names(names)]


def cursor_state(target: Target) -> tuple[bool, datetime | None]:
    """(has the entity ever been pulled, the time an incremental pull would start from)."""
    from sync.pull.cursors import cursor_get, cursor_since

    state = cursor_get(entity=target.cursor_entity)
    return bool(state.watermark or state.last_full_run_at), cursor_since(state=state)
