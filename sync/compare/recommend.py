"""Recommendation rules: one per entity, priority 1-10 (10 = most urgent), with the reason.

Rules, first match wins (records = every pulled entity; the registry names the rule of each
derived one, stock_rule and images_rule below):
- the comparison failed                     -> RECONCILIATION (review the error)
- nothing differs                           -> NO_SYNC_NEEDED
- local records Zoho lacks, more than 10 %
  of the local mirror                       -> RECONCILIATION: a full pass would mark that much
                                               of the mirror deleted; a person checks first
                                               (wrong organization, restored backup...)
- never pulled (no cursor)                  -> FULL_SYNC
- local records Zoho lacks (deleted in Zoho) -> FULL_SYNC: the full pass marks them
                                               (is_active=false, deleted_in_zoho_at), never drops them
- missing or stale records older than the
  cursor watermark (deep only)              -> FULL_SYNC: an incremental pull starts at the
                                               watermark and would not reach them
- lines differ while versions agree (--lines) -> RECONCILIATION: no pull would rewrite them
- Zoho has newer or more records            -> INCREMENTAL_SYNC
stock: differing quantities -> INCREMENTAL_SYNC (a stock sync of exactly those items).
images: missing or changed  -> DOWNLOAD_MISSING; only local images whose Zoho item lost
its image -> RECONCILIATION.
Priority = base per action, +1 when the match is below 95 %, +1 more below 80 %, at most 10.
"""
from __future__ import annotations

from django.utils.module_loading import import_string

from sync import entities
from sync.compare.report import EntityComparison, Recommendation

NO_SYNC_NEEDED = "NO_SYNC_NEEDED"
INCREMENTAL_SYNC = "INCREMENTAL_SYNC"
FULL_SYNC = "FULL_SYNC"
DOWNLOAD_MISSING = "DOWNLOAD_MISSING"
RECONCILIATION = "RECONCILIATION"
ACTIONS = (NO_SYNC_NEEDED, INCREMENTAL_SYNC, FULL_SYNC, DOWNLOAD_MISSING, RECONCILIATION)

BASE_PRIORITY = {FULL_SYNC: 9, INCREMENTAL_SYNC: 8, RECONCILIATION: 7, DOWNLOAD_MISSING: 5, NO_SYNC_NEEDED: 1}
RECONCILE_FRACTION = 0.10


def priority_for(action: str, match_pct: float) -> int:
    if action == NO_SYNC_NEEDED:
        return 1
    bump = (match_pct < 95) + (match_pct < 80)
    return min(10, BASE_PRIORITY[action] + bump)


def _make(
    c: EntityComparison, action: str, reason: str, *, ids: list[str] | None = None, plan: str = ""
) -> Recommendation:
    return Recommendation(
        entity=c.entity, action=action, priority=priority_for(action, c.match_pct), reason=reason,
        ids=list(ids or []), plan=plan,
    )


def _surplus(c: EntityComparison) -> int:
    return len(c.missing_in_zoho) if c.deep else max(0, -c.difference)


def _records_rule(c: EntityComparison) -> Recommendation:
    surplus = _surplus(c)
    if surplus and surplus > RECONCILE_FRACTION * max(1, c.local_count):
        share = 100.0 * surplus / max(1, c.local_count)
        return _make(c, RECONCILIATION, f"{surplus:,} local records are not in Zoho ({share:.0f}% of the mirror): "
                     "review before a full pass marks them deleted", ids=c.missing_in_zoho)
    if not c.has_cursor:
        return _make(c, FULL_SYNC, "never pulled: no cursor yet", plan=f"full pull of {c.entity}")
    if surplus:
        return _make(c, FULL_SYNC, f"{surplus:,} local records no longer in Zoho (deleted there): "
                     "a full pass marks them deleted and keeps them", ids=c.missing_in_zoho,
                     plan=f"full pull of {c.entity}")
    if c.changed and not (c.missing_local or c.stale):
        return _make(c, RECONCILIATION, f"{len(c.changed):,} documents whose lines differ from Zoho's while their "
                     "version agrees: review (the mirror's lines were changed outside TDS)", ids=c.changed)
    if c.behind_cursor:
        return _make(c, FULL_SYNC, f"{len(c.behind_cursor):,} missing or stale records are older than the "
                     "cursor: an incremental pull would not reach them", ids=c.behind_cursor,
                     plan=f"full pull of {c.entity}")
    return _make(c, INCREMENTAL_SYNC, _incremental_reason(c), ids=c.missing_local + c.stale,
                 plan=f"incremental pull of {c.entity}")


def _incremental_reason(c: EntityComparison) -> str:
    if c.deep:
        return f"{len(c.missing_local):,} new in Zoho, {len(c.stale):,} changed in Zoho since the last pull"
    return f"Zoho has {c.difference:+,} records against the mirror"


def stock_rule(c: EntityComparison) -> Recommendation:
    ids = sorted(set(c.stale) | set(c.missing_local))
    if not ids and c.deep:
        return _make(c, NO_SYNC_NEEDED, "stock on hand agrees for every item")
    return _make(c, INCREMENTAL_SYNC, f"stock differs for {len(ids):,} items", ids=ids,
                 plan=f"stock sync of {len(ids):,} items")


def images_rule(c: EntityComparison) -> Recommendation:
    ids = sorted(set(c.missing_local) | set(c.changed))
    if ids:
        return _make(c, DOWNLOAD_MISSING, f"{len(c.missing_local):,} images missing locally, "
                     f"{len(c.changed):,} changed in Zoho", ids=ids, plan=f"download {len(ids):,} images")
    if c.missing_in_zoho:
        return _make(c, RECONCILIATION, f"{len(c.missing_in_zoho):,} local images whose Zoho item has no image now",
                     ids=c.missing_in_zoho)
    return _make(c, NO_SYNC_NEEDED, "every Zoho image is present and current locally")


def recommend(c: EntityComparison) -> Recommendation:
    if c.error:
        return _make(c, RECONCILIATION, f"comparison failed: {c.error}")
    if c.in_sync:
        return _make(c, NO_SYNC_NEEDED, f"Zoho and local agree ({c.zoho_count:,} records)")
    derived = entities.DERIVED.get(c.entity)
    if derived is not None:  # stock_rule, images_rule: named by the registry
        return import_string(derived.recommend)(c)
    return _records_rule(c)


def recommend_all(comparisons: list[EntityComparison]) -> list[Recommendation]:
    return [recommend(c) for c in comparisons]
