"""Start-up check: every entity in the registry is complete, or the service refuses to start.

An incomplete entry would otherwise fail at run time, one webhook or one command at a time:
a pulled entity without a queue urgency has its webhooks rejected, a body key of an unknown
entity is stored and never applied, an unknown dependency stalls the pull order.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks
from django.utils.module_loading import import_string

from sync.entities import AnySpec, DerivedSpec, EntitySpec
from sync.models.choices import RunType


def registry_problems(specs: Iterable[AnySpec]) -> list[str]:
    """What is missing or inconsistent in ``specs`` (empty when every entry is complete)."""
    specs = list(specs)
    names = [spec.name for spec in specs]
    pulled = {spec.name for spec in specs if isinstance(spec, EntitySpec)}
    problems = [f"{name!r} is listed twice" for name in sorted({n for n in names if names.count(n) > 1})]
    keys: dict[str, str] = {}
    for spec in specs:
        problems += _spec_problems(spec, pulled)
        for key in getattr(spec, "webhook_keys", {}):
            if key in keys:
                problems.append(f"webhook body key {key!r} belongs to both {keys[key]!r} and {spec.name!r}")
            keys[key] = spec.name
    for spec in specs:
        claim = getattr(spec, "webhook_claims", None)
        if claim and claim[0] not in keys:
            problems.append(f"{spec.name!r} claims webhook body key {claim[0]!r}, which no entity has")
    return problems


def _spec_problems(spec: AnySpec, pulled: set[str]) -> list[str]:
    out = []
    if not (isinstance(spec.queue_urgency, int) and 1 <= spec.queue_urgency <= 10):
        out.append(f"{spec.name!r} has no queue urgency (1..10): its queued work would be rejected")
    if isinstance(spec, DerivedSpec):
        if spec.reads not in pulled:
            out.append(f"{spec.name!r} reads {spec.reads!r}, which is not a pulled entity")
        for role in ("runner", "compare", "recommend"):
            try:
                import_string(getattr(spec, role))
            except ImportError:
                out.append(f"{spec.name!r} {role} {getattr(spec, role)!r} cannot be imported")
        if spec.run_type not in RunType.values:
            out.append(f"{spec.name!r} run type {spec.run_type!r} is not a RunType")
        return out
    out += [f"{spec.name!r} depends on unknown entity {dep!r}" for dep in spec.depends_on if dep not in pulled]
    for model in (spec.model_name, *(fk.model for fk in spec.fks), *([spec.lines.model] if spec.lines else [])):
        try:
            apps.get_model("sync", model)
        except LookupError:
            out.append(f"{spec.name!r} names model {model!r}, which does not exist")
    if not spec.id_field or not spec.model_id_field:
        out.append(f"{spec.name!r} has no id field")
    out += [f"{spec.name!r} webhook body key {key!r} has no id field" for key, f in spec.webhook_keys.items() if not f]
    if spec.webhook_routes and not spec.webhook_keys:
        out.append(f"{spec.name!r} has webhook routes but no body keys")
    return out + _parameter_problems(spec)


def _parameter_problems(spec: EntitySpec) -> list[str]:
    """A pass that would send a list parameter the spec does not record as documented by Zoho."""
    sent = set(spec.params) | ({"page", "per_page"} if spec.paged else set())
    if spec.cursor_field:
        sent.add(spec.cursor_field)
    if spec.sort_desc_stop:
        sent |= {"sort_column", "sort_order"}
        if "last_modified_time" not in spec.sort_columns:
            return [f"{spec.name!r} reads newest first, but last_modified_time is not a documented sort column"]
    return [f"{spec.name!r} would send {name!r}, which Zoho does not document for {spec.path}"
            for name in sorted(sent - spec.documented)]


@checks.register(checks.Tags.models)
def check_registry(app_configs: Any = None, *, specs: Iterable[AnySpec] | None = None,
                   **kwargs: Any) -> list[checks.CheckMessage]:
    """tds.E010: the entity registry (sync/entities.py) has an incomplete or inconsistent entry."""
    from sync.entities import all_specs

    return [checks.Error(problem, hint="Complete the entry in sync/entities.py.", obj="sync.entities",
                         id="tds.E010") for problem in registry_problems(all_specs() if specs is None else specs)]
