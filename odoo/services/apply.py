"""Carrying a plan out in Odoo: batched creates, one write per group of identical values.

Links are saved after every Odoo call that succeeded, so a run that fails half-way keeps what
it did: the next run neither repeats those writes nor creates those products again.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from odoo.client import OdooClient
from odoo.models import OdooProductLink
from odoo.services.plan import MODEL, Change, Plan

CREATE_CHUNK = 200  # one failing record rolls back its whole call: keep calls moderate
WRITE_CHUNK = 1000
CONTEXT = {"lang": "en_US"}


@dataclass
class Applied:
    created: int = 0
    adopted: int = 0
    updated: int = 0
    archived: int = 0
    write_calls: int = 0


def plan_apply(*, plan: Plan, client: OdooClient, progress: Callable[[int], None] | None = None) -> Applied:
    done = Applied(archived=len(plan.archive))
    for start in range(0, len(plan.create), CREATE_CHUNK):
        chunk = plan.create[start:start + CREATE_CHUNK]
        ids = client.create(MODEL, [c.vals for c in chunk], context=CONTEXT)
        for change, odoo_id in zip(chunk, ids, strict=True):
            change.odoo_id = odoo_id
        _links_save(chunk, adopted=False)
        done.created += len(chunk)
        done.write_calls += 1
        if progress:
            progress(len(chunk))
    for kind, changes in (("adopted", plan.adopt), ("updated", plan.update)):
        for vals, group in _groups(changes):
            for start in range(0, len(group), WRITE_CHUNK):
                part = group[start:start + WRITE_CHUNK]
                client.write(MODEL, [_odoo_id(c) for c in part], vals, context=CONTEXT)
                _links_save(part, adopted=kind == "adopted")
                setattr(done, kind, getattr(done, kind) + len(part))
                done.write_calls += 1
                if progress:
                    progress(len(part))
    return done


def _groups(changes: list[Change]) -> list[tuple[dict, list[Change]]]:
    grouped: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        grouped[json.dumps(change.vals, sort_keys=True, default=str)].append(change)
    return [(group[0].vals, group) for group in grouped.values()]


def _odoo_id(change: Change) -> int:
    if change.odoo_id is None:
        raise ValueError(f"item {change.mapped.zoho_item_id} has no Odoo id yet")
    return change.odoo_id


def _links_save(changes: list[Change], *, adopted: bool) -> None:
    now = timezone.now()
    fresh: list[OdooProductLink] = []
    known: list[OdooProductLink] = []
    for change in changes:
        link = change.link or OdooProductLink(zoho_item_id=change.mapped.zoho_item_id, adopted=adopted)
        link.odoo_template_id = _odoo_id(change)
        link.pushed_hash = change.mapped.hash
        link.pushed_values = change.mapped.values
        link.active = bool(change.mapped.values.get("active", True))
        link.last_pushed_at = now
        link.adopted = link.adopted or adopted
        (known if link.pk else fresh).append(link)
    OdooProductLink.objects.bulk_create(fresh, batch_size=1000)
    OdooProductLink.objects.bulk_update(known, ["odoo_template_id", "pushed_hash", "pushed_values", "active",
                                                "last_pushed_at", "adopted"], batch_size=1000)
