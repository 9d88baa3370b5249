"""Text output of tds_odoo_sync: a run's result, a dry run's plan, the status page."""
from __future__ import annotations

from typing import Any

from odoo.services.push import OdooSyncResult
from odoo.services.status import OdooStatus

PLAN_LINES = 20


def result_lines(result: OdooSyncResult) -> list[str]:
    head = "DRY RUN, nothing written. Plan:" if result.dry_run else f"Odoo sync {result.status}:"
    lines = [f"Odoo {result.odoo_version} over {result.protocol}",
             f"{head} products {result.products} | created {result.created} | adopted by SKU {result.adopted} | "
             f"updated {result.updated} | archived {result.archived} | unchanged {result.unchanged}",
             f"Odoo write calls {result.write_calls} | API calls {result.api_calls} | {result.duration_seconds:.2f} s"]
    if result.no_price:
        lines.append(f"no Zoho rate (Odoo price left alone): {result.no_price}")
    if result.missing_units:
        units = ", ".join(f"{name!r} x{n}" for name, n in sorted(result.missing_units.items()))
        lines.append(f"units not found in Odoo (Odoo's unit left alone; add them or set ODOO_UNIT_MAP): {units}")
    for sku, ids in sorted(result.conflicts.items()):
        lines.append(f"SKU conflict, for review: {sku} is on Odoo products {', '.join(map(str, ids))}; not matched")
    if result.counts:
        c = result.counts
        lines.append(f"counts: {c.explain()} | match {'yes' if c.match else 'no'} | archived {c.archived} | "
                     f"other Odoo products {c.other}")
    if result.dry_run and result.plan:
        lines += plan_lines(result)
    return lines


def plan_lines(result: OdooSyncResult) -> list[str]:
    plan = result.plan
    lines: list[str] = []
    if plan is None:
        return lines
    for action, changes in (("create", plan.create), ("adopt", plan.adopt), ("update", plan.update)):
        for change in changes[:PLAN_LINES]:
            target = f" -> Odoo {change.odoo_id}" if change.odoo_id else ""
            lines.append(f"  {action:<6} {change.mapped.sku or change.mapped.zoho_item_id}{target}: "
                         f"{_short(change.vals)}")
        if len(changes) > PLAN_LINES:
            lines.append(f"  … and {len(changes) - PLAN_LINES} more to {action}")
    return lines


def _short(vals: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in vals.items() if k not in ("description_sale",))[:160]


def status_lines(status: OdooStatus) -> list[str]:
    def yes_no(value: bool | None) -> str:
        return "unknown" if value is None else "yes" if value else "no"

    rate = "no syncs yet" if status.success_rate is None else f"{status.success_rate:.1f} %"
    last = status.last_sync.strftime("%Y-%m-%d %H:%M:%S %Z") if status.last_sync else "never"
    lines = [f"Odoo sync: {status.state} ({status.detail})",
             f"last sync: {last}{f' ({status.last_status})' if status.last_status else ''}",
             f"success rate: {rate} (last {len(status.history)} syncs)",
             f"products synced: {status.products_synced}",
             f"Zoho count: {_n(status.zoho_count)}", f"Odoo count: {_n(status.odoo_count)}",
             f"match: {yes_no(status.match)}{f' ({status.difference})' if status.difference else ''}",
             f"last {len(status.history)} syncs:",
             f"  {'started':<19}  {'status':<9}  {'added':>6}  {'updated':>7}  {'archived':>8}  {'duration':>9}"]
    for row in status.history:
        started = row.started_at.strftime("%Y-%m-%d %H:%M:%S") if row.started_at else "-"
        duration = f"{row.duration_seconds:.2f} s" if row.duration_seconds is not None else "-"
        lines.append(f"  {started:<19}  {row.status:<9}  {row.added:>6}  {row.updated:>7}  {row.archived:>8}  "
                     f"{duration:>9}")
    return lines


def _n(value: int | None) -> str:
    return "unknown" if value is None else str(value)
