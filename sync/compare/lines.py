"""Line-level comparison: per document, the number of lines and the sum of their quantities in Zoho
against the mirror's line table.

Zoho's lists carry no lines for most documents, so this costs one detail call per document compared
(price lists carry theirs in the list). It is asked for explicitly (``tds_compare --deep --lines``),
never by the scheduled compare, and only documents whose version already agrees are compared: a
missing or stale document is reported as such and its lines come with its next pull.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Sum

from sync.compare.report import EntityComparison
from sync.entities import REGISTRY, EntitySpec
from sync.mappers.common import zid
from sync.zoho_port import ZohoPort

Totals = tuple[int, Decimal]


def has_lines(entity: str) -> bool:
    spec = REGISTRY.get(entity)
    return spec is not None and spec.lines is not None


def lines_compare(entity: str, result: EntityComparison, *, records: list[dict[str, Any]],
                  client: ZohoPort) -> None:
    """Add to ``result.changed`` the documents whose line count or quantity sum differs."""
    spec = REGISTRY[entity]
    excluded = set(result.missing_local) | set(result.missing_in_zoho) | set(result.stale)
    listed = {zid(r.get(spec.id_field)): r for r in records if isinstance(r, dict)}
    local = _local_totals(spec)
    differing = []
    for zoho_id in sorted(set(listed) & set(local) - excluded):
        zoho = _zoho_totals(spec, listed[zoho_id], client)
        if zoho is not None and zoho != local[zoho_id]:
            differing.append(zoho_id)
    result.changed = sorted(set(result.changed) | set(differing))
    if result.identical is not None:
        result.identical -= len(differing)


def _local_totals(spec: EntitySpec) -> dict[str, Totals]:
    """Every live document's (line count, quantity sum); a document without lines is (0, 0)."""
    assert spec.lines is not None
    lines = spec.lines
    model = apps.get_model("sync", lines.model)
    parent_key = f"{lines.parent_field}__{spec.model_id_field}"
    found = {row[parent_key]: (row["n"], row["q"] or Decimal(0))
             for row in model.objects.values(parent_key).annotate(n=Count("id"), q=Sum(lines.quantity))}
    documents = spec.model.objects.filter(deleted_in_zoho_at__isnull=True).values_list(spec.model_id_field, flat=True)
    return {zoho_id: found.get(zoho_id, (0, Decimal(0))) for zoho_id in documents}


def _zoho_totals(spec: EntitySpec, listed: dict[str, Any], client: ZohoPort) -> Totals | None:
    assert spec.lines is not None
    rows = spec.lines.mapper(listed)
    if rows is None:  # the list carries no lines: the detail does
        from sync.pull.details import detail_record

        payload = client.get(spec.api, spec.detail_path(zid(listed[spec.id_field])))
        rows = spec.lines.mapper(detail_record(spec, payload))
    if rows is None:
        return None
    quantities = [row.get(spec.lines.quantity) for row in rows]
    return len(rows), sum((q for q in quantities if isinstance(q, Decimal)), Decimal(0))
