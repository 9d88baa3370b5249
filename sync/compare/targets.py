"""What to compare for each entity name: built from the one entity registry (sync/entities.py).

Every registry name is a target. ``stock`` and ``images`` are derived specs: not lists of
their own in Zoho, both are read from the items list (stock on hand, image identity) and
compared against columns of ``products``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync import entities
from sync.compare.zoho_counts import Source
from sync.entities import UnknownEntity

__all__ = ["UnknownEntity", "valid_names"]

DEFAULT_ENTITIES = ("items", "stock", "images", "price_lists", "customers", "vendors")


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
    """The pulled entities whose lists can be compared (a seam for tests)."""
    return dict(entities.REGISTRY)


def valid_names() -> list[str]:
    """Every registry name (derived ones right after the entity they read)."""
    registry = _registry()
    return [name for name in entities.valid_names() if entities.spec_for(name).reads in registry]


def resolve_names(names: list[str] | None, *, deep: bool = False) -> list[str]:
    """Command-line names -> canonical names (the registry's aliases), in the order given.

    Unknown -> UnknownEntity with the valid list; 'all' -> every entity. None: the quick compare's
    six, or every entity for a deep compare (record by record costs list pages only).
    """
    if not names:
        return valid_names() if deep else list(DEFAULT_ENTITIES)
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
                      params=tuple(sorted((k, str(v)) for k, v in (spec.params or {}).items())),
                      keep=spec.keep, paged=spec.paged),
        id_field=spec.id_field,
        model=spec.model,
        model_id_field=spec.model_id_field,
        cursor_entity=spec.name,
    )


def target_for(name: str) -> Target:
    spec = entities.spec_for(name)
    kind = name if isinstance(spec, entities.DerivedSpec) else "records"
    return _target(name, _registry()[spec.reads], kind=kind)


def targets_for(names: list[str] | None, *, deep: bool = False) -> list[Target]:
    return [target_for(name) for name in resolve_names(names, deep=deep)]


def cursor_state(target: Target) -> tuple[bool, datetime | None]:
    """(has the entity ever been pulled, the time an incremental pull would start from)."""
    from sync.pull.cursors import cursor_get, cursor_since

    state = cursor_get(entity=target.cursor_entity)
    return bool(state.watermark or state.last_full_run_at), cursor_since(state=state)
