"""What to compare for each entity name: built from the one entity registry (sync/entities.py).

Every registry name is a target. A derived spec (stock, images) is not a list of its own in
Zoho: it is read from the list of the entity it ``reads`` (stock on hand, image identity in the
items list), compared by its registry ``compare`` function against that entity's rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync import entities
from sync.compare.zoho_counts import Source
from sync.entities import UnknownEntity

__all__ = ["UnknownEntity", "valid_names"]

# The quick compare: items and what is derived from them, then the smaller lists people look up.
DEFAULT_ENTITIES = ("items", *(d.name for d in entities.DERIVED.values() if d.reads == "items"),
                    "price_lists", "customers", "vendors")


@dataclass(frozen=True)
class Target:
    entity: str
    kind: str  # "records", or the derived name (stock, images)
    source: Source
    id_field: str
    model: Any
    model_id_field: str
    cursor_entity: str
    compare: str = ""  # a derived name's compare function (dotted path); "" for records


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


def _target(name: str, spec: Any, kind: str, compare: str = "") -> Target:
    return Target(
        entity=name,
        kind=kind,
        compare=compare,
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
    if isinstance(spec, entities.DerivedSpec):
        return _target(name, _registry()[spec.reads], kind=spec.name, compare=spec.compare)
    return _target(name, _registry()[spec.reads], kind="records")


def targets_for(names: list[str] | None, *, deep: bool = False) -> list[Target]:
    return [target_for(name) for name in resolve_names(names, deep=deep)]


def cursor_state(target: Target) -> tuple[bool, datetime | None]:
    """(has the entity ever been pulled, the time an incremental pull would start from)."""
    from sync.pull.cursors import cursor_get, cursor_since

    state = cursor_get(entity=target.cursor_entity)
    return bool(state.watermark or state.last_full_run_at), cursor_since(state=state)
